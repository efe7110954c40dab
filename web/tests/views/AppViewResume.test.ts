// The shell across a gateway drop: a resumed session brings the missed events and reloads
// nothing; a session the server no longer has (INVALID_SESSION) identifies again, and READY
// reloads the channel on screen.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { accessTokenClaims } from '@/composables/useGatewaySync'
import { useSessionStore } from '@/stores/session'
import { routes } from '@/router'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { GUILD_ID, guildRoutes } from '../support/guild_fixtures'
import { CHANNEL_ID, historyRoute, message } from '../support/message_fixtures'

const ROUTE = `GET /channels/${CHANNEL_ID}/messages`
const SESSION = 'aaaabbbbccccddddaaaabbbbccccdddd'

async function mountChannel() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(`/app/${GUILD_ID}/${CHANNEL_ID}`)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  await flushPromises()
  return wrapper
}

/** Waits out the reconnect delay (fake setTimeout) until a new socket exists. */
async function nextSocket(previous: FakeSocket): Promise<FakeSocket> {
  for (let waited = 0; FakeSocket.latest() === previous; waited += 100) {
    if (waited > 60_000) throw new Error('no new socket')
    vi.advanceTimersByTime(100)
    await flushPromises()
  }
  return FakeSocket.latest()
}

function contents(wrapper: Awaited<ReturnType<typeof mountChannel>>): string[] {
  return wrapper.findAll('[data-testid="message-content"]').map((node) => node.text())
}

beforeEach(() => {
  FakeSocket.reset()
  resetGatewayForTests()
  vi.stubGlobal('WebSocket', FakeSocket)
  localStorage.clear()
  signInAda()
})

afterEach(() => {
  vi.useRealTimers()
  resetGatewayForTests()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AppView: resuming the gateway session', () => {
  it('resumes after a drop without reloading, and reloads after INVALID_SESSION', async () => {
    const api = installFakeApi({ ...guildRoutes(), [ROUTE]: historyRoute([message(1, 'mo', 0)]) })
    const wrapper = await mountChannel()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })

    const first = FakeSocket.latest()
    first.open()
    first.hello(60_000)
    expect(first.sent[0]).toMatchObject({ op: 2, d: { token: 'token' } })
    first.receive({ op: 0, t: 'READY', s: 1, d: { session_id: SESSION, resume_gateway_url: first.url } })
    first.receive({ op: 0, t: 'MESSAGE_CREATE', s: 2, d: { ...message(2, 'mo', 1), content: 'before the drop' } })
    await flushPromises()
    // READY: the user's status goes out (op 3).
    expect(first.sent.map((frame) => (frame as { op: number }).op)).toEqual([2, 3])
    const loadsAfterReady = api.calls(ROUTE).length

    first.serverClose(1006)
    await flushPromises()
    const second = await nextSocket(first)
    second.open()
    second.hello(60_000)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token', session_id: SESSION, seq: 2 } }])
    second.receive({ op: 0, t: 'MESSAGE_CREATE', s: 3, d: { ...message(3, 'mo', 2), content: 'missed while away' } })
    second.receive({ op: 0, t: 'RESUMED', s: 4, d: {} })
    await flushPromises()
    expect(contents(wrapper)).toEqual(['message 1', 'before the drop', 'missed while away'])
    expect(api.calls(ROUTE)).toHaveLength(loadsAfterReady)
    // RESUMED sends the status again, in case it changed while away.
    expect(second.sent.map((frame) => (frame as { op: number }).op)).toEqual([6, 3])
    expect(wrapper.find('[data-testid="gateway-status"]').attributes('data-state')).toBe('connected')

    second.serverClose(1006)
    await flushPromises()
    const third = await nextSocket(second)
    third.open()
    third.hello(60_000)
    expect(third.sent).toEqual([{ op: 6, d: { token: 'token', session_id: SESSION, seq: 4 } }])
    third.receive({ op: 9, d: false })
    vi.advanceTimersByTime(5000)
    // The first heartbeat may fall inside those 5 s (interval x random): look past it.
    const afterInvalid = third.sent.slice(1).filter((frame) => (frame as { op: number }).op !== 1)
    expect(afterInvalid[0]).toMatchObject({ op: 2, d: { token: 'token' } })
    third.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 'new', resume_gateway_url: third.url } })
    await flushPromises()
    expect(api.calls(ROUTE).length).toBeGreaterThan(loadsAfterReady)
    wrapper.unmount()
  })
})

/** An access token shaped like hearthd's (a JWT; the signature is not checked here). */
function jwt(claims: { sid: string; exp: number }): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: '100', aud: 'hearth', ...claims })}.c2ln`
}

describe('AppView: the token a session resumes with', () => {
  it('reads sid and exp from an access token, and nothing from other strings', () => {
    expect(accessTokenClaims(jwt({ sid: '42', exp: 1700000000 }))).toEqual({ sid: '42', exp: 1700000000 })
    expect(accessTokenClaims('token')).toBeNull()
    expect(accessTokenClaims('a.%%%.c')).toBeNull()
  })

  it('refreshes a token about to expire before RESUME, and resumes with the new one', async () => {
    const soon = Math.floor(Date.now() / 1000) + 30
    const later = Math.floor(Date.now() / 1000) + 900
    const fresh = jwt({ sid: '7', exp: later + 1 })
    const api = installFakeApi({
      ...guildRoutes(),
      [ROUTE]: historyRoute([message(1, 'mo', 0)]),
      'POST /auth/refresh': () => jsonResponse(200, { token: fresh, user_id: '100' }),
    })
    const session = useSessionStore()
    session.token = jwt({ sid: '7', exp: later })
    const wrapper = await mountChannel()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const first = FakeSocket.latest()
    first.open()
    first.hello(60_000)
    first.receive({ op: 0, t: 'READY', s: 1, d: { session_id: SESSION, resume_gateway_url: first.url } })
    await flushPromises()
    expect(api.calls('POST /auth/refresh')).toHaveLength(0)

    session.token = jwt({ sid: '7', exp: soon }) // 14.5 minutes later, say
    first.serverClose(1006)
    await flushPromises()
    const second = await nextSocket(first)
    expect(api.calls('POST /auth/refresh')).toHaveLength(1)
    second.open()
    second.hello(60_000)
    expect(second.sent[0]).toEqual({ op: 6, d: { token: fresh, session_id: SESSION, seq: 1 } })
    wrapper.unmount()
  })

  it('identifies instead of resuming once the token belongs to another sign-in', async () => {
    installFakeApi({ ...guildRoutes(), [ROUTE]: historyRoute([message(1, 'mo', 0)]) })
    const later = Math.floor(Date.now() / 1000) + 900
    const session = useSessionStore()
    session.token = jwt({ sid: '7', exp: later })
    const wrapper = await mountChannel()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const first = FakeSocket.latest()
    first.open()
    first.hello(60_000)
    first.receive({ op: 0, t: 'READY', s: 1, d: { session_id: SESSION, resume_gateway_url: first.url } })
    await flushPromises()

    first.serverClose(1006)
    session.token = jwt({ sid: '8', exp: later }) // signed in again meanwhile, same user
    await flushPromises()
    const second = await nextSocket(first)
    second.open()
    second.hello(60_000)
    expect(second.sent[0]).toMatchObject({ op: 2, d: { token: session.token } })
    wrapper.unmount()
  })
})
