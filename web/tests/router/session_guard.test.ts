import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { listSessions } from '@/api/users'
import { routes } from '@/router'
import { installSessionGuard } from '@/router/session_guard'
import { SESSION_HINT_KEY, useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse, unauthorized } from '../support/fake_api'

function setup() {
  const session = useSessionStore()
  const router = createRouter({ history: createMemoryHistory(), routes })
  installSessionGuard(router, session)
  return { session, router }
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('session guard', () => {
  it('holds the first navigation until the session is restored', async () => {
    localStorage.setItem(SESSION_HINT_KEY, '1')
    let answerRefresh: (response: Response) => void = () => {}
    installFakeApi({
      'POST /auth/refresh': () => new Promise<Response>((resolve) => (answerRefresh = resolve)),
      'GET /users/@me': jsonResponse(200, ADA),
    })
    const { session, router } = setup()

    const navigation = router.push('/app')
    await flushPromises()
    expect(session.status).toBe('restoring')
    expect(router.currentRoute.value.name).toBeUndefined()

    answerRefresh(jsonResponse(200, { token: 'restored' }))
    await navigation
    expect(router.currentRoute.value.name).toBe('app')
    expect(session.user?.username).toBe('ada')
  })

  it('sends a signed-in user away from the sign-in pages, to a safe redirect', async () => {
    installFakeApi({ 'GET /users/@me': jsonResponse(200, ADA) })
    const { session, router } = setup()
    await session.signIn('token')

    await router.push('/login')
    expect(router.currentRoute.value.fullPath).toBe('/app')
    await router.push('/register?redirect=/app/1/2')
    expect(router.currentRoute.value.fullPath).toBe('/app/1/2')
    await router.push('/login?redirect=//evil.example')
    expect(router.currentRoute.value.fullPath).toBe('/app')
  })

  it('goes to /login, remembering the page, when the session cannot be refreshed', async () => {
    installFakeApi({
      'GET /users/@me': jsonResponse(200, ADA),
      'GET /users/@me/sessions': unauthorized(),
      'POST /auth/refresh': unauthorized(),
    })
    const { session, router } = setup()
    await router.push('/app/5/6')
    await session.signIn('token')

    await listSessions().catch(() => undefined)
    await flushPromises()

    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/app/5/6')
  })

  it('stays put on a deliberate log out (the view navigates)', async () => {
    installFakeApi({ 'GET /users/@me': jsonResponse(200, ADA), 'POST /auth/logout': jsonResponse(204) })
    const { session, router } = setup()
    await router.push('/app')
    await session.signIn('token')
    await session.logOut()
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('app')
  })
})
