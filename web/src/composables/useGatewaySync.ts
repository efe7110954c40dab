// Keeps the store live: the gateway identifies as the signed-in account (and again when that
// changes), and its DISPATCH events go through the guild dispatcher. A server taken away while
// open sends the user home with a notice.
import { onBeforeUnmount, watch, type Ref } from 'vue'
import { useRouter } from 'vue-router'
import { createGuildDispatcher } from '@/gateway/dispatcher'
import { accessTokenClaims } from '@/models/access_token'
import { useGuildsStore } from '@/stores/guilds'
import { usePresenceStore } from '@/stores/presence'
import { useSessionStore } from '@/stores/session'
import { useGateway } from './useGateway'
import { useNotificationSync } from './useNotificationSync'
import { useSocialSync } from './useSocialSync'
import { useTimedNotice } from './useTimedNotice'

export const ACCESS_NOTICE_MS = 8000
/** A token with less than this left is refreshed before the gateway signs in with it. */
const TOKEN_MARGIN_MS = 60_000
const REFRESH_WAIT_MS = 10_000

export { accessTokenClaims } from '@/models/access_token'

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

  gateway.setAuth({
    identify: () => {
      const token = session.token
      identifiedAs = token ? (session.user?.id ?? '') : null
      if (!token) return null
      // The chosen status goes with IDENTIFY, so an invisible user never shows online for a moment.
      const presence = usePresenceStore().payload()
      return { token, properties: { os: 'browser', browser: 'hearth-web', device: 'hearth-web' }, presence }
    },
    // A session is resumed only with a token of the sign-in that identified it (a refreshed
    // token keeps its `sid`); after a logout or another sign-in it is never resumed.
    credentials: () => {
      const token = session.token
      return token ? { token, owner: accessTokenClaims(token)?.sid ?? token } : null
    },
    // The access token lives 15 minutes: one about to expire is refreshed before RESUME or
    // IDENTIFY would be refused with it, and after a 4004 the next attempt gets a new one.
    prepare: async ({ authFailed }) => {
      const token = session.token
      if (!token) return
      const expiresAt = accessTokenClaims(token)?.exp
      const stale = typeof expiresAt === 'number' && expiresAt * 1000 - Date.now() < TOKEN_MARGIN_MS
      if (!authFailed && !stale) return
      // A refresh that hangs must not hold the reconnect for ever.
      await Promise.race([session.refresh(), new Promise((resolve) => setTimeout(resolve, REFRESH_WAIT_MS))])
    },
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
  useNotificationSync()

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
