import { nextTick, onBeforeUnmount, ref, watch } from 'vue'

/**
 * A header button's popover (pins, threads): open and close, a click outside or Escape closes it
 * (focus back on the button), and the panel takes focus when it opens. `onOpen` runs each time it
 * opens (load what it lists). Bind `root` to the wrapper, `panel` to the popover and
 * `onKeydown` on the wrapper.
 */
export function useHeaderPopover(onOpen: () => void) {
  const open = ref(false)
  const root = ref<HTMLElement | null>(null)
  const panel = ref<HTMLElement | null>(null)

  function toggle(): void {
    open.value = !open.value
  }

  function close(): void {
    open.value = false
  }

  function onPointerDown(event: PointerEvent): void {
    if (root.value && event.target instanceof Node && !root.value.contains(event.target)) close()
  }

  function onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && open.value) {
      event.stopPropagation()
      close()
      void nextTick(() => root.value?.querySelector<HTMLElement>('button')?.focus())
    }
  }

  watch(open, async (isOpen) => {
    if (isOpen) {
      onOpen()
      document.addEventListener('pointerdown', onPointerDown, true)
      await nextTick()
      panel.value?.focus()
    } else {
      document.removeEventListener('pointerdown', onPointerDown, true)
    }
  })

  onBeforeUnmount(() => document.removeEventListener('pointerdown', onPointerDown, true))

  return { open, root, panel, toggle, close, onKeydown }
}
