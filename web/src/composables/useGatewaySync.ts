// Keeps the store live: the gateway identifies as the signed-in account (and again when that
// changes), and its DISPATCH events go through the guild dispatcher. A server taken away while
// open sends the user home with a notice.
import { onBeforeUnmount, watch, type Ref } from 'vue'
import { useRouter } from 'vue-router'
import { createGuildDispatcher } from '@/gateway/dispatcher'
import { useGuildsStore } from '@/stores/guilds'
import { usePresenceStore } from '@/stores/presence'
import { useSessionStore } from '@/stores/session'
import { useGateway } from './useGateway'
import { useSocialSync } from './useSocialSync'
import { useTimedNotice } from './useTimedNotice'

export const ACCESS_NOTICE_MS = 8000

/** Who the connection identified as: null signed out, '' signed in as a user not loaded yet. */
type AccountKey = string | null
let identifiedAs: AccountKey | undefined

/** Whether two keys can be the same account ('' is "signed in, not known yet"). */
function sameAccount(a: AccountKey | undefined, b: AccountKey): boolean {
  if (a === undefined) return true
  if (a === null || b === null) return a === b
  return a === b || a === '' || b === ''
}

export function useGatewaySync(openGuildId: Ref<string | null>) {
  const router = useRouter()
  const session = useSessionStore()
  const guilds = useGuildsStore()
  const gateway = useGateway()
  const { notice, show, dismiss } = useTimedNotice(ACCESS_NOTICE_MS)

  const accountKey = (): AccountKey => (session.isSignedIn ? (session.user?.id ?? '') : null)

  gateway.setIdentify(() => {
    const token = session.token
    identifiedAs = token ? (session.user?.id ?? '') : null
    if (!token) return null
    // The chosen status goes with IDENTIFY, so an invisible user never shows online for a moment.
    const presence = usePresenceStore().payload()
    return { token, properties: { os: 'browser', browser: 'hearth-web', device: 'hearth-web' }, presence }
  })

  const dispatcher = createGuildDispatcher({
    store: guilds,
    currentUserId: () => session.user?.id ?? null,
    openGuildId: () => openGuildId.value,
    onLostOpenGuild: (_guildId, name) => {
      show(`You no longer have access to ${name}`)
      void router.push({ name: 'app' })
    },
  })
  const unsubscribe = gateway.onDispatch((frame) => dispatcher.handle(frame))
  // Friends, DMs, presence and read states have their own dispatcher.
  useSocialSync()

  // Another account (or none): identify again so no event of the last one arrives.
  if (!sameAccount(identifiedAs, accountKey())) gateway.restart()
  watch(accountKey, (now, before) => {
    if (!sameAccount(before, now)) gateway.restart()
  })

  onBeforeUnmount(() => {
    unsubscribe()
    dispatcher.dispose()
  })

  return { notice, dismissNotice: dismiss }
}
