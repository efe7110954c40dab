// Presence: who is online (READY's `presences`, PRESENCE_UPDATE), and the user's own status: the
// choice (online, idle, do not disturb, invisible) and a custom status text, kept in localStorage
// and sent as gateway op 3 after each READY. Ten minutes without input report the user idle (only
// from "online", as Discord does); the next input brings the chosen status back.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  CUSTOM_STATUS_MAX_LENGTH,
  IDLE_AFTER_MS,
  customStatusOf,
  isPresenceStatus,
  isUserStatus,
  ownDotStatus,
  presencePayload,
  type Activity,
  type PresencePayload,
  type PresenceStatus,
  type UserStatus,
} from '@/models/presence'
import { useSessionStore } from './session'

export const PRESENCE_STORAGE_KEY = 'hearth.presence'

interface StoredPresence {
  status: UserStatus
  customStatus: string | null
}

interface KnownPresence {
  status: PresenceStatus
  activities: Activity[]
}

function readStored(): StoredPresence {
  try {
    const value = JSON.parse(localStorage.getItem(PRESENCE_STORAGE_KEY) ?? 'null') as Partial<StoredPresence> | null
    return {
      status: isUserStatus(value?.status) ? value.status : 'online',
      customStatus: typeof value?.customStatus === 'string' && value.customStatus.trim() !== '' ? value.customStatus : null,
    }
  } catch {
    return { status: 'online', customStatus: null }
  }
}

function writeStored(value: StoredPresence): void {
  try {
    localStorage.setItem(PRESENCE_STORAGE_KEY, JSON.stringify(value))
  } catch {
    // Storage unavailable: the choice lasts for this visit.
  }
}

/** Sends op 3; false when no connection is ready to carry it. */
export type PresenceSender = (payload: PresencePayload) => boolean

