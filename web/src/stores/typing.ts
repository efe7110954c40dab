// Who is typing where (TYPING_START): each typer shows for 10 s after their last event, or until
// their message arrives. The user's own typing is never shown to them.
import { defineStore } from 'pinia'
import { ref } from 'vue'

/** How long a TYPING_START shows, as Discord's clients do. */
export const TYPING_SHOW_MS = 10_000

export interface Typer {
  userId: string
  /** The name the event's `member` gives (nickname), if any. */
  nick: string | null
  /** The event's user (TYPING_START in a DM carries no member). */
  displayName: string | null
  since: number
}

export interface TypingStartEvent {
  channel_id: string
  guild_id?: string
  user_id: string
  timestamp?: number
  member?: { nick?: string | null; user?: { id: string; username?: string; global_name?: string | null } }
}

export const useTypingStore = defineStore('typing', () => {
  /** channel id → user id → typer. */
  const typing = ref<Record<string, Record<string, Typer>>>({})
  const timers = new Map<string, ReturnType<typeof setTimeout>>()

  function timerKey(channelId: string, userId: string): string {
    return `${channelId}/${userId}`
  }

  function stop(channelId: string, userId: string): void {
    const key = timerKey(channelId, userId)
    const timer = timers.get(key)
    if (timer !== undefined) clearTimeout(timer)
    timers.delete(key)
    const channel = typing.value[channelId]
    if (!channel?.[userId]) return
    const { [userId]: _gone, ...rest } = channel
    if (Object.keys(rest).length === 0) {
      const { [channelId]: _channel, ...others } = typing.value
      typing.value = others
    } else {
      typing.value = { ...typing.value, [channelId]: rest }
    }
  }

  function applyTypingStart(event: TypingStartEvent, myId: string | null, now: number = Date.now()): void {
    if (event.user_id === myId) return
    const key = timerKey(event.channel_id, event.user_id)
    const timer = timers.get(key)
    if (timer !== undefined) clearTimeout(timer)
    const user = event.member?.user
    const typer: Typer = {
      userId: event.user_id,
      nick: event.member?.nick ?? null,
      displayName: user ? user.global_name || user.username || null : null,
      since: now,
    }
    typing.value = { ...typing.value, [event.channel_id]: { ...(typing.value[event.channel_id] ?? {}), [event.user_id]: typer } }
    timers.set(key, setTimeout(() => stop(event.channel_id, event.user_id), TYPING_SHOW_MS))
  }

  /** Typers of a channel, the longest typing first. */
  function typersOf(channelId: string): Typer[] {
    return Object.values(typing.value[channelId] ?? {}).sort((a, b) => a.since - b.since)
  }

  function reset(): void {
    for (const timer of timers.values()) clearTimeout(timer)
    timers.clear()
    typing.value = {}
  }

  return { typing, applyTypingStart, stop, typersOf, reset }
})

/** "Ada is typing…", "Ada and Bob are typing…", "Ada, Bob and Cy are typing…", "Several people are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`
  return 'Several people are typing…'
}
