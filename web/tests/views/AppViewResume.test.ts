// The shell across a gateway drop: a resumed session brings the missed events and reloads
// nothing; a session the server no longer has (INVALID_SESSION) identifies again, and READY
// reloads the channel on screen.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { routes } from '@/router'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi } from '../support/fake_api'
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
    expect(third.sent[1]).toMatchObject({ op: 2, d: { token: 'token' } })
    third.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 'new', resume_gateway_url: third.url } })
    await flushPromises()
    expect(api.calls(ROUTE).length).toBeGreaterThan(loadsAfterReady)
    wrapper.unmount()
  })
})
