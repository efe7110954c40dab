// Choosing an image (a server icon) to send as a data URI: the file is checked first (PNG, JPEG,
// GIF or WebP up to 8 MiB, as for avatars) and read for both the preview and the request.
import { ref } from 'vue'
import { checkAvatarFile, readAsDataUri } from '@/models/avatar'

export function useImagePick() {
  /** The chosen image as a data URI. */
  const dataUri = ref<string | null>(null)
  const fileName = ref<string | null>(null)
  const fileError = ref<string | null>(null)
  const reading = ref(false)

  function reset(): void {
    dataUri.value = null
    fileName.value = null
    fileError.value = null
    reading.value = false
  }

  async function choose(file: File | null | undefined): Promise<void> {
    if (!file) return
    const problem = checkAvatarFile(file)
    if (problem !== null) {
      fileError.value = problem
      return
    }
    fileError.value = null
    reading.value = true
    try {
      dataUri.value = await readAsDataUri(file)
      fileName.value = file.name
    } catch {
      fileError.value = 'That file could not be read.'
    } finally {
      reading.value = false
    }
  }

  return { dataUri, fileName, fileError, reading, reset, choose }
}
