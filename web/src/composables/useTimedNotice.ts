// A short confirmation ("Your username has been changed.") that goes away by itself.
import { onBeforeUnmount, ref } from 'vue'

export const NOTICE_DURATION_MS = 5000

export function useTimedNotice(durationMs: number = NOTICE_DURATION_MS) {
  const notice = ref<string | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null

  function dismiss(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
    notice.value = null
  }

  function show(message: string): void {
    dismiss()
    notice.value = message
    timer = setTimeout(dismiss, durationMs)
  }

  onBeforeUnmount(dismiss)

  return { notice, show, dismiss }
}
