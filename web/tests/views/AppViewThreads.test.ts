import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { installFakeApi, jsonResponse, type SentRequest } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { GUILD_ID, ROLES, guild, guildRoutes } from '../support/guild_fixtures'
import { historyRoute, message } from '../support/message_fixtures'
import { thread as fixture } from '../support/thread_fixtures'
import type { Thread } from '@/models/thread'
import { mountAt, useAppShell } from '../support/app_shell'

/** A fixture thread active now (the fixtures' day is long past: it would read as auto-archived). */
function thread(id: string, extra: Partial<Thread> = {}, metadata: Partial<Thread['thread_metadata']> = {}): Thread {
  return fixture(id, extra, { archive_timestamp: new Date().toISOString(), create_timestamp: new Date().toISOString(), ...metadata })
}

const STARTER = message(1, 'mo', 0, { flags: 32, thread: thread('1001', { name: 'Trip plans', message_count: 2 }) })
const IN_THREAD = [message(5, 'mo', 5, { channel_id: '1001', content: 'inside the thread' })]

function threadRoutes(extra: Record<string, unknown> = {}) {
  return {
    ...guildRoutes(),
    'GET /channels/11/messages': historyRoute([STARTER, message(2, 'ada', 1)]),
    'GET /channels/1001': jsonResponse(200, thread('1001', { name: 'Trip plans', message_count: 2 })),
    'GET /channels/1001/messages': historyRoute(IN_THREAD),
    ...extra,
  } as Parameters<typeof installFakeApi>[0]
}

useAppShell()

