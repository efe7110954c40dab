// Tells the channel the user is typing: POST /channels/{id}/typing at most once per 8 s while they
// type (Discord's clients show it for 10 s), and again at once after they send. A server without
// the route (404 90001) is not asked again this visit.
import { ApiError } from '@/api/client'
import { sendTyping, UNKNOWN_ROUTE_CODE } from '@/api/messages'

export const TYPING_INTERVAL_MS = 8000

let unsupported = false

export function useTypingSender(channelId: () => string | null, now: () => number = Date.now) {
  let lastSent = Number.NEGATIVE_INFINITY

  function typed(): void {
    const channel = channelId()
    if (channel === null || unsupported) return
    const time = now()
    if (time - lastSent < TYPING_INTERVAL_MS) return
    lastSent = time
    sendTyping(channel).catch((error: unknown) => {
      if (error instanceof ApiError && error.code === UNKNOWN_ROUTE_CODE) unsupported = true
    })
  }

  /** The message went: the server ends the typing, so the next keystroke may tell again. */
  function sent(): void {
    lastSent = Number.NEGATIVE_INFINITY
  }

  return { typed, sent }
}

/** For tests. */
export function resetTypingSupportForTests(): void {
  unsupported = false
}
