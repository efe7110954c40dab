// The signed-in user's sessions, with optimistic revoke: the row goes at once and comes back, in
// its old place, if the server says no.
import { computed, ref } from 'vue'
import { api, ApiError, type ApiClient } from '@/api/client'
import { listSessions, revokeSession, type UserSession } from '@/api/users'
import type { AsyncStatus } from './useAsyncAction'

export type RevokeOutcome = 'revoked' | 'revoked-current' | 'failed'

/** This device first, then the most recently used. */
function sortSessions(sessions: UserSession[]): UserSession[] {
  return [...sessions].sort((a, b) => {
    if (a.current !== b.current) return a.current ? -1 : 1
    return Date.parse(b.last_used_at) - Date.parse(a.last_used_at)
  })
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

export function useSessions(client: ApiClient = api) {
  const sessions = ref<UserSession[]>([])
  const status = ref<AsyncStatus>('idle')
  const loadError = ref<ApiError | null>(null)
  /** Why the last revoke was undone; cleared by the next revoke or dismiss(). */
  const revokeError = ref<string | null>(null)

  const currentSession = computed(() => sessions.value.find((session) => session.current) ?? null)
  const otherSessions = computed(() => sessions.value.filter((session) => !session.current))

  async function load(): Promise<void> {
    status.value = 'loading'
    loadError.value = null
    try {
      sessions.value = sortSessions(await listSessions(client))
      status.value = 'done'
    } catch (error) {
      loadError.value = asApiError(error)
      status.value = 'error'
    }
  }

  async function revoke(sessionId: string): Promise<RevokeOutcome> {
    const index = sessions.value.findIndex((session) => session.id === sessionId)
    const removed = sessions.value[index]
    if (removed === undefined) return 'failed'
    sessions.value.splice(index, 1)
    revokeError.value = null
    try {
      await revokeSession(sessionId, client)
    } catch (caught) {
      const error = asApiError(caught)
      // Already gone on the server: the removal was right after all.
      if (error.status === 404) return removed.current ? 'revoked-current' : 'revoked'
      if (!sessions.value.some((session) => session.id === sessionId)) {
        sessions.value.splice(Math.min(index, sessions.value.length), 0, removed)
      }
      revokeError.value = `Could not revoke that session. ${error.message}`
      return 'failed'
    }
    return removed.current ? 'revoked-current' : 'revoked'
  }

  function dismissRevokeError(): void {
    revokeError.value = null
  }

  return { sessions, status, loadError, revokeError, currentSession, otherSessions, load, revoke, dismissRevokeError }
}
