// Copy to the clipboard with a short "Copied" state. Falls back to a hidden textarea where the
// async clipboard is missing or refused (older browsers, non-secure origins over plain HTTP).
import { onBeforeUnmount, ref } from 'vue'

export const COPIED_DURATION_MS = 2000

function legacyCopy(text: string): boolean {
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.className = 'visually-hidden'
  document.body.append(area)
  area.select()
  let copied = false
  try {
    copied = document.execCommand('copy')
  } catch {
    copied = false
  }
  area.remove()
  return copied
}

export function useClipboard(durationMs: number = COPIED_DURATION_MS) {
  /** The key of what was copied last, while its "Copied" shows; null otherwise. */
  const copied = ref<string | null>(null)
  const failed = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null

  async function copy(text: string, key = 'default'): Promise<boolean> {
    let ok = false
    try {
      await navigator.clipboard.writeText(text)
      ok = true
    } catch {
      ok = legacyCopy(text)
    }
    failed.value = !ok
    if (timer !== null) clearTimeout(timer)
    copied.value = ok ? key : null
    if (ok) timer = setTimeout(() => (copied.value = null), durationMs)
    return ok
  }

  onBeforeUnmount(() => {
    if (timer !== null) clearTimeout(timer)
  })

  return { copied, failed, copy }
}

/** Offers `text` as a file download (the recovery codes' .txt). */
export function downloadText(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
