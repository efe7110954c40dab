import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { Permission } from '@/models/permissions'
import { useGuildsStore } from '@/stores/guilds'
import { signInAda } from '../components/account_dialogs_support'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { CHANNELS, GUILD_ID, MEMBERS, ROLES, guild, guildRoutes } from '../support/guild_fixtures'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('guilds store', () => {
  it('loads the server list, then a server with its channels, roles and members', async () => {
    const api = installFakeApi(guildRoutes())
    const store = useGuildsStore()
    await store.loadGuilds()
    expect(store.listStatus).toBe('done')
    expect(store.guilds.map((summary) => summary.name)).toEqual(['Book Club'])

    await store.loadGuild(GUILD_ID)
    expect(store.detailsOf(GUILD_ID)?.status).toBe('done')
    expect(store.channelsOf(GUILD_ID)).toHaveLength(CHANNELS.length)
    expect(store.rolesOf(GUILD_ID)).toHaveLength(ROLES.length)
    expect(store.membersOf(GUILD_ID)).toHaveLength(MEMBERS.length)
    expect(api.calls(`GET /guilds/${GUILD_ID}/members`)).toHaveLength(1)

    // Loaded once; a second call shares it.
    await store.loadGuild(GUILD_ID)
    expect(api.calls(`GET /guilds/${GUILD_ID}`)).toHaveLength(1)
  })

  it('computes the signed-in user’s permissions: the owner has all, a moderator what their roles say', async () => {
    installFakeApi(guildRoutes({ guild: guild('999') }))
    const store = useGuildsStore()
    await store.loadGuilds()
    // Before the server is opened, the list's figure counts.
    expect(store.can(GUILD_ID, Permission.MANAGE_GUILD)).toBe(true)
    await store.loadGuild(GUILD_ID)
    // Ada is a plain member of a server owned by someone else.
    expect(store.isOwner(GUILD_ID)).toBe(false)
    expect(store.can(GUILD_ID, Permission.MANAGE_GUILD)).toBe(false)
    const mods = CHANNELS.find((channel) => channel.name === 'mods')!
    expect(store.permissionsInChannel(GUILD_ID, mods)).toBe(0n)
    const general = CHANNELS.find((channel) => channel.name === 'general')!
    expect(store.can(GUILD_ID, Permission.SEND_MESSAGES, general)).toBe(true)
  })

  it('creates a server and lists it as owned', async () => {
    const api = installFakeApi({ 'POST /guilds': jsonResponse(201, { ...guild(), id: '42', name: 'New' }) })
    const store = useGuildsStore()
    const created = await store.createGuild({ name: 'New' })
    expect(created.id).toBe('42')
    expect(api.calls('POST /guilds')[0]!.body).toEqual({ name: 'New' })
    expect(store.guildById('42')).toMatchObject({ name: 'New', owner: true })
    expect(store.isOwner('42')).toBe(true)
  })

  it('gives a role at once and takes it back when the server refuses', async () => {
    let answer = jsonResponse(403, { code: 50013, message: 'You can only manage roles below your highest role' })
    installFakeApi({ ...guildRoutes(), [`PUT /guilds/${GUILD_ID}/members/302/roles/201`]: () => answer.clone() })
    const store = useGuildsStore()
    await store.loadGuilds()
    await store.loadGuild(GUILD_ID)

    const pending = store.setMemberRole(GUILD_ID, '302', '201', true)
    expect(store.memberOf(GUILD_ID, '302')?.roles).toContain('201')
    await expect(pending).rejects.toBeInstanceOf(ApiError)
    expect(store.memberOf(GUILD_ID, '302')?.roles).toEqual(['203', '202'])

    answer = jsonResponse(204)
    await store.setMemberRole(GUILD_ID, '302', '201', true)
    expect(store.memberOf(GUILD_ID, '302')?.roles).toEqual(['203', '202', '201'])
  })

  it('kicks and bans with the reason in X-Audit-Log-Reason, and drops the member', async () => {
    const api = installFakeApi({
      ...guildRoutes(),
      [`DELETE /guilds/${GUILD_ID}/members/303`]: jsonResponse(204),
      [`PUT /guilds/${GUILD_ID}/bans/302`]: jsonResponse(204),
    })
    const store = useGuildsStore()
    await store.loadGuilds()
    await store.loadGuild(GUILD_ID)
    await store.kickMember(GUILD_ID, '303', 'Spam & more')
    await store.banMember(GUILD_ID, '302', 3600)
    expect(store.membersOf(GUILD_ID).map((member) => member.user.id)).toEqual([ADA.id, '301'])
    expect(store.detailsOf(GUILD_ID)?.guild?.approximate_member_count).toBe(1)
    const [kickUrl, kickInit] = api.fetch.mock.calls.find(([url]) => String(url).endsWith('/members/303'))!
    expect(String(kickUrl)).toContain('/members/303')
    expect((kickInit?.headers as Record<string, string>)['X-Audit-Log-Reason']).toBe('Spam%20%26%20more')
    expect(api.calls(`PUT /guilds/${GUILD_ID}/bans/302`)[0]!.body).toEqual({ delete_message_seconds: 3600 })
  })

  it('moves a role by swapping positions with its neighbour', async () => {
    const api = installFakeApi({ ...guildRoutes(), [`PATCH /guilds/${GUILD_ID}/roles`]: jsonResponse(200, []) })
    const store = useGuildsStore()
    await store.loadGuilds()
    await store.loadGuild(GUILD_ID)
    await store.moveRole(GUILD_ID, '203', -1)
    expect(api.calls(`PATCH /guilds/${GUILD_ID}/roles`)[0]!.body).toEqual([
      { id: '201', position: 3 },
      { id: '203', position: 2 },
      { id: '202', position: 1 },
    ])
  })

  it('forgets everything on reset and ignores answers that arrive afterwards', async () => {
    let release: (response: Response) => void = () => {}
    installFakeApi({ 'GET /users/@me/guilds': () => new Promise<Response>((resolve) => (release = resolve)) })
    const store = useGuildsStore()
    const loading = store.loadGuilds()
    store.reset()
    release(jsonResponse(200, [{ id: '1', name: 'Late', icon: null }]))
    await loading
    await flushPromises()
    expect(store.guilds).toEqual([])
    expect(store.listStatus).toBe('idle')
  })

  it('leaves a server and removes it from the list', async () => {
    installFakeApi({ ...guildRoutes(), [`DELETE /users/@me/guilds/${GUILD_ID}`]: jsonResponse(204) })
    const store = useGuildsStore()
    await store.loadGuilds()
    await store.loadGuild(GUILD_ID)
    await store.leaveGuild(GUILD_ID)
    expect(store.guildById(GUILD_ID)).toBeNull()
    expect(store.detailsOf(GUILD_ID)).toBeNull()
  })
})