export const usePresenceStore = defineStore('presence', () => {
  const session = useSessionStore()
  const stored = readStored()

  /** Other users' presences; offline users are left out. */
  const presences = ref<Record<string, KnownPresence>>({})
  const chosenStatus = ref<UserStatus>(stored.status)
  const customStatus = ref<string | null>(stored.customStatus)
  /** When input stopped, while the client reports the user idle on its own; null otherwise. */
  const idleSince = ref<number | null>(null)
  /** The tab is hidden (document.visibilityState): reported as afk, so pushes are sent. */
  const hidden = ref(typeof document !== 'undefined' && document.visibilityState === 'hidden')
  /** READY arrived on the current connection, so op 3 may be sent. */
  const ready = ref(false)

  let sender: PresenceSender | null = null
  let tracking = false
  let idleTimer: ReturnType<typeof setTimeout> | null = null
  let lastInputAt = Date.now()

  /** What the others see of the user (auto-idle included); invisible stays "invisible" here. */
  const effectiveStatus = computed<UserStatus>(() => presencePayload(chosenStatus.value, null, idleSince.value).status)
  /** The user's own dot. */
  const ownStatus = computed<PresenceStatus>(() => ownDotStatus(effectiveStatus.value))

  function statusOf(userId: string | null | undefined): PresenceStatus {
    if (!userId) return 'offline'
    if (userId === session.user?.id) return ownStatus.value
    return presences.value[userId]?.status ?? 'offline'
  }

  function customStatusOfUser(userId: string | null | undefined): string | null {
    if (!userId) return null
    if (userId === session.user?.id) return customStatus.value
    return customStatusOf(presences.value[userId]?.activities)
  }

  function isOnline(userId: string | null | undefined): boolean {
    return statusOf(userId) !== 'offline'
  }

  // --- events ----------------------------------------------------------------------------

  function parse(value: unknown): { userId: string; presence: KnownPresence } | null {
    const update = value as { user?: { id?: unknown }; status?: unknown; activities?: unknown } | null
    const userId = update?.user?.id
    if (typeof userId !== 'string' || !isPresenceStatus(update?.status)) return null
    const activities = Array.isArray(update.activities) ? (update.activities as Activity[]) : []
    return { userId, presence: { status: update.status, activities } }
  }

  function applyReady(list: readonly unknown[]): void {
    const next: Record<string, KnownPresence> = {}
    for (const item of list) {
      const parsed = parse(item)
      if (parsed && parsed.presence.status !== 'offline') next[parsed.userId] = parsed.presence
    }
    presences.value = next
  }

  /** PRESENCE_UPDATE (the user's own come from this client's choice and are not echoed back). */
  function applyUpdate(update: unknown): void {
    const parsed = parse(update)
    if (!parsed || parsed.userId === session.user?.id) return
    if (parsed.presence.status === 'offline') {
      if (!presences.value[parsed.userId]) return
      const { [parsed.userId]: _gone, ...rest } = presences.value
      presences.value = rest
    } else {
      presences.value = { ...presences.value, [parsed.userId]: parsed.presence }
    }
  }

  // --- the user's own status -------------------------------------------------------------

  function payload(): PresencePayload {
    return presencePayload(chosenStatus.value, customStatus.value, idleSince.value, hidden.value)
  }

  function send(): void {
    if (ready.value && sender) sender(payload())
  }

  /** How op 3 leaves (the gateway connection); null detaches. */
  function attachSender(next: PresenceSender | null): void {
    sender = next
  }

  /** READY on a new connection: the server learns the user's status. */
  function onReady(): void {
    ready.value = true
    send()
  }

  function onDisconnected(): void {
    ready.value = false
  }

  function setStatus(status: UserStatus): void {
    chosenStatus.value = status
    writeStored({ status, customStatus: customStatus.value })
    send()
  }

  /** Sets the custom status text; empty or null clears it. */
  function setCustomStatus(text: string | null): void {
    const trimmed = text?.trim().slice(0, CUSTOM_STATUS_MAX_LENGTH) ?? ''
    customStatus.value = trimmed === '' ? null : trimmed
    writeStored({ status: chosenStatus.value, customStatus: customStatus.value })
    send()
  }

  function scheduleIdleCheck(delay: number): void {
    if (idleTimer !== null) clearTimeout(idleTimer)
    idleTimer = setTimeout(checkIdle, Math.max(0, delay))
  }

  function checkIdle(): void {
    idleTimer = null
    const quietFor = Date.now() - lastInputAt
    if (quietFor < IDLE_AFTER_MS) {
      scheduleIdleCheck(IDLE_AFTER_MS - quietFor)
      return
    }
    if (idleSince.value !== null) return
    idleSince.value = lastInputAt
    // Only "online" turns idle; the others are sent as they are, so nothing changes for them.
    if (chosenStatus.value === 'online') send()
  }

  /** The tab was hidden or shown again: afk follows, so the server knows where to notify. */
  function setHidden(value: boolean): void {
    if (hidden.value === value) return
    hidden.value = value
    send()
  }

  const onVisibilityChange = () => setHidden(document.visibilityState === 'hidden')

  /** Starts watching for inactivity (the shell calls noteActivity on input) and tab visibility. */
  function startIdleTracking(): void {
    if (!tracking) document.addEventListener('visibilitychange', onVisibilityChange)
    hidden.value = document.visibilityState === 'hidden'
    tracking = true
    lastInputAt = Date.now()
    scheduleIdleCheck(IDLE_AFTER_MS)
  }

  function stopIdleTracking(): void {
    if (tracking) document.removeEventListener('visibilitychange', onVisibilityChange)
    tracking = false
    if (idleTimer !== null) clearTimeout(idleTimer)
    idleTimer = null
  }

  /** Input (pointer, keys, focus): the user is back if they were idle. */
  function noteActivity(): void {
    lastInputAt = Date.now()
    if (idleSince.value !== null) {
      const wasAutoIdle = chosenStatus.value === 'online'
      idleSince.value = null
      if (wasAutoIdle) send()
    }
    if (tracking && idleTimer === null) scheduleIdleCheck(IDLE_AFTER_MS)
  }

  /** Signed out: other people's presences go; the user's choice stays with the browser. */
  function reset(): void {
    presences.value = {}
    ready.value = false
    idleSince.value = null
  }

  return {
    presences,
    chosenStatus,
    customStatus,
    idleSince,
    hidden,
    ready,
    effectiveStatus,
    ownStatus,
    statusOf,
    customStatusOf: customStatusOfUser,
    isOnline,
    applyReady,
    applyUpdate,
    payload,
    attachSender,
    setHidden,
    onReady,
    onDisconnected,
    setStatus,
    setCustomStatus,
    startIdleTracking,
    stopIdleTracking,
    noteActivity,
    reset,
  }
})
