// Choosing, previewing and uploading an avatar: the file is checked here first (type and
// 8 MiB), read as a data URI for both the preview and PATCH /users/@me `{avatar}`.
import { computed, ref, watch } from 'vue'
import type { ApiError} from '@/api/client';
import { api, type ApiClient } from '@/api/client'
import { updateCurrentUser } from '@/api/users'
import { checkAvatarFile, readAsDataUri } from '@/models/avatar'
import { useSessionStore } from '@/stores/session'
import { asApiError } from './useServerForm'

export type AvatarUploadStatus = 'idle' | 'reading' | 'saving' | 'done' | 'error'

export function useAvatarUpload(open: () => boolean, client: ApiClient = api) {
  const session = useSessionStore()
  /** The chosen image as a data URI, ready to preview and send. */
  const dataUri = ref<string | null>(null)
  const fileName = ref<string | null>(null)
  /** Why the chosen file cannot be used (type, size) or why the server refused it. */
  const fileError = ref<string | null>(null)
  const status = ref<AvatarUploadStatus>('idle')
  const error = ref<ApiError | null>(null)
  /** What the last successful request did. */
  const lastAction = ref<'uploaded' | 'removed' | null>(null)

  function reset(): void {
    dataUri.value = null
    fileName.value = null
    fileError.value = null
    status.value = 'idle'
    error.value = null
    lastAction.value = null
  }

  watch(open, (isOpen) => isOpen && reset(), { immediate: true })

  async function choose(file: File | null | undefined): Promise<void> {
    if (!file) return
    error.value = null
    const problem = checkAvatarFile(file)
    if (problem !== null) {
      fileError.value = problem
      status.value = 'idle'
      return
    }
    fileError.value = null
    status.value = 'reading'
    try {
      dataUri.value = await readAsDataUri(file)
      fileName.value = file.name
      status.value = 'idle'
    } catch {
      fileError.value = 'That file could not be read.'
      status.value = 'idle'
    }
  }

  async function send(avatar: string | null): Promise<boolean> {
    if (status.value === 'saving' || status.value === 'reading') return false
    status.value = 'saving'
    error.value = null
    try {
      session.user = await updateCurrentUser({ avatar }, client)
      status.value = 'done'
      lastAction.value = avatar === null ? 'removed' : 'uploaded'
      return true
    } catch (caught) {
      error.value = asApiError(caught)
      // The server's reason about the image itself goes under the picker.
      const avatarMessage = error.value.fieldErrors.avatar?.[0]
      if (avatarMessage !== undefined) fileError.value = avatarMessage
      status.value = 'error'
      return false
    }
  }

  /** Uploads the chosen image; without one, asks for one. */
  async function save(): Promise<boolean> {
    if (dataUri.value === null) {
      fileError.value ??= 'Choose an image first.'
      return false
    }
    return send(dataUri.value)
  }

  const remove = () => send(null)

  const bannerError = computed(() =>
    status.value === 'error' && error.value !== null && error.value.fieldErrors.avatar === undefined ? error.value.message : null,
  )

  return {
    dataUri,
    fileName,
    fileError,
    status,
    bannerError,
    lastAction,
    isSaving: computed(() => status.value === 'saving'),
    choose,
    save,
    remove,
    reset,
  }
}
