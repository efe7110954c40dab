// Ties navigation to the session: the first navigation waits for the silent restore (so a
// signed-in reload never flashes the login page), signed-in users skip the sign-in pages, and a
// session that can no longer be refreshed sends the user to sign in, coming back afterwards.
import { watch } from 'vue'
import type { Router } from 'vue-router'
import type { useSessionStore } from '@/stores/session'
import { safeRedirectPath } from './redirect'

type SessionStore = ReturnType<typeof useSessionStore>

const SIGN_IN_ROUTES = new Set(['login', 'register'])

export function installSessionGuard(router: Router, session: SessionStore): void {
  router.beforeEach(async (to) => {
    await session.restore()
    if (session.isSignedIn && typeof to.name === 'string' && SIGN_IN_ROUTES.has(to.name)) {
      return safeRedirectPath(to.query.redirect) ?? { name: 'app' }
    }
    return true
  })

  watch(
    () => session.signOutReason,
    (reason) => {
      if (reason !== 'expired') return
      const current = router.currentRoute.value
      if (typeof current.name === 'string' && SIGN_IN_ROUTES.has(current.name)) return
      void router.push({ name: 'login', query: { redirect: current.fullPath } })
    },
  )
}
