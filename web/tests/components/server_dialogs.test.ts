import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ChannelSettingsDialog from '@/components/channel/ChannelSettingsDialog.vue'
import MemberModerationDialog from '@/components/member/MemberModerationDialog.vue'
import ServerCreateDialog from '@/components/server/ServerCreateDialog.vue'
import ServerJoinDialog from '@/components/server/ServerJoinDialog.vue'
import type { ChannelEditorTarget } from '@/composables/useChannelEditor'
import { useGuildsStore } from '@/stores/guilds'
import { signInAda } from './account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { CHANNELS, GUILD_ID, MEMBERS, guild, guildRoutes } from '../support/guild_fixtures'

const NAME_ERROR = {
  code: 50035,
  message: 'Invalid Form Body',
  errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 characters.' }] } },
}

async function loadServer(routes: Record<string, Response | (() => Response)> = {}) {
  const api = installFakeApi({ ...guildRoutes(), ...routes })
  const store = useGuildsStore()
  await store.loadGuilds()
  await store.loadGuild(GUILD_ID)
  return { api, store }
}

function labelOf(wrapper: ReturnType<typeof mount>, name: string): string {
  const label = wrapper.findAll('label').find((candidate) => candidate.text().startsWith(name))
  if (!label) throw new Error(`no "${name}" field`)
  return label.text()
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('ServerCreateDialog', () => {
  it('shows the server’s field error under the name and the verification refusal in a banner', async () => {
    let answer = jsonResponse(400, { ...NAME_ERROR })
    const api = installFakeApi({ 'POST /guilds': () => answer.clone() })
    const wrapper = mount(ServerCreateDialog, { props: { open: true }, attachTo: document.body })
    expect((wrapper.find('input[type="text"]').element as HTMLInputElement).value).toBe("Ada Lovelace's server")

    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('POST /guilds')[0]!.body).toEqual({ name: "Ada Lovelace's server" })
    expect(labelOf(wrapper, 'Server Name')).toContain('Must be between 1 and 100 characters.')
    expect(wrapper.find('[data-testid="form-error"]').exists()).toBe(false)

    answer = jsonResponse(403, { code: 50001, message: 'Verify your email address to create or join servers' })
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="form-error"]').text()).toContain('Verify your email address')
    expect(wrapper.emitted('created')).toBeUndefined()
  })

  it('checks the name before sending', async () => {
    const api = installFakeApi({})
    const wrapper = mount(ServerCreateDialog, { props: { open: true }, attachTo: document.body })
    await wrapper.find('input[type="text"]').setValue(' x ')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'Server Name')).toContain('Must be between 2 and 100')
  })
})

describe('ServerJoinDialog', () => {
  it('joins with the code from a pasted link, and says an unknown invite is invalid', async () => {
    let answer = jsonResponse(404, { code: 10006, message: 'Unknown Invite' })
    const api = installFakeApi({
      'POST /invites/AbC123': () => answer.clone(),
      'GET /users/@me/guilds': jsonResponse(200, [{ id: GUILD_ID, name: 'Book Club', icon: null, owner: false, permissions: '0' }]),
    })
    const wrapper = mount(ServerJoinDialog, { props: { open: true }, attachTo: document.body })
    await wrapper.find('input').setValue('https://hearth.example/invite/AbC123')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('POST /invites/AbC123')).toHaveLength(1)
    expect(wrapper.find('[data-testid="form-error"]').text()).toContain('The invite is invalid or has expired.')

    answer = jsonResponse(200, guild('someone'))
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.emitted('joined')?.[0]?.[0]).toMatchObject({ id: GUILD_ID })
    expect(useGuildsStore().guildById(GUILD_ID)).not.toBeNull()
  })

  it('refuses what is not an invite without a request', async () => {
    const api = installFakeApi({})
    const wrapper = mount(ServerJoinDialog, { props: { open: true }, attachTo: document.body })
    await wrapper.find('input').setValue('https://hearth.example/app/1')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.sent).toHaveLength(0)
    expect(labelOf(wrapper, 'Invite Link')).toContain('valid invite link')
  })
})