describe('AppView: threads', () => {
  it('shows a thread under its starter message, opens it beside the channel and closes it', async () => {
    installFakeApi(threadRoutes())
    const { wrapper, router } = await mountAt(`/app/${GUILD_ID}/11`)
    const summary = wrapper.get('[data-testid="thread-summary"]')
    expect(summary.get('[data-testid="thread-summary-name"]').text()).toBe('Trip plans')
    expect(summary.get('[data-testid="thread-summary-count"]').text()).toBe('2 Messages')
    // A message that started a thread offers no second one; the others do.
    const rows = wrapper.findAll('article[data-testid="message"]')
    expect(rows[0]!.find('[data-testid="toolbar-thread"]').exists()).toBe(false)
    expect(rows[1]!.find('[data-testid="toolbar-thread"]').exists()).toBe(true)

    await summary.trigger('click')
    await flushPromises()
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe(`/app/${GUILD_ID}/11/threads/1001`)
    const panel = wrapper.get('[data-testid="thread-panel"]')
    expect(panel.get('[data-testid="thread-title"]').text()).toBe('Trip plans')
    expect(panel.text()).toContain('inside the thread')
    expect(panel.get('[data-testid="thread-starter"]').text()).toContain('message 1')
    expect(panel.get('textarea[data-testid="composer-input"]').attributes('placeholder')).toBe('Message Trip plans')
    // Not in it yet: Join is offered; no Create Thread inside a thread.
    expect(panel.find('[data-testid="thread-join"]').exists()).toBe(true)
    expect(panel.find('[data-testid="toolbar-thread"]').exists()).toBe(false)
    // The thread takes the member list's place.
    expect(wrapper.find('#app-members').exists()).toBe(false)

    await panel.get('[data-testid="thread-close"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe(`/app/${GUILD_ID}/11`)
    expect(wrapper.find('[data-testid="thread-panel"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('opens a thread’s own address full size, below its channel in the header', async () => {
    installFakeApi(threadRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/1001`)
    expect(wrapper.get('main h1').text()).toBe('Trip plans')
    expect(wrapper.get('[data-testid="header-parent"]').text()).toContain('general')
    expect(wrapper.get('main [data-testid="thread-pane"]').text()).toContain('inside the thread')
    expect(wrapper.find('[data-testid="thread-panel"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says a thread that is not there is unavailable', async () => {
    installFakeApi(threadRoutes({ 'GET /channels/1001': jsonResponse(404, { code: 10003, message: 'Unknown Channel' }) }))
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/1001`)
    expect(wrapper.find('[data-testid="thread-pane"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Unknown channel')
    wrapper.unmount()
  })

  it('creates a thread from a message and opens it', async () => {
    const api = installFakeApi(
      threadRoutes({
        'POST /channels/11/messages/1002/threads': (request: SentRequest) =>
          jsonResponse(201, thread('1002', { name: (request.body as { name: string }).name })),
        'GET /channels/1002/messages': jsonResponse(200, []),
      }),
    )
    const { wrapper, router } = await mountAt(`/app/${GUILD_ID}/11`)
    const row = wrapper.findAll('article[data-testid="message"]')[1]!
    await row.get('[data-testid="toolbar-thread"]').trigger('click')
    await flushPromises()
    const dialog = wrapper.get('[data-testid="thread-create-dialog"]')
    const name = dialog.get('input')
    expect((name.element as HTMLInputElement).value).toBe('message 2')
    expect(dialog.find('[data-testid="thread-create-private"]').exists()).toBe(false)
    await name.setValue('Follow-up')
    await dialog.get('form').trigger('submit')
    await flushPromises()
    await flushPromises()
    expect(api.calls('POST /channels/11/messages/1002/threads')[0]?.body).toEqual({ name: 'Follow-up', auto_archive_duration: 1440 })
    expect(router.currentRoute.value.fullPath).toBe(`/app/${GUILD_ID}/11/threads/1002`)
    expect(wrapper.get('[data-testid="thread-title"]').text()).toBe('Follow-up')
    // The creator is in it.
    expect(wrapper.find('[data-testid="thread-join"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('follows the thread’s permissions: no Create Thread, no sending in a locked thread', async () => {
    // Mo owns the server; Ada has @everyone's VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY
    // and SEND_MESSAGES_IN_THREADS, but no CREATE_PUBLIC_THREADS or MANAGE_THREADS.
    const everyone = { ...ROLES[0]!, permissions: String((1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 38n)) }
    installFakeApi({
      ...threadRoutes({
        'GET /channels/1001': jsonResponse(200, thread('1001', { name: 'Trip plans' }, { locked: true })),
      }),
      ...guildRoutes({ guild: { ...guild('301'), roles: [everyone, ...ROLES.slice(1)] } }),
      'GET /channels/11/messages': historyRoute([STARTER, message(2, 'ada', 1)]),
    } as Parameters<typeof installFakeApi>[0])
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11/threads/1001`)
    expect(wrapper.findAll('main [data-testid="toolbar-thread"]')).toHaveLength(0)
    const panel = wrapper.get('[data-testid="thread-panel"]')
    const box = panel.get('textarea[data-testid="composer-input"]')
    expect(box.attributes('disabled')).toBeDefined()
    expect(box.attributes('placeholder')).toContain('This thread is locked')
    expect(panel.get('[data-testid="thread-banner"]').text()).toContain('This thread is locked')
    // The channel itself still takes messages.
    expect(wrapper.get('main textarea[data-testid="composer-input"]').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
  })

  it('keeps the summary live from THREAD_UPDATE and messages sent in the thread', async () => {
    installFakeApi(threadRoutes())
    const { wrapper } = await mountAt(`/app/${GUILD_ID}/11`)
    const socket = FakeSocket.latest()
    socket.open()
    socket.hello(60_000)
    socket.receive({ op: 0, t: 'THREAD_UPDATE', s: 2, d: thread('1001', { name: 'Trip plans', message_count: 2, last_message_id: '1005' }) })
    socket.receive({ op: 0, t: 'MESSAGE_CREATE', s: 3, d: message(9, 'ada', 9, { channel_id: '1001', content: 'new one' }) })
    await flushPromises()
    expect(wrapper.get('[data-testid="thread-summary-count"]').text()).toBe('3 Messages')
    expect(wrapper.get('[data-testid="thread-summary"]').text()).not.toContain('archived')
    socket.receive({ op: 0, t: 'THREAD_UPDATE', s: 4, d: thread('1001', { name: 'Trip plans', message_count: 3, last_message_id: '1009' }, { archived: true }) })
    await flushPromises()
    expect(wrapper.get('[data-testid="thread-summary"]').text()).toContain('This thread is archived.')
    socket.receive({ op: 0, t: 'THREAD_DELETE', s: 5, d: { id: '1001', guild_id: GUILD_ID, parent_id: '11', type: 11 } })
    await flushPromises()
    expect(wrapper.find('[data-testid="thread-summary"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it.each([
    ['closes a private thread the user was removed from', '999', false],
    ['keeps a private thread open to a moderator removed from it', '100', true],
  ] as const)('%s', async (_name, owner, stays) => {
    const removed = { op: 0, t: 'THREAD_MEMBERS_UPDATE', d: { id: '1002', guild_id: GUILD_ID, member_count: 1, removed_member_ids: ['100'] } }
    const privateThread = thread('1002', { type: 12, name: 'Secret', owner_id: '301' }, { invitable: true })
    installFakeApi(threadRoutes({
      ...guildRoutes({ guild: guild(owner) }),
      'GET /channels/11/messages': historyRoute([message(2, 'ada', 1)]),
      'GET /channels/1002': jsonResponse(200, privateThread),
      'GET /channels/1002/messages': historyRoute([]),
    }))
    const { wrapper, router } = await mountAt(`/app/${GUILD_ID}/11/threads/1002`)
    await flushPromises()
    await flushPromises()
    expect(wrapper.get('[data-testid="thread-title"]').text()).toBe('Secret')
    const socket = FakeSocket.latest()
    socket.open()
    socket.hello(60_000)
    socket.receive({ ...removed, s: 2 })
    await flushPromises()
    await flushPromises()
    expect(wrapper.find('[data-testid="thread-panel"]').exists()).toBe(stays)
    expect(router.currentRoute.value.fullPath).toBe(stays ? `/app/${GUILD_ID}/11/threads/1002` : `/app/${GUILD_ID}/11`)
    wrapper.unmount()
  })
})

