import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { createAppRouter } from '@/router'
import { IDLE_AFTER_MS } from '@/models/presence'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { BOB, CAROL, dm, group, message, relationship } from '../support/social_fixtures'

async function mountAt(path: string) {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

/** The socket after HELLO and a READY with Bob (a friend, online), a DM with him and a group. */
function ready(heartbeatInterval = 60_000): FakeSocket {
  const socket = FakeSocket.latest()
  socket.open()
  socket.hello(heartbeatInterval)
  socket.receive({
    op: 0,
    t: 'READY',
    s: 1,
    d: {
      v: 10,
      user: { id: '100' },
      guilds: [],
      private_channels: [dm('1000', BOB, '9000'), group('2000', [BOB, CAROL], '8000', 'Readers')],
      relationships: [relationship(BOB, 1), relationship(CAROL, 3)],
      presences: [{ user: { id: BOB.id }, status: 'online', activities: [] }],
      read_state: { version: 1, partial: false, entries: [{ id: '2000', last_message_id: '8000', mention_count: 0 }] },
      session_id: 's',
    },
  })
  return socket
}

beforeEach(() => {
  FakeSocket.reset()
  resetGatewayForTests()
  vi.stubGlobal('WebSocket', FakeSocket)
  localStorage.clear()
  signInAda()
  installFakeApi({
    'GET /users/@me/guilds': jsonResponse(200, []),
    'GET /channels/1000/messages': jsonResponse(200, []),
    'GET /channels/2000/messages': jsonResponse(200, []),
  })
})

afterEach(() => {
  resetGatewayForTests()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AppView home', () => {
  it('fills home from READY, sends the status after it, and counts DM messages in the title', async () => {
    const { wrapper } = await mountAt('/channels/@me')
    const socket = ready()
    await flushPromises()
    expect(socket.sent.filter((frame) => (frame as { op: number }).op === 3)).toEqual([
      { op: 3, d: { since: null, activities: [], status: 'online', afk: false } },
    ])
    expect(wrapper.findAll('[data-testid="dm-item"]').map((item) => item.find('.dm-item__name').text())).toEqual([
      'Bob Builder',
      'Readers',
    ])
    expect(wrapper.find('[data-testid="friend-row"]').text()).toContain('Bob Builder')
    expect(document.title).toBe('Friends · Hearth')

    socket.receive({ op: 0, t: 'MESSAGE_CREATE', s: 2, d: message('9500', '2000', BOB.id) })
    await flushPromises()
    // The group moves up, bold, with a badge; the title and Home count it.
    expect(wrapper.find('[data-testid="dm-item"]').attributes('data-channel-id')).toBe('2000')
    expect(wrapper.find('[data-channel-id="2000"] .ui-badge').text()).toBe('1')
    expect(document.title).toBe('(1) Friends · Hearth')
    expect(wrapper.find('.rail-item--home [data-testid="rail-badge"]').text()).toBe('2')
    wrapper.unmount()
  })

  it('identifies with the chosen status, so an invisible user never shows online', async () => {
    localStorage.setItem('hearth.presence', JSON.stringify({ status: 'invisible', customStatus: null }))
    const { wrapper } = await mountAt('/channels/@me')
    const socket = ready()
    await flushPromises()
    expect(socket.sent[0]).toMatchObject({ op: 2, d: { token: 'token', presence: { status: 'invisible', afk: false } } })
    expect(wrapper.find('[data-testid="user-panel-status"] .ui-avatar__status--offline').exists()).toBe(true)
    wrapper.unmount()
  })

  it('opens a DM at its address with its header, and a group with its member list', async () => {
    const { wrapper, router } = await mountAt('/channels/@me/1000')
    ready()
    await flushPromises()
    expect(wrapper.find('[data-testid="dm-header"] h1').text()).toBe('Bob Builder')
    expect(wrapper.find('[data-testid="dm-start"]').text()).toContain('This is the beginning of your direct message history with Bob Builder.')
    expect(wrapper.find('#message-composer').attributes('placeholder')).toBe('Message @Bob Builder')
    expect(wrapper.find('[data-testid="dm-members"]').exists()).toBe(false)

    await router.push('/channels/@me/2000')
    await flushPromises()
    expect((wrapper.find('[data-testid="dm-group-name"]').element as HTMLInputElement).value).toBe('Readers')
    expect(wrapper.findAll('[data-testid="dm-member"]')).toHaveLength(3)

    await router.push('/channels/@me/3000')
    await flushPromises()
    expect(wrapper.find('[data-testid="dm-unavailable"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('reports the user idle after ten minutes without input and online again on input', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { wrapper } = await mountAt('/channels/@me')
    // No heartbeat falls due in these ten minutes (nobody here acknowledges one).
    const socket = ready(IDLE_AFTER_MS * 10)
    await flushPromises()
    vi.advanceTimersByTime(IDLE_AFTER_MS + 1000)
    await flushPromises()
    const presences = () => socket.sent.filter((frame) => (frame as { op: number }).op === 3).map((frame) => (frame as { d: { status: string; afk: boolean } }).d)
    expect(presences().at(-1)).toMatchObject({ status: 'idle', afk: true })
    expect(wrapper.find('[data-testid="user-panel-status"] .ui-avatar__status--idle').exists()).toBe(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }))
    await flushPromises()
    expect(presences().at(-1)).toMatchObject({ status: 'online', afk: false })
    wrapper.unmount()
  })

  it('forgets the last account’s friends and DMs on sign-out', async () => {
    const { wrapper } = await mountAt('/channels/@me')
    ready()
    await flushPromises()
    const { useSessionStore } = await import('@/stores/session')
    const { useDmsStore } = await import('@/stores/dms')
    useSessionStore().clear(null)
    await flushPromises()
    expect(useDmsStore().sorted).toEqual([])
    expect(document.title).toBe('Friends · Hearth')
    wrapper.unmount()
  })
})