describe('ChannelSettingsDialog', () => {
  function mountChannelDialog(target: ChannelEditorTarget) {
    return mount(ChannelSettingsDialog, { props: { open: true, guildId: GUILD_ID, target }, attachTo: document.body })
  }

  it('creates a private channel visible to one role, with the name as the server will store it', async () => {
    const { api } = await loadServer({
      [`POST /guilds/${GUILD_ID}/channels`]: jsonResponse(201, { ...CHANNELS[1], id: '50', name: 'staff-room' }),
    })
    const wrapper = mountChannelDialog({ kind: 'create', type: 0, parentId: null })
    await wrapper.find('input[type="text"]').setValue('Staff Room')
    expect(wrapper.text()).toContain('#staff-room')
    await wrapper.findAll('[role="tab"]')[1]!.trigger('click')
    await wrapper.find('[data-testid="private-switch"] [role="switch"]').trigger('click')
    await wrapper.find('[data-testid="access-role-201"]').setValue(true)
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(api.calls(`POST /guilds/${GUILD_ID}/channels`)[0]!.body).toEqual({
      name: 'staff-room',
      type: 0,
      permission_overwrites: [
        { id: GUILD_ID, type: 0, allow: '0', deny: '1024' },
        { id: '201', type: 0, allow: '1024', deny: '0' },
      ],
    })
    expect(wrapper.emitted('saved')?.[0]?.[0]).toMatchObject({ id: '50' })
  })

  it('puts the server’s name error under the name, back on the Overview tab', async () => {
    await loadServer({ [`POST /guilds/${GUILD_ID}/channels`]: jsonResponse(400, NAME_ERROR) })
    const wrapper = mountChannelDialog({ kind: 'create', type: 4, parentId: null })
    await wrapper.find('input[type="text"]').setValue('Lots')
    await wrapper.findAll('[role="tab"]')[1]!.trigger('click')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.findAll('[role="tab"]')[0]!.attributes('aria-selected')).toBe('true')
    expect(labelOf(wrapper, 'Category Name')).toContain('Must be between 1 and 100 characters.')
    expect(wrapper.find('[data-testid="form-error"]').exists()).toBe(false)
  })

  it('saves only what changed, and syncs with the category through lock_permissions', async () => {
    const { api } = await loadServer({ 'PATCH /channels/12': jsonResponse(200, { ...CHANNELS[2], topic: 'Mods only', permission_overwrites: [] }) })
    const wrapper = mountChannelDialog({ kind: 'edit', channelId: '12' })
    const submit = () => wrapper.find('button[type="submit"]')
    expect(submit().attributes('disabled')).toBeDefined()

    await wrapper.find('textarea').setValue('Mods only')
    await wrapper.findAll('[role="tab"]')[1]!.trigger('click')
    await wrapper.find('[data-testid="sync-with-category"]').trigger('click')
    expect(wrapper.find('[data-testid="sync-status"]').text()).toContain('synced with category')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(api.calls('PATCH /channels/12')[0]!.body).toEqual({ topic: 'Mods only', lock_permissions: true })
  })

  it('deletes after a confirmation', async () => {
    const { api, store } = await loadServer({ 'DELETE /channels/11': jsonResponse(200, CHANNELS[1]) })
    const wrapper = mountChannelDialog({ kind: 'edit', channelId: '11' })
    await wrapper.find('[data-testid="delete-channel"]').trigger('click')
    await flushPromises()
    const confirm = wrapper.findAll('form').at(-1)!
    await confirm.trigger('submit')
    await flushPromises()
    expect(api.calls('DELETE /channels/11')).toHaveLength(1)
    expect(wrapper.emitted('deleted')?.[0]).toEqual(['11'])
    expect(store.channelsOf(GUILD_ID).some((channel) => channel.id === '11')).toBe(false)
  })

  it('hides the Permissions tab from members without Manage Roles', async () => {
    installFakeApi(guildRoutes({ guild: guild('999'), members: [...MEMBERS] }))
    const store = useGuildsStore()
    await store.loadGuilds()
    await store.loadGuild(GUILD_ID)
    const wrapper = mountChannelDialog({ kind: 'create', type: 0, parentId: null })
    expect(wrapper.find('[role="tablist"]').exists()).toBe(false)
  })
})

describe('MemberModerationDialog', () => {
  it('times a member out for the chosen duration with the reason for the audit log', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-01T12:00:00Z'), toFake: ['Date'] })
    try {
      const { api } = await loadServer({ [`PATCH /guilds/${GUILD_ID}/members/302`]: jsonResponse(200, { ...MEMBERS[2], communication_disabled_until: '2026-03-01T13:00:00.000Z' }) })
      const wrapper = mount(MemberModerationDialog, {
        props: { open: true, action: 'timeout', guildId: GUILD_ID, guildName: 'Book Club', member: MEMBERS[2]! },
        attachTo: document.body,
      })
      const hour = wrapper.findAll('input[type="radio"]').find((radio) => (radio.element as HTMLInputElement).value === '3600')!
      await hour.setValue(true)
      await wrapper.find('textarea').setValue('Calm down')
      await wrapper.find('form').trigger('submit')
      await flushPromises()
      expect(api.calls(`PATCH /guilds/${GUILD_ID}/members/302`)[0]!.body).toEqual({ communication_disabled_until: '2026-03-01T13:00:00.000Z' })
      const init = api.fetch.mock.calls.find(([url]) => String(url).endsWith('/members/302'))![1]!
      expect((init.headers as Record<string, string>)['X-Audit-Log-Reason']).toBe('Calm%20down')
      expect(wrapper.emitted('done')).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('shows a refusal in the banner and stays open', async () => {
    await loadServer({ [`DELETE /guilds/${GUILD_ID}/members/301`]: jsonResponse(403, { code: 50013, message: 'Missing Permissions' }) })
    const wrapper = mount(MemberModerationDialog, {
      props: { open: true, action: 'kick', guildId: GUILD_ID, guildName: 'Book Club', member: MEMBERS[1]! },
      attachTo: document.body,
    })
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="form-error"]').text()).toContain('Missing Permissions')
    expect(wrapper.emitted('done')).toBeUndefined()
  })
})
