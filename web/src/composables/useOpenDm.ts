// "Message" anywhere (a friend, a profile): opens the DM with the user (creating it on the server
// the first time) and goes there.
import { ref } from 'vue'
import { useRouter } from 'vue-router'
import { ApiError } from '@/api/client'
import { useDmsStore } from '@/stores/dms'

/** Discord's code for "Cannot send messages to this user". */
export const CANNOT_MESSAGE_USER = 50007

export function openDmErrorText(error: unknown): string {
  if (error instanceof ApiError && error.code === CANNOT_MESSAGE_USER) return 'You cannot send messages to this user.'
  if (error instanceof ApiError) return error.message
  return 'Something went wrong. Please try again.'
}

export function useOpenDm() {
  const router = useRouter()
  const dms = useDmsStore()
  const opening = ref<string | null>(null)
  const error = ref<string | null>(null)

  async function openDm(userId: string): Promise<boolean> {
    if (opening.value !== null) return false
    opening.value = userId
    error.value = null
    try {
      const channel = await dms.openWith(userId)
      await router.push({ name: 'dm', params: { channelId: channel.id } })
      return true
    } catch (caught) {
      error.value = openDmErrorText(caught)
      return false
    } finally {
      opening.value = null
    }
  }

  async function openChannel(userIds: readonly string[]): Promise<boolean> {
    error.value = null
    try {
      const channel = await dms.create(userIds)
      await router.push({ name: 'dm', params: { channelId: channel.id } })
      return true
    } catch (caught) {
      error.value = openDmErrorText(caught)
      return false
    }
  }

  return { opening, error, openDm, openChannel }
}
