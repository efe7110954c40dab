import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getCurrentUser, listSessions } from '@/api/users'
import { SESSION_HINT_KEY, useSessionStore } from '@/stores/session'
import { ADA, installFakeApi, jsonResponse, unauthorized } from '../support/fake_api'

beforeEach(() => {
  localStorage.clear()
  sessionStorage.clear()
  setActivePinia(createPinia())
})

afterEach(() => {
  vi.unstubAllGlobals()
})

/** Everything the page could persist, as one string to search for a secret. */
function persistedState(): string {
  return JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie
}

describe('session store', () => {
  it('keeps the token in memory only and sends it as a bearer token', async () => {
    const api = installFakeApi({ 'GET /users/@me': jsonResponse(200, ADA) })
    const session = useSessionStore()

    await session.signIn('secret-access-token')

    expect(session.isSignedIn).toBe(true)
    expect(session.token).toBe('secret-access-token')
    expect(session.displayName).toBe('Ada Lovelace')
    expect(api.calls('GET /users/@me')[0]?.authorization).toBe('Bearer secret-access-token')
    expect(persistedState()).not.toContain('secret-access-token')
    // Only a "there may be a session" flag survives a reload; the token comes back via the cookie.
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBe('1')
  })

  it('has no token after a reload, whatever was stored before', async () => {
    installFakeApi({ 'GET /users/@me': jsonResponse(200, ADA) })
    await useSessionStore().signIn('secret-access-token')

    setActivePinia(createPinia())
    const reloaded = useSessionStore()
    expect(reloaded.token).toBeNull()
    expect(reloaded.isSignedIn).toBe(false)
  })

  it('falls back to the username when there is no display name', async () => {
    installFakeApi({ 'GET /users/@me': jsonResponse(200, { ...ADA, global_name: null }) })
    const session = useSessionStore()
    await session.signIn('t')
    expect(session.displayName).toBe('ada')
  })

  it('restores a session from the refresh cookie on start-up', async () => {
    localStorage.setItem(SESSION_HINT_KEY, '1')
    const api = installFakeApi({
      'POST /auth/refresh': jsonResponse(200, { token: 'restored', user_id: ADA.id }),
      'GET /users/@me': jsonResponse(200, ADA),
    })
    const session = useSessionStore()

    const restoring = session.restore()
    expect(session.status).toBe('restoring')
    await restoring

    expect(session.status).toBe('signed-in')
    expect(session.token).toBe('restored')
    expect(session.user?.username).toBe('ada')
    expect(api.calls('GET /users/@me')[0]?.authorization).toBe('Bearer restored')
    // Restoring twice (guard and a second navigation) refreshes once.
    await session.restore()
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
  })

  it('does not ask the server when this browser never signed in', async () => {
    const api = installFakeApi({})
    const session = useSessionStore()
    await session.restore()
    expect(api.fetch).not.toHaveBeenCalled()
    expect(session.status).toBe('signed-out')
  })

  it('starts signed out, and forgets the hint, when the cookie is no longer valid', async () => {
    localStorage.setItem(SESSION_HINT_KEY, '1')
    installFakeApi({ 'POST /auth/refresh': unauthorized() })
    const session = useSessionStore()
    await session.restore()
    expect(session.status).toBe('signed-out')
    expect(session.signOutReason).toBeNull()
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
  })

  it('refreshes an expired token and retries the request', async () => {
    const api = installFakeApi({
      'GET /users/@me': (request) =>
        request.authorization === 'Bearer fresh' ? jsonResponse(200, ADA) : unauthorized(),
      'POST /auth/refresh': jsonResponse(200, { token: 'fresh' }),
    })
    const session = useSessionStore()
    session.token = 'expired'

    await expect(getCurrentUser()).resolves.toMatchObject({ username: 'ada' })
    expect(session.token).toBe('fresh')
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    expect(api.calls('GET /users/@me').map((request) => request.authorization)).toEqual(['Bearer expired', 'Bearer fresh'])
  })

  it('renews the token a minute before it expires, so the media cookie never lapses while the app is open', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    vi.setSystemTime(new Date('2026-11-25T03:00:00Z'))
    const jwt = (exp: number) => `h.${btoa(JSON.stringify({ sid: '1', exp })).replace(/=+$/, '')}.s`
    const now = Date.now() / 1000
    const second = jwt(now + 1800)
    const api = installFakeApi({ 'POST /auth/refresh': jsonResponse(200, { token: second }) })
    const session = useSessionStore()
    await session.signIn(jwt(now + 900)).catch(() => undefined)
    await vi.advanceTimersByTimeAsync(839_000)
    expect(api.calls('POST /auth/refresh')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    expect(session.token).toBe(second)
    // Signed out: nothing more is renewed.
    session.token = null
    await vi.advanceTimersByTimeAsync(3600_000)
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    vi.useRealTimers()
  })

  it('signs out when the refresh fails, and says the session expired', async () => {
    const api = installFakeApi({
      'GET /users/@me': jsonResponse(200, ADA),
      'GET /users/@me/sessions': unauthorized(),
      'POST /auth/refresh': unauthorized(),
    })
    const session = useSessionStore()
    await session.signIn('expired')

    await expect(listSessions()).rejects.toMatchObject({ status: 401 })

    expect(session.isSignedIn).toBe(false)
    expect(session.token).toBeNull()
    expect(session.user).toBeNull()
    expect(session.status).toBe('signed-out')
    expect(session.signOutReason).toBe('expired')
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
    // Refreshed once, not retried.
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    expect(api.calls('GET /users/@me/sessions')).toHaveLength(1)
  })

  it('shares one refresh between requests that fail together (the cookie rotates on every refresh)', async () => {
    let answerRefresh: (response: Response) => void = () => {}
    const api = installFakeApi({
      'GET /users/@me': (request) => (request.authorization === 'Bearer fresh' ? jsonResponse(200, ADA) : unauthorized()),
      'GET /users/@me/sessions': (request) =>
        request.authorization === 'Bearer fresh' ? jsonResponse(200, []) : unauthorized(),
      'POST /auth/refresh': () => new Promise<Response>((resolve) => (answerRefresh = resolve)),
    })
    const session = useSessionStore()
    session.token = 'expired'

    const both = Promise.all([getCurrentUser(), listSessions()])
    await vi.waitFor(() => expect(api.calls('POST /auth/refresh')).toHaveLength(1))
    answerRefresh(jsonResponse(200, { token: 'fresh' }))

    await expect(both).resolves.toEqual([ADA, []])
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
  })

  it('keeps the session through a network failure while refreshing', async () => {
    installFakeApi({
      'GET /users/@me': unauthorized(),
      'POST /auth/refresh': () => Promise.reject(new TypeError('Failed to fetch')),
    })
    const session = useSessionStore()
    session.token = 'expired'
    await expect(getCurrentUser()).rejects.toMatchObject({ status: 401 })
    expect(session.token).toBe('expired')
    expect(session.signOutReason).toBeNull()
  })

  it('keeps the session when the refresh is only rate limited', async () => {
    localStorage.setItem(SESSION_HINT_KEY, '1')
    installFakeApi({
      'GET /users/@me': unauthorized(),
      'POST /auth/refresh': jsonResponse(429, { message: 'You are being rate limited.', retry_after: 3, global: false }),
    })
    const session = useSessionStore()
    session.token = 'expired'
    await expect(getCurrentUser()).rejects.toMatchObject({ status: 401 })
    expect(session.token).toBe('expired')
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBe('1')
  })

  it('logs out on the server and forgets everything locally', async () => {
    const api = installFakeApi({
      'GET /users/@me': jsonResponse(200, ADA),
      'POST /auth/logout': jsonResponse(204),
    })
    const session = useSessionStore()
    await session.signIn('token')
    await session.logOut()
    expect(api.calls('POST /auth/logout')[0]?.authorization).toBe('Bearer token')
    expect(session.isSignedIn).toBe(false)
    expect(session.signOutReason).toBe('logged-out')
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
  })

  it('logs out locally even when the server cannot be reached', async () => {
    installFakeApi({
      'GET /users/@me': jsonResponse(200, ADA),
      'POST /auth/logout': () => Promise.reject(new TypeError('Failed to fetch')),
    })
    const session = useSessionStore()
    await session.signIn('token')
    await session.logOut()
    expect(session.isSignedIn).toBe(false)
  })
})
