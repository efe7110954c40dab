// A textarea that grows with its text (up to its CSS max-height, then scrolls).
import type { Ref } from 'vue'

export function useAutoGrow(element: Ref<HTMLTextAreaElement | null>) {
  function resize(): void {
    const box = element.value
    if (!box) return
    box.style.height = 'auto'
    box.style.height = `${box.scrollHeight}px`
  }
  return { resize }
}
