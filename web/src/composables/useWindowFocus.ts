// Whether the user can be looking at the page: the window has focus and the tab is visible.
import { onBeforeUnmount, ref } from 'vue'

export function useWindowFocus() {
  const read = () => document.visibilityState !== 'hidden' && document.hasFocus()
  const focused = ref(read())
  const update = () => {
    focused.value = read()
  }
  window.addEventListener('focus', update)
  window.addEventListener('blur', update)
  document.addEventListener('visibilitychange', update)
  onBeforeUnmount(() => {
    window.removeEventListener('focus', update)
    window.removeEventListener('blur', update)
    document.removeEventListener('visibilitychange', update)
  })
  return focused
}
