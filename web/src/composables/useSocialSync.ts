// The shell's part in friends, DMs, presence and read states: the gateway's events go to their
// stores (beside the guild dispatcher), the user's status is sent after READY and goes idle after
// ten minutes without input, the channel on screen and the window's focus decide which mentions
// count, the document title carries the mention count, and signing out clears it all.
import { onBeforeUnmount, watch } from 'vue'
import { useRoute } from 'vue-router'
import { createSocialDispatcher } from '@/gateway/social_dispatcher'
import { GatewayOp } from '@/gateway/protocol'
import { setTitleMentions } from '@/router/title'
import { useDmsStore } from '@/stores/dms'
import { useGuildsStore } from '@/stores/guilds'
import { usePresenceStore } from '@/stores/presence'
import { useReadStatesStore } from '@/stores/read_states'
import { useRelationshipsStore } from '@/stores/relationships'
import { useSessionStore } from '@/stores/session'
import { useGateway } from './useGateway'

/** Input events that mean the user is there; one note per this many ms is plenty. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const
const ACTIVITY_THROTTLE_MS = 5000

export function useSocialSync() {
  const route = useRoute()
  const session = useSessionStore()
  const guilds = useGuildsStore()
  const relationships = useRelationshipsStore()
  const dms = useDmsStore()
  const presence = usePresenceStore()
  const readStates = useReadStatesStore()
  const gateway = useGateway()

  const dispatcher = createSocialDispatcher({
    relationships,
    dms,
    presence,
    readStates,
    currentUserId: () => session.user?.id ?? null,
    myRoleIds: (guildId) => guilds.memberOf(guildId, session.user?.id)?.roles ?? [],
  })
  const unsubscribe = gateway.onDispatch((frame) => dispatcher.handle(frame))

  presence.attachSender((payload) => gateway.send(GatewayOp.PresenceUpdate, payload))
  // op 3 waits for READY or RESUMED (both call presence.onReady through the dispatcher).
  const stopState = watch(
    () => gateway.connectionState.value,
    (state) => {
      if (state !== 'ready') presence.onDisconnected()
    },
  )

  // Another account, or none: nothing of the last one stays.
  const stopAccount = watch(
    () => session.user?.id ?? null,
    (now, before) => {
      if (before !== null && now !== before) {
        relationships.reset()
        dms.reset()
        presence.reset()
        readStates.reset()
      }
    },
  )

  // A server's channels as loaded (and refetched after a change of roles or overwrites) are the
  // ones whose unread state counts.
  const stopChannels = watch(
    () => guilds.details,
    (details) => {
      for (const [guildId, loaded] of Object.entries(details)) {
        if (loaded.status === 'done') readStates.trackGuildChannels(guildId, loaded.channels)
      }
    },
  )

  const stopActive = watch(
    () => (typeof route.params.channelId === 'string' ? route.params.channelId : null),
    (channelId) => readStates.setActiveChannel(channelId),
    { immediate: true },
  )

  const stopTitle = watch(() => readStates.totalMentions, (count) => setTitleMentions(count), { immediate: true })

  let lastNote = 0
  function onActivity(): void {
    const now = Date.now()
    if (now - lastNote < ACTIVITY_THROTTLE_MS && presence.idleSince === null) return
    lastNote = now
    presence.noteActivity()
  }

  function onFocusChange(): void {
    readStates.setWindowFocused(document.visibilityState !== 'hidden' && document.hasFocus())
  }

  for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { passive: true, capture: true })
  window.addEventListener('focus', onFocusChange)
  window.addEventListener('blur', onFocusChange)
  document.addEventListener('visibilitychange', onFocusChange)
  presence.startIdleTracking()

  onBeforeUnmount(() => {
    unsubscribe()
    presence.attachSender(null)
    presence.stopIdleTracking()
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true })
    window.removeEventListener('focus', onFocusChange)
    window.removeEventListener('blur', onFocusChange)
    document.removeEventListener('visibilitychange', onFocusChange)
    setTitleMentions(0)
    stopState()
    stopAccount()
    stopChannels()
    stopActive()
    stopTitle()
  })
}
