// The thread members popover and the Thread Settings dialog against a fake hearthd: who is listed
// where, who may add and remove (hearthd's rules), the picker, and settings that roll back.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ThreadMembersButton from '@/components/thread/ThreadMembersButton.vue'
import ThreadSettingsDialog from '@/components/thread/ThreadSettingsDialog.vue'
import type { Guild } from '@/models/guild'
import type { Thread } from '@/models/thread'
import { useGuildsStore } from '@/stores/guilds'
import { usePresenceStore } from '@/stores/presence'
import { useThreadsStore } from '@/stores/threads'
import { signInAda } from './account_dialogs_support'
import { ADA, installFakeApi, jsonResponse, type FakeAnswer } from '../support/fake_api'
import { CHANNELS, GUILD_ID, ROLES, guild, guildRoutes } from '../support/guild_fixtures'
import { NOW, thread } from '../support/thread_fixtures'

const SEND_MESSAGES_IN_THREADS = 1n << 38n

function member(userId: string) {
  return { id: '501', user_id: userId, join_timestamp: '2026-01-05T10:00:00Z', flags: 0 }
}

/** Book Club owned by someone else: Ada is a plain member who may send in threads. */
function notOwned(): Guild {
  const roles = ROLES.map((role) => (role.id === GUILD_ID ? { ...role, permissions: String(BigInt(role.permissions) | SEND_MESSAGES_IN_THREADS) } : role))
  return { ...guild('999'), roles }
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function setUp(options: { thread: Thread; guild?: Guild; routes?: Record<string, FakeAnswer> }) {
  const api = installFakeApi({ ...guildRoutes({ guild: options.guild }), ...options.routes })
  const guilds = useGuildsStore()
  await guilds.loadGuild(GUILD_ID)
  const threads = useThreadsStore()
  threads.tick(NOW)
  threads.applyThread(options.thread, { join_timestamp: '2026-01-05T10:00:00Z', flags: 0 })
  const parent = CHANNELS.find((channel) => channel.id === options.thread.parent_id) ?? null
  return { api, threads, parent }
}

async function openMembers(options: Parameters<typeof setUp>[0]) {
  const context = await setUp(options)
  const wrapper = mount(ThreadMembersButton, {
    props: { guildId: GUILD_ID, thread: context.threads.threadById(options.thread.id)!, parent: context.parent },
    attachTo: document.body,
  })
  // The component reads the thread from its props: keep them in step with the store.
  const stop = context.threads.$subscribe(() => {
    const now = context.threads.threadById(options.thread.id)
    if (now) void wrapper.setProps({ thread: now })
  })
  await wrapper.get('[data-testid="thread-members-button"]').trigger('click')
  await flushPromises()
  return { ...context, wrapper, popover: () => wrapper.get('[data-testid="thread-members-popover"]'), stop }
}

const names = (wrapper: { findAll: (selector: string) => { attributes: (name: string) => string | undefined }[] }) =>
  wrapper.findAll('[data-testid="thread-member"]').map((row) => row.attributes('data-user-id'))

describe('ThreadMembersButton', () => {
  it('lists members online first then offline, with counts, and lets a moderator add and remove', async () => {
    usePresenceStore().applyUpdate({ user: { id: '301' }, status: 'idle' })
    const { api, wrapper, popover } = await openMembers({
      thread: thread('501', { member_count: 3 }),
      routes: {
        'GET /channels/501/thread-members': jsonResponse(200, [member('302'), member(ADA.id), member('301')]),
        'PUT /channels/501/thread-members/303': jsonResponse(204),
        'DELETE /channels/501/thread-members/302': jsonResponse(204),
      },
    })
    expect(wrapper.get('[data-testid="thread-members-count"]').text()).toBe('3')
    expect(popover().findAll('[data-testid="thread-members-group"]').map((group) => group.text())).toEqual(['Online — 2', 'Offline — 1'])
    expect(names(popover())).toEqual([ADA.id, '301', '302'])
    expect(popover().get(`[data-user-id="301"]`).attributes('data-status')).toBe('idle')
    // The server's owner moderates: everyone but themself can be removed.
    expect(popover().findAll('[data-testid="thread-member-remove"]')).toHaveLength(2)
    expect(popover().get(`[data-user-id="${ADA.id}"]`).find('[data-testid="thread-member-remove"]').exists()).toBe(false)

    await popover().get('[data-testid="thread-members-add"]').trigger('click')
    // Only Max is not in it yet.
    expect(popover().findAll('[data-testid="thread-members-candidate"]').map((row) => row.attributes('data-user-id'))).toEqual(['303'])
    await popover().get('[data-testid="thread-members-search"]').setValue('nobody')
    expect(popover().find('[data-testid="thread-members-nomatch"]').text()).toContain('nobody')
    await popover().get('[data-testid="thread-members-search"]').setValue('MAX')
    await popover().get('[data-testid="thread-members-candidate"]').trigger('click')
    await flushPromises()
    expect(api.calls('PUT /channels/501/thread-members/303')).toHaveLength(1)
    expect(names(popover())).toEqual([ADA.id, '301', '302', '303'])
    expect(wrapper.get('[data-testid="thread-members-count"]').text()).toBe('4')

    await popover().get('[data-user-id="302"] [data-testid="thread-member-remove"]').trigger('click')
    await flushPromises()
    expect(api.calls('DELETE /channels/501/thread-members/302')).toHaveLength(1)
    expect(names(popover())).toEqual([ADA.id, '301', '303'])
    wrapper.unmount()
  })

  it('offers only members who can see the channel, and says when everyone is in', async () => {
    // #mods is hidden from @everyone and open to Moderators (Mo).
    const { wrapper, popover } = await openMembers({
      thread: thread('501', { type: 12, parent_id: '12' }, { invitable: true }),
      routes: { 'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id)]) },
    })
    await popover().get('[data-testid="thread-members-add"]').trigger('click')
    expect(popover().findAll('[data-testid="thread-members-candidate"]').map((row) => row.attributes('data-user-id'))).toEqual(['301'])
    useThreadsStore().applyMembersUpdate({ id: '501', member_count: 2, added_members: [member('301')] }, ADA.id)
    await flushPromises()
    expect(popover().find('[data-testid="thread-members-none"]').text()).toContain('#mods')
    wrapper.unmount()
  })

  it('follows hearthd’s rules for a plain member: invites only while invitable, removes only in their own private thread', async () => {
    const routes = { 'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id), member('301')]) }
    const closed = await openMembers({ thread: thread('501', { type: 12 }, { invitable: false }), guild: notOwned(), routes })
    expect(closed.popover().find('[data-testid="thread-members-add"]').exists()).toBe(false)
    // Ada started this private thread: its owner may remove people.
    expect(closed.popover().findAll('[data-testid="thread-member-remove"]')).toHaveLength(1)
    closed.wrapper.unmount()

    signInAda()
    const open = await openMembers({ thread: thread('501', { type: 12 }, { invitable: true }), guild: notOwned(), routes })
    expect(open.popover().find('[data-testid="thread-members-add"]').exists()).toBe(true)
    open.wrapper.unmount()

    signInAda()
    const someoneElses = await openMembers({ thread: thread('501', { owner_id: '301' }), guild: notOwned(), routes })
    // A public thread: anyone who may send in it adds people; only moderators remove them.
    expect(someoneElses.popover().find('[data-testid="thread-members-add"]').exists()).toBe(true)
    expect(someoneElses.popover().findAll('[data-testid="thread-member-remove"]')).toHaveLength(0)
    someoneElses.wrapper.unmount()

    signInAda()
    const archived = await openMembers({ thread: thread('501', {}, { archived: true }), routes })
    // Archived: nothing changes (400 50083), even for a moderator.
    expect(archived.popover().find('[data-testid="thread-members-add"]').exists()).toBe(false)
    expect(archived.popover().findAll('[data-testid="thread-member-remove"]')).toHaveLength(0)
    archived.wrapper.unmount()
  })

  it('shows the empty and error states, and tries again', async () => {
    let answer = jsonResponse(500, { code: 0, message: 'Down for a moment' })
    const { api, wrapper, popover } = await openMembers({
      thread: thread('501', { member_count: 0 }),
      routes: { 'GET /channels/501/thread-members': () => answer },
    })
    expect(popover().text()).toContain('Members could not be loaded')
    expect(popover().text()).toContain('Down for a moment')
    answer = jsonResponse(200, [])
    await popover().get('[data-testid="thread-members-retry"]').trigger('click')
    await flushPromises()
    expect(api.calls('GET /channels/501/thread-members')).toHaveLength(2)
    expect(popover().text()).toContain('No one is in this thread')
    wrapper.unmount()
  })

  it('says why adding failed and takes the row back out', async () => {
    const { wrapper, popover } = await openMembers({
      thread: thread('501', { member_count: 1 }),
      routes: {
        'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id)]),
        'PUT /channels/501/thread-members/303': jsonResponse(403, { code: 50001, message: 'Missing Access' }),
      },
    })
    await popover().get('[data-testid="thread-members-add"]').trigger('click')
    await popover().get('[data-testid="thread-members-search"]').setValue('max')
    await popover().get('[data-testid="thread-members-candidate"]').trigger('click')
    await flushPromises()
    expect(popover().get('[data-testid="thread-members-error"]').text()).toBe('Could not add Max: They can’t see this channel.')
    expect(useThreadsStore().memberListOf('501').members.map((item) => item.user_id)).toEqual([ADA.id])
    expect(wrapper.get('[data-testid="thread-members-count"]').text()).toBe('1')
    // Still in the picker, to try someone else.
    expect(popover().find('[data-testid="thread-members-search"]').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('ThreadSettingsDialog', () => {
  async function openSettings(options: { thread: Thread; canModerate: boolean; routes?: Record<string, FakeAnswer> }) {
    const context = await setUp({ thread: options.thread, routes: options.routes })
    const wrapper = mount(ThreadSettingsDialog, {
      props: { open: true, thread: context.threads.threadById(options.thread.id)!, canModerate: options.canModerate },
      attachTo: document.body,
    })
    context.threads.$subscribe(() => {
      const now = context.threads.threadById(options.thread.id)
      if (now) void wrapper.setProps({ thread: now })
    })
    return { ...context, wrapper }
  }

  it('sends only what changed, moderators’ fields included', async () => {
    const { api, wrapper } = await openSettings({
      thread: thread('501', { type: 12, name: 'Plans' }, { invitable: true }),
      canModerate: true,
      routes: {
        'PATCH /channels/501': (request) =>
          jsonResponse(200, { ...thread('501', { type: 12, name: 'Plans' }, { invitable: false }), ...(request.body as object), thread_metadata: { ...thread('501').thread_metadata, invitable: false } }),
      },
    })
    const selects = wrapper.findAll('select')
    expect(selects).toHaveLength(2)
    await selects[1]!.setValue('30')
    await wrapper.get('[data-testid="thread-settings-invitable"] [role="switch"]').trigger('click')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls('PATCH /channels/501').map((request) => request.body)).toEqual([{ rate_limit_per_user: 30, invitable: false }])
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
  })

  it('gives a thread’s owner only the name and duration, and rolls a refusal back visibly', async () => {
    const { threads, wrapper } = await openSettings({
      thread: thread('501', { name: 'Plans' }),
      canModerate: false,
      routes: {
        'PATCH /channels/501': jsonResponse(400, {
          code: 50035,
          message: 'Invalid Form Body',
          errors: { name: { _errors: [{ code: 'BAD_NAME', message: 'That name is taken.' }] } },
        }),
      },
    })
    expect(wrapper.findAll('select')).toHaveLength(1)
    expect(wrapper.find('[data-testid="thread-settings-invitable"]').exists()).toBe(false)
    await wrapper.get('input').setValue('Plans 2')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('That name is taken.')
    expect(threads.threadById('501')?.name).toBe('Plans')
    expect(wrapper.emitted('close')).toBeUndefined()
    // The field keeps what was typed, to fix it.
    expect((wrapper.get('input').element as HTMLInputElement).value).toBe('Plans 2')
    wrapper.unmount()
  })

  it('says when the server refuses without a field', async () => {
    const { threads, wrapper } = await openSettings({
      thread: thread('501', { name: 'Plans' }),
      canModerate: false,
      routes: { 'PATCH /channels/501': jsonResponse(403, { code: 50013, message: 'Missing Permissions' }) },
    })
    await wrapper.get('select').setValue('60')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Your changes were not saved: You don’t have permission to change that.')
    expect(threads.threadById('501')?.thread_metadata.auto_archive_duration).toBe(1440)
    wrapper.unmount()
  })
})
