import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createGuildDispatcher, type GuildDispatcher } from '@/gateway/dispatcher'
import type { Channel } from '@/models/guild'
import { useGuildsStore } from '@/stores/guilds'
import { signInAda } from '../components/account_dialogs_support'
import { ADA, installFakeApi } from '../support/fake_api'
import { CHANNELS, GUILD_ID, ROLES, guild, guildRoutes, member } from '../support/guild_fixtures'

const DELAY = 100
const MODS: Channel = CHANNELS.find((channel) => channel.name === 'mods')!

function event(t: string, d: unknown) {
  return { op: 0, t, s: 2, d }
}

let dispatcher: GuildDispatcher
let openGuildId: string | null
let lost: { guildId: string; name: string }[]

/** Ada, a plain member with no role, in Book Club owned by someone else; the server is loaded. */
async function setUp(routes: Record<string, Response | (() => Response)> = {}) {
  const members = [member(ADA.id, 'Ada Lovelace'), member('301', 'Mo', ['201'])]
  const api = installFakeApi({
    ...guildRoutes({ guild: guild('999'), channels: CHANNELS.filter((channel) => channel.id !== MODS.id), members }),
    ...routes,
  })
  const store = useGuildsStore()
  await store.loadGuilds()
  await store.loadGuild(GUILD_ID)
  openGuildId = GUILD_ID
  lost = []
  dispatcher = createGuildDispatcher({
    store,
    currentUserId: () => ADA.id,
    openGuildId: () => openGuildId,
    onLostOpenGuild: (guildId, name) => lost.push({ guildId, name }),
    refetchDelayMs: DELAY,
  })
  return { api, store }
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  dispatcher?.dispose()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('guild dispatcher: servers', () => {
  it('READY replaces the server list and seeds permissions and loaded details', async () => {
    const { store } = await setUp()
    dispatcher.handle(
      event('READY', {
        v: 10,
        user: ADA,
        guilds: [
          { ...guild('999'), name: 'Book Club 2', channels: CHANNELS, member_count: 7, permissions: '1024' },
          { ...guild(ADA.id), id: '950', name: 'Mine', roles: [], channels: [], member_count: 1, permissions: '8' },
        ],
      }),
    )
    expect(store.listStatus).toBe('done')
    expect(store.guilds).toEqual([
      { id: GUILD_ID, name: 'Book Club 2', icon: null, owner: false, permissions: '1024' },
      { id: '950', name: 'Mine', icon: null, owner: true, permissions: '8' },
    ])
    expect(store.detailsOf(GUILD_ID)?.guild?.name).toBe('Book Club 2')
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(7)
    expect(store.channelsOf(GUILD_ID)).toHaveLength(CHANNELS.length)
    // Not opened yet: loaded from REST when opened (members are not in READY).
    expect(store.detailsOf('950')).toBeNull()
  })

  it('READY without a server the client had drops it', async () => {
    const { store } = await setUp()
    dispatcher.handle(event('READY', { guilds: [] }))
    expect(store.guilds).toEqual([])
    expect(store.detailsOf(GUILD_ID)).toBeNull()
  })

  it('GUILD_CREATE adds a server once; GUILD_UPDATE renames it and replaces its roles', async () => {
    const { store } = await setUp()
    const other = { ...guild('999'), id: '960', name: 'Chess', channels: [], member_count: 2, permissions: '1024' }
    dispatcher.handle(event('GUILD_CREATE', other))
    dispatcher.handle(event('GUILD_CREATE', other))
    expect(store.guilds.map((summary) => summary.name)).toEqual(['Book Club', 'Chess'])

    const roles = ROLES.filter((role) => role.id !== '203')
    dispatcher.handle(event('GUILD_UPDATE', { ...guild('999'), name: 'Reading Room', roles }))
    expect(store.guildById(GUILD_ID)?.name).toBe('Reading Room')
    expect(store.detailsOf(GUILD_ID)?.guild?.name).toBe('Reading Room')
    // The count the REST load gave stays.
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(3)
    expect(store.rolesOf(GUILD_ID).map((role) => role.id)).toEqual(roles.map((role) => role.id))
  })

  it('GUILD_DELETE of the open server forgets it and reports the loss by name', async () => {
    const { store } = await setUp()
    dispatcher.handle(event('GUILD_DELETE', { id: GUILD_ID }))
    expect(store.guildById(GUILD_ID)).toBeNull()
    expect(store.detailsOf(GUILD_ID)).toBeNull()
    expect(lost).toEqual([{ guildId: GUILD_ID, name: 'Book Club' }])
  })

  it('GUILD_DELETE of another server only forgets it', async () => {
    const { store } = await setUp()
    openGuildId = null
    dispatcher.handle(event('GUILD_DELETE', { id: GUILD_ID }))
    expect(store.guilds).toEqual([])
    expect(lost).toEqual([])
    // Unknown servers and outages change nothing.
    dispatcher.handle(event('GUILD_DELETE', { id: '12345' }))
    dispatcher.handle(event('GUILD_DELETE', { id: GUILD_ID, unavailable: true }))
    expect(lost).toEqual([])
  })

  it('ignores malformed frames and events it does not keep', async () => {
    const { store } = await setUp()
    const before = JSON.stringify(store.details)
    dispatcher.handle({ op: 0, t: 'GUILD_UPDATE', d: null })
    dispatcher.handle(event('CHANNEL_CREATE', { id: '77' }))
    dispatcher.handle(event('GUILD_ROLE_CREATE', { guild_id: GUILD_ID }))
    dispatcher.handle(event('MESSAGE_CREATE', { id: '1', channel_id: '11', guild_id: GUILD_ID, content: 'hi' }))
    expect(JSON.stringify(store.details)).toBe(before)
  })
})

describe('guild dispatcher: channels, roles and members', () => {
  it('CHANNEL_CREATE adds, CHANNEL_UPDATE replaces, CHANNEL_DELETE removes (a category’s channels move out)', async () => {
    const { store } = await setUp()
    const news: Channel = { id: '13', type: 0, name: 'news', position: 2, parent_id: '10', guild_id: GUILD_ID, permission_overwrites: [] }
    dispatcher.handle(event('CHANNEL_CREATE', news))
    expect(store.channelsOf(GUILD_ID).map((channel) => channel.name)).toContain('news')

    dispatcher.handle(event('CHANNEL_UPDATE', { ...news, name: 'announcements' }))
    expect(store.channelsOf(GUILD_ID).filter((channel) => channel.id === '13').map((channel) => channel.name)).toEqual(['announcements'])

    dispatcher.handle(event('CHANNEL_DELETE', { id: '10', type: 4, name: 'Text Channels', guild_id: GUILD_ID }))
    const channels = store.channelsOf(GUILD_ID)
    expect(channels.find((channel) => channel.id === '10')).toBeUndefined()
    expect(channels.find((channel) => channel.id === '11')?.parent_id).toBeNull()
  })

  it('GUILD_ROLE_CREATE, UPDATE and DELETE change the roles and the members who had one', async () => {
    const { store } = await setUp()
    dispatcher.handle(event('GUILD_ROLE_CREATE', { guild_id: GUILD_ID, role: { ...ROLES[2]!, id: '204', name: 'Reader' } }))
    expect(store.rolesOf(GUILD_ID).map((role) => role.name)).toContain('Reader')

    dispatcher.handle(event('GUILD_ROLE_UPDATE', { guild_id: GUILD_ID, role: { ...ROLES[1]!, name: 'Mods', color: 1 } }))
    expect(store.rolesOf(GUILD_ID).find((role) => role.id === '201')).toMatchObject({ name: 'Mods', color: 1 })

    dispatcher.handle(event('GUILD_ROLE_DELETE', { guild_id: GUILD_ID, role_id: '201' }))
    expect(store.rolesOf(GUILD_ID).find((role) => role.id === '201')).toBeUndefined()
    expect(store.memberOf(GUILD_ID, '301')?.roles).toEqual([])
  })

  it('GUILD_MEMBER_ADD adds and counts, UPDATE replaces, REMOVE and BAN_ADD remove', async () => {
    const { store } = await setUp()
    dispatcher.handle(event('GUILD_MEMBER_ADD', { ...member('305', 'Zoe'), guild_id: GUILD_ID }))
    expect(store.memberOf(GUILD_ID, '305')?.user.global_name).toBe('Zoe')
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(4)
    expect(store.userById('305')?.username).toBe('zoe')

    dispatcher.handle(event('GUILD_MEMBER_UPDATE', { ...member('305', 'Zoe', ['202']), nick: 'Z', guild_id: GUILD_ID }))
    expect(store.memberOf(GUILD_ID, '305')).toMatchObject({ nick: 'Z', roles: ['202'] })

    dispatcher.handle(event('GUILD_MEMBER_REMOVE', { guild_id: GUILD_ID, user: { id: '305', username: 'zoe' } }))
    expect(store.memberOf(GUILD_ID, '305')).toBeNull()
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(3)

    dispatcher.handle(event('GUILD_BAN_ADD', { guild_id: GUILD_ID, user: { id: '301', username: 'mo' } }))
    expect(store.memberOf(GUILD_ID, '301')).toBeNull()
    expect(lost).toEqual([])
  })

  it('GUILD_MEMBER_REMOVE of the user themselves leaves the server', async () => {
    const { store } = await setUp()
    dispatcher.handle(event('GUILD_MEMBER_REMOVE', { guild_id: GUILD_ID, user: { id: ADA.id, username: 'ada' } }))
    expect(store.guildById(GUILD_ID)).toBeNull()
    expect(lost).toEqual([{ guildId: GUILD_ID, name: 'Book Club' }])
  })
})

describe('guild dispatcher: what the user can see', () => {
  it('refetches the channels once, debounced, when the user’s own roles change', async () => {
    vi.useFakeTimers()
    const { api, store } = await setUp({ [`GET /guilds/${GUILD_ID}/channels`]: () => new Response(JSON.stringify(CHANNELS), { status: 200 }) })
    const route = `GET /guilds/${GUILD_ID}/channels`
    const loads = api.calls(route).length

    dispatcher.handle(event('GUILD_MEMBER_UPDATE', { ...member(ADA.id, 'Ada Lovelace', ['201']), guild_id: GUILD_ID }))
    expect(store.memberOf(GUILD_ID, ADA.id)?.roles).toEqual(['201'])
    vi.advanceTimersByTime(DELAY / 2)
    dispatcher.handle(event('GUILD_ROLE_UPDATE', { guild_id: GUILD_ID, role: ROLES[1] }))
    dispatcher.handle(event('CHANNEL_UPDATE', { ...CHANNELS[1]!, guild_id: GUILD_ID }))
    vi.advanceTimersByTime(DELAY - 1)
    expect(api.calls(route)).toHaveLength(loads)
    vi.advanceTimersByTime(1)
    expect(api.calls(route)).toHaveLength(loads + 1)
    vi.useRealTimers()
    await flushPromises()
    expect(store.channelsOf(GUILD_ID).map((channel) => channel.name)).toContain('mods')
  })

  it('does not refetch for someone else’s member update or a role the user lacks', async () => {
    vi.useFakeTimers()
    const { api } = await setUp()
    const route = `GET /guilds/${GUILD_ID}/channels`
    const loads = api.calls(route).length
    dispatcher.handle(event('GUILD_MEMBER_UPDATE', { ...member('301', 'Mo', []), guild_id: GUILD_ID }))
    dispatcher.handle(event('GUILD_ROLE_UPDATE', { guild_id: GUILD_ID, role: ROLES[1] }))
    vi.advanceTimersByTime(DELAY * 5)
    expect(api.calls(route)).toHaveLength(loads)
    // @everyone is everyone's.
    dispatcher.handle(event('GUILD_ROLE_UPDATE', { guild_id: GUILD_ID, role: ROLES[0] }))
    vi.advanceTimersByTime(DELAY)
    expect(api.calls(route)).toHaveLength(loads + 1)
  })

  it('debounces per server, and a server left in the meantime is not refetched', async () => {
    vi.useFakeTimers()
    const { api } = await setUp()
    const route = `GET /guilds/${GUILD_ID}/channels`
    const loads = api.calls(route).length
    dispatcher.handle(event('CHANNEL_UPDATE', { ...CHANNELS[1]!, guild_id: GUILD_ID }))
    dispatcher.handle(event('CHANNEL_UPDATE', { ...CHANNELS[1]!, id: '70', guild_id: '960' }))
    dispatcher.handle(event('GUILD_DELETE', { id: GUILD_ID }))
    vi.advanceTimersByTime(DELAY * 2)
    expect(api.calls(route)).toHaveLength(loads)
    expect(api.calls('GET /guilds/960/channels')).toHaveLength(0)
  })
})

describe('guild dispatcher and REST answers together', () => {
  it('counts a kicked member once when GUILD_MEMBER_REMOVE arrives before the kick’s answer', async () => {
    const { store } = await setUp({ [`DELETE /guilds/${GUILD_ID}/members/301`]: new Response(null, { status: 204 }) })
    dispatcher.handle(event('GUILD_MEMBER_REMOVE', { guild_id: GUILD_ID, user: { id: '301', username: 'mo' } }))
    await store.kickMember(GUILD_ID, '301')
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(2)
  })

  it('lists a created channel once when CHANNEL_CREATE arrives before the answer', async () => {
    const news: Channel = { id: '13', type: 0, name: 'news', position: 2, parent_id: '10', guild_id: GUILD_ID }
    const { store } = await setUp({ [`POST /guilds/${GUILD_ID}/channels`]: new Response(JSON.stringify(news), { status: 201 }) })
    dispatcher.handle(event('CHANNEL_CREATE', news))
    await store.createChannel(GUILD_ID, { name: 'news', type: 0 })
    expect(store.channelsOf(GUILD_ID).filter((channel) => channel.id === '13')).toHaveLength(1)
  })
})
