import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ChannelList from '@/components/channel/ChannelList.vue'
import DmDialogs from '@/components/dm/DmDialogs.vue'
import DmHeader from '@/components/dm/DmHeader.vue'
import ServerRail from '@/components/server/ServerRail.vue'
import UserPanel from '@/components/user/UserPanel.vue'
import UserProfilePopover from '@/components/user/UserProfilePopover.vue'
import type { PresencePayload } from '@/models/presence'
import { useDmDialogsStore } from '@/stores/dm_dialogs'
import { useDmsStore } from '@/stores/dms'
import { usePresenceStore } from '@/stores/presence'
import { useProfilePopoverStore } from '@/stores/profile_popover'
import { useReadStatesStore } from '@/stores/read_states'
import { useRelationshipsStore } from '@/stores/relationships'
import { signInAda } from './account_dialogs_support'
import { fillSocialStores, mountAt } from './social_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { CHANNELS, GUILD_ID } from '../support/guild_fixtures'
import { BOB, CAROL, DAVE, dm, group, message } from '../support/social_fixtures'

beforeEach(() => {
  localStorage.clear()
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const SERVER = { id: GUILD_ID, name: 'Book Club', icon: null }

function readServer() {
  const readStates = useReadStatesStore()
  readStates.applyReady(
    [
      { id: '11', last_message_id: '500', mention_count: 0 },
      { id: '12', last_message_id: '500', mention_count: 0 },
    ],
    [{ id: GUILD_ID, channels: CHANNELS.map((channel) => ({ ...channel, last_message_id: channel.type === 0 ? '500' : null })) }],
    [],
  )
  return readStates
}

describe('ServerRail unread state', () => {
  it('shows a server’s unread pill and mention count, and clears them once read', async () => {
    const readStates = readServer()
    const { wrapper } = await mountAt(ServerRail, '/channels/@me', { guilds: [SERVER], activeGuildId: null })
    const server = () => wrapper.findAll('.rail-item').find((item) => item.find('[aria-label="Book Club"]').exists())!
    expect(server().classes()).not.toContain('rail-item--unread')
    readStates.applyMessage(message('600', '11', BOB.id, { guild_id: GUILD_ID }), { userId: '100' })
    readStates.applyMessage(message('601', '11', BOB.id, { guild_id: GUILD_ID, mentions: [{ id: '100' }] }), { userId: '100' })
    await flushPromises()
    expect(server().classes()).toContain('rail-item--unread')
    expect(server().find('[data-testid="rail-badge"]').text()).toBe('1')
    // Screen readers hear it too.
    const link = server().find('a')
    expect(document.getElementById(link.attributes('aria-describedby')!)?.textContent).toBe('1 mention')
    readStates.markRead('11', '601')
    await flushPromises()
    expect(server().classes()).not.toContain('rail-item--unread')
    expect(server().find('[data-testid="rail-badge"]').exists()).toBe(false)
  })

  it('badges Home with DM mentions plus friend requests and puts unread DMs under it', async () => {
    fillSocialStores()
    const { wrapper } = await mountAt(ServerRail, '/channels/@me', { guilds: [], activeGuildId: null })
    const home = wrapper.find('.rail-item--home')
    expect(home.find('[data-testid="rail-badge"]').text()).toBe('3')
    expect(wrapper.findAll('[data-testid="rail-dm"]').map((item) => item.find('a').attributes('aria-label'))).toEqual(['Bob Builder'])
  })

  it('leaves the open DM off the rail', async () => {
    fillSocialStores()
    const { wrapper } = await mountAt(ServerRail, '/channels/@me/1000', { guilds: [], activeGuildId: null })
    expect(wrapper.findAll('[data-testid="rail-dm"]')).toHaveLength(0)
  })
})

describe('ChannelList unread state', () => {
  it('makes unread channels bold with their mention badge; the open one stays plain', async () => {
    const readStates = readServer()
    readStates.applyMessage(message('600', '12', BOB.id, { guild_id: GUILD_ID, mention_everyone: true }), { userId: '100' })
    readStates.applyMessage(message('601', '11', BOB.id, { guild_id: GUILD_ID, mention_everyone: true }), { userId: '100' })
    const { wrapper } = await mountAt(ChannelList, `/app/${GUILD_ID}/11`, { guildId: GUILD_ID, channels: CHANNELS, activeChannelId: '11' })
    const item = (name: string) => wrapper.findAll('[data-testid="channel-item"]').find((candidate) => candidate.text().startsWith(name))!
    expect(item('mods').classes()).toContain('channel-list__item--unread')
    expect(item('mods').find('.ui-badge').text()).toBe('1')
    expect(item('general').classes()).not.toContain('channel-list__item--unread')
    expect(item('general').find('.ui-badge').exists()).toBe(false)
    // A collapsed category still shows its unread channels.
    await wrapper.find('.channel-list__category-toggle').trigger('click')
    expect(wrapper.findAll('[data-testid="channel-item"]').map((candidate) => candidate.find('.channel-list__channel-name').text())).toEqual([
      'general',
      'mods',
      'Lounge',
    ])
  })
})

describe('UserPanel status', () => {
  it('picks Do Not Disturb and a custom status, sending each to the gateway', async () => {
    const presence = usePresenceStore()
    const sent: PresencePayload[] = []
    presence.attachSender((payload) => sent.push(payload) > 0)
    presence.onReady()
    const { wrapper } = await mountAt(UserPanel, '/channels/@me', {
      displayName: 'Ada Lovelace',
      username: 'ada',
      gatewayState: 'connected',
      latencyMs: 20,
      theme: 'dark',
    })
    const opener = wrapper.find('[data-testid="user-panel-status"]')
    expect(opener.attributes('aria-label')).toBe('Set Status, Online')
    await opener.trigger('click')
    await document.querySelector<HTMLElement>('[data-testid="status-dnd"]')!.click()
    await flushPromises()
    expect(presence.chosenStatus).toBe('dnd')
    expect(sent.at(-1)).toMatchObject({ status: 'dnd', afk: false })
    expect(wrapper.find('.ui-avatar__status--dnd').exists()).toBe(true)
    expect(document.querySelector('[data-testid="status-menu"]')).toBeNull()

    await opener.trigger('click')
    await document.querySelector<HTMLElement>('[data-testid="status-custom"]')!.click()
    await flushPromises()
    const input = document.querySelector<HTMLInputElement>('#custom-status-input')!
    input.value = 'Out for lunch'
    input.dispatchEvent(new Event('input'))
    document.querySelector<HTMLFormElement>('[data-testid="custom-status-dialog"] form')!.requestSubmit()
    await flushPromises()
    expect(sent.at(-1)?.activities).toEqual([{ type: 4, name: 'Custom Status', state: 'Out for lunch' }])
    expect(wrapper.find('[data-testid="user-panel-username"]').text()).toBe('Out for lunch')

    await opener.trigger('click')
    await document.querySelector<HTMLElement>('[data-testid="status-custom-clear"]')!.click()
    await flushPromises()
    expect(presence.customStatus).toBeNull()
    expect(wrapper.find('[data-testid="user-panel-username"]').text()).toBe('ada')
  })

  it('shows offline while the gateway is away, whatever was chosen', async () => {
    const { wrapper } = await mountAt(UserPanel, '/channels/@me', {
      displayName: 'Ada Lovelace',
      username: 'ada',
      gatewayState: 'reconnecting',
      latencyMs: null,
      theme: 'dark',
    })
    expect(wrapper.find('.ui-avatar__status--offline').exists()).toBe(true)
  })
})

describe('UserProfilePopover', () => {
  it('opens the DM from "Message" and sends a friend request from "Add Friend"', async () => {
    const api = installFakeApi({
      'POST /users/@me/channels': jsonResponse(200, dm('3000', DAVE)),
      [`PUT /users/@me/relationships/${DAVE.id}`]: jsonResponse(204),
    })
    usePresenceStore().applyReady([{ user: { id: DAVE.id }, status: 'idle', activities: [{ type: 4, name: 'Custom Status', state: 'Napping' }] }])
    const { router } = await mountAt(UserProfilePopover)
    const anchor = document.createElement('button')
    document.body.append(anchor)
    useProfilePopoverStore().open(DAVE, anchor)
    await flushPromises()
    const card = () => document.querySelector<HTMLElement>('[data-testid="profile-popover"]')
    expect(card()?.textContent).toContain('Dave')
    expect(card()?.querySelector('[data-testid="profile-custom-status"]')?.textContent?.trim()).toBe('Napping')
    expect(card()?.querySelector('.ui-avatar__status--idle')).not.toBeNull()

    card()!.querySelector<HTMLElement>('[data-testid="profile-add-friend"]')!.click()
    await flushPromises()
    expect(api.calls(`PUT /users/@me/relationships/${DAVE.id}`)).toHaveLength(1)

    card()!.querySelector<HTMLElement>('[data-testid="profile-message"]')!.click()
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/channels/@me/3000')
    expect(card()).toBeNull()
  })

  it('closes on Escape and offers nothing to do to oneself', async () => {
    await mountAt(UserProfilePopover)
    const anchor = document.createElement('button')
    document.body.append(anchor)
    useProfilePopoverStore().open({ id: '100', username: 'ada', global_name: 'Ada Lovelace', avatar: null }, anchor)
    await flushPromises()
    const card = document.querySelector<HTMLElement>('[data-testid="profile-popover"]')!
    expect(card.querySelector('[data-testid="profile-message"]')).toBeNull()
    card.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(document.querySelector('[data-testid="profile-popover"]')).toBeNull()
    expect(document.activeElement).toBe(anchor)
  })
})

describe('group DMs', () => {
  it('renames a group in place (Escape puts the name back)', async () => {
    const channel = group('2000', [BOB, CAROL], null, 'Readers')
    useDmsStore().applyReady([channel])
    const api = installFakeApi({ 'PATCH /channels/2000': jsonResponse(200, { ...channel, name: 'Book Nerds' }) })
    const { wrapper } = await mountAt(DmHeader, '/channels/@me/2000', { channel, membersVisible: true })
    const input = wrapper.find('[data-testid="dm-group-name"]')
    await input.setValue('Nope')
    await input.trigger('keydown', { key: 'Escape' })
    expect((input.element as HTMLInputElement).value).toBe('Readers')
    await input.setValue('Book Nerds')
    await input.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(api.calls('PATCH /channels/2000')[0]!.body).toEqual({ name: 'Book Nerds' })
    expect(useDmsStore().dmById('2000')?.name).toBe('Book Nerds')
  })

  it('leaves a group after Discord’s warning and goes home', async () => {
    useDmsStore().applyReady([group('2000', [BOB, CAROL], null, 'Readers')])
    const api = installFakeApi({ 'DELETE /channels/2000': jsonResponse(200, {}) })
    const { router } = await mountAt(DmDialogs, '/channels/@me/2000')
    useDmDialogsStore().open({ kind: 'leave-group', channelId: '2000' })
    await flushPromises()
    const dialog = document.querySelector<HTMLElement>('[data-testid="leave-group-dialog"]')!
    expect(dialog.textContent).toContain("Leave 'Readers'")
    expect(dialog.textContent).toContain("You won't be able to rejoin this group unless you are re-added.")
    dialog.querySelector('form')!.requestSubmit()
    await flushPromises()
    expect(api.calls('DELETE /channels/2000')).toHaveLength(1)
    expect(useDmsStore().has('2000')).toBe(false)
    expect(router.currentRoute.value.fullPath).toBe('/channels/@me')
  })

  it('adds friends to a group, and turns a DM plus friends into a new group', async () => {
    useRelationshipsStore().applyReady([
      { id: BOB.id, type: 1, user: BOB },
      { id: CAROL.id, type: 1, user: CAROL },
      { id: DAVE.id, type: 1, user: DAVE },
    ])
    useDmsStore().applyReady([group('2000', [BOB], null, 'Readers'), dm('1000', BOB)])
    const api = installFakeApi({
      [`PUT /channels/2000/recipients/${CAROL.id}`]: jsonResponse(204),
      'POST /users/@me/channels': jsonResponse(200, group('4000', [BOB, DAVE])),
    })
    const { router } = await mountAt(DmDialogs, '/channels/@me/2000')
    const pick = async (name: string) => {
      const box = [...document.querySelectorAll<HTMLInputElement>('[data-testid="dm-create-friend"]')].find(
        (candidate) => candidate.getAttribute('aria-label') === name,
      )!
      box.click()
      await flushPromises()
    }
    useDmDialogsStore().open({ kind: 'add-people', channelId: '2000' })
    await flushPromises()
    await pick('carol')
    document.querySelector<HTMLFormElement>('[data-testid="dm-create-dialog"][open] form')!.requestSubmit()
    await flushPromises()
    expect(api.calls(`PUT /channels/2000/recipients/${CAROL.id}`)).toHaveLength(1)
    expect(useDmsStore().dmById('2000')?.recipients.map((user) => user.id)).toEqual([BOB.id, CAROL.id])

    useDmDialogsStore().open({ kind: 'add-people', channelId: '1000' })
    await flushPromises()
    await pick('Dave')
    document.querySelector<HTMLFormElement>('[data-testid="dm-create-dialog"][open] form')!.requestSubmit()
    await flushPromises()
    expect(api.calls('POST /users/@me/channels')[0]!.body).toEqual({ recipients: [BOB.id, DAVE.id] })
    expect(router.currentRoute.value.fullPath).toBe('/channels/@me/4000')
  })
})
