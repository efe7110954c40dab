// /oauth/done#status=...: where the server sends the browser back after a provider. Reads the
// outcome and carries it on: signed in (the response set a refresh cookie, so the same refresh a
// reload does), a two-factor step, a link added in settings, or an error for the login page.
import type { Router } from 'vue-router'
import { parseOAuthOutcome, type OAuthOutcome } from '@/models/fragment'
import { useAuthFlowStore } from '@/stores/auth_flow'
import { useSessionStore } from '@/stores/session'

export const SIGN_IN_LOST = 'Signing in did not finish. Please try again.'

export function useOAuthDone(router: Router) {
  const session = useSessionStore()
  const authFlow = useAuthFlowStore()

  async function toLogin(message: string): Promise<void> {
    authFlow.loginNotice = { kind: 'error', message }
    await router.replace({ name: 'login' })
  }

  /** Acts on the fragment and navigates away; resolves once the next page is on its way. */
  async function finish(hash: string): Promise<OAuthOutcome> {
    const outcome = parseOAuthOutcome(hash)
    switch (outcome.status) {
      case 'signed_in':
        if (await session.resumeFromCookie()) await router.replace({ name: 'app' })
        else await toLogin(SIGN_IN_LOST)
        break
      case 'mfa':
        authFlow.mfaTicket = outcome.ticket
        await router.replace({ name: 'login' })
        break
      case 'linked':
        // Linking starts from settings, signed in; a session lost on the way means signing in again.
        if (!session.isSignedIn) {
          authFlow.loginNotice = { kind: 'info', message: 'The account was linked. Sign in to see your connections.' }
          await router.replace({ name: 'login' })
          break
        }
        authFlow.settingsRequest = { section: 'connections', linkedProvider: outcome.provider }
        await router.replace({ name: 'app' })
        break
      case 'error':
        await toLogin(outcome.message)
        break
    }
    return outcome
  }

  return { finish }
}
