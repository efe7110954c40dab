// What the login and register views do once the server handed out a token: keep it, learn who
// we are, and go where the user was headed (a same-site `redirect`) or to the app.
import { ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { safeRedirectPath } from '@/router/redirect'
import { useSessionStore } from '@/stores/session'

export function useSignedIn() {
  const route = useRoute()
  const router = useRouter()
  const session = useSessionStore()
  const finishing = ref(false)

  async function onSignedIn(token: string): Promise<void> {
    finishing.value = true
    try {
      await session.signIn(token)
      await router.replace(safeRedirectPath(route.query.redirect) ?? { name: 'app' })
    } finally {
      finishing.value = false
    }
  }

  return { finishing, onSignedIn }
}
