// The servers the signed-in user is in (`GET /users/@me/guilds`, loaded after sign-in) and, for
// each server opened, its channels, roles and members. The user's permissions are computed here
// from those (models/permissions.ts) to decide what the UI offers; hearthd checks every request
// again. Writes go through here so every view sees the result: the answer replaces the local copy,
// and the optimistic ones (a member's roles) roll back when refused.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '@/api/client'
import * as guildApi from '@/api/guilds'
import { acceptInvite } from '@/api/invites'
import * as memberApi from '@/api/members'
import { rolesByRank, type Channel, type Guild, type GuildSummary, type Role } from '@/models/guild'
import type { GuildMember, PublicUser } from '@/models/member'
import {
  ALL_PERMISSIONS,
  basePermissions,
  channelPermissions,
  hasPermission,
  parsePermissions,
  type PermissionSubject,
} from '@/models/permissions'
import { useSessionStore } from './session'

/** A server as the gateway sends it (READY's `guilds`, GUILD_CREATE): the guild with the visible channels. */
export type GatewayGuild = Guild & { channels?: Channel[]; member_count?: number; permissions?: string }

export type LoadStatus = 'idle' | 'loading' | 'done' | 'error'

/** One opened server. */
export interface GuildDetails {
  status: LoadStatus
  error: ApiError | null
  guild: Guild | null
  /** Only the channels the user can see: the server leaves the others out. */
  channels: Channel[]
  roles: Role[]
  members: GuildMember[]
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

function emptyDetails(): GuildDetails {
  return { status: 'idle', error: null, guild: null, channels: [], roles: [], members: [] }
}

export const useGuildsStore = defineStore('guilds', () => {
  const session = useSessionStore()
  const guilds = ref<GuildSummary[]>([])
  const listStatus = ref<LoadStatus>('idle')
  const listError = ref<ApiError | null>(null)
  const details = ref<Record<string, GuildDetails>>({})
  /** Every user seen in a member list this visit, so the audit log can name those since kicked. */
  const knownUsers = ref<Record<string, PublicUser>>({})
  /** Bumped by reset(), so answers to a signed-out session's requests are dropped. */
  let generation = 0
  const guildLoads = new Map<string, Promise<void>>()

  // --- reading -------------------------------------------------------------------------------

  function guildById(guildId: string | null): GuildSummary | null {
    if (guildId === null) return null
    return guilds.value.find((guild) => guild.id === guildId) ?? null
  }

  function detailsOf(guildId: string | null): GuildDetails | null {
    return guildId === null ? null : (details.value[guildId] ?? null)
  }

  function channelsOf(guildId: string | null): Channel[] {
    return detailsOf(guildId)?.channels ?? []
  }

  function rolesOf(guildId: string | null): Role[] {
    return detailsOf(guildId)?.roles ?? []
  }

  function membersOf(guildId: string | null): GuildMember[] {
    return detailsOf(guildId)?.members ?? []
  }

  function memberOf(guildId: string | null, userId: string | null | undefined): GuildMember | null {
    if (!userId) return null
    return membersOf(guildId).find((member) => member.user.id === userId) ?? null
  }

  /** What the permission computation needs about the signed-in user; null until it is all loaded. */
  function subjectIn(guildId: string | null): PermissionSubject | null {
    const loaded = detailsOf(guildId)
    const userId = session.user?.id
    if (!loaded?.guild || !userId || guildId === null) return null
    const member = memberOf(guildId, userId)
    if (!member && loaded.guild.owner_id !== userId) return null
    return {
      guildId,
      ownerId: loaded.guild.owner_id,
      userId,
      roles: loaded.roles,
      memberRoleIds: member?.roles ?? [],
      communicationDisabledUntil: member?.communication_disabled_until ?? null,
    }
  }

  /** Server-wide permissions; from the server list's figure until the server is opened. */
  function permissionsIn(guildId: string | null, now: number = Date.now()): bigint {
    const subject = subjectIn(guildId)
    if (subject) return basePermissions(subject, now)
    const summary = guildById(guildId)
    if (summary?.owner) return ALL_PERMISSIONS
    return parsePermissions(summary?.permissions)
  }

  function permissionsInChannel(guildId: string | null, channel: Channel | null, now: number = Date.now()): bigint {
    if (channel === null) return 0n
    const subject = subjectIn(guildId)
    if (subject) return channelPermissions(subject, channel, now)
    return permissionsIn(guildId, now)
  }

  function can(guildId: string | null, permission: bigint, channel?: Channel | null): boolean {
    const bits = channel === undefined ? permissionsIn(guildId) : permissionsInChannel(guildId, channel)
    return hasPermission(bits, permission)
  }

  function isOwner(guildId: string | null): boolean {
    const loaded = detailsOf(guildId)
    if (loaded?.guild && session.user) return loaded.guild.owner_id === session.user.id
    return guildById(guildId)?.owner === true
  }

  // --- loading -------------------------------------------------------------------------------

  async function loadGuilds(): Promise<void> {
    const started = generation
    listStatus.value = 'loading'
    listError.value = null
    try {
      const list = await guildApi.listMyGuilds()
      if (started !== generation) return
      guilds.value = list
      listStatus.value = 'done'
    } catch (error) {
      if (started !== generation) return
      listError.value = asApiError(error)
      listStatus.value = 'error'
    }
  }

  function patchDetails(guildId: string, change: Partial<GuildDetails>): void {
    details.value = { ...details.value, [guildId]: { ...(details.value[guildId] ?? emptyDetails()), ...change } }
  }

  /** Loads a server's details once (`force` loads again); concurrent calls share one load. */
  function loadGuild(guildId: string, force = false): Promise<void> {
    const current = details.value[guildId]
    if (!force && current && (current.status === 'done' || current.status === 'loading')) {
      return guildLoads.get(guildId) ?? Promise.resolve()
    }
    const started = generation
    patchDetails(guildId, { status: 'loading', error: null })
    const load = (async () => {
      try {
        const [guild, channels, members] = await Promise.all([
          guildApi.getGuild(guildId),
          guildApi.listChannels(guildId),
          memberApi.listAllMembers(guildId),
        ])
        if (started !== generation) return
        patchDetails(guildId, { status: 'done', guild, channels, roles: guild.roles, members })
        rememberUsers(members.map((member) => member.user))
        syncSummary(guild)
      } catch (error) {
        if (started !== generation) return
        patchDetails(guildId, { status: 'error', error: asApiError(error) })
      } finally {
        guildLoads.delete(guildId)
      }
    })()
    guildLoads.set(guildId, load)
    return load
  }

  /** The channels again: what the user sees changes with their roles and the overwrites. */
  async function refreshChannels(guildId: string): Promise<void> {
    const started = generation
    try {
      const channels = await guildApi.listChannels(guildId)
      if (started === generation && details.value[guildId]) patchDetails(guildId, { channels })
    } catch {
      // The list shown stays; the next load corrects it.
    }
  }

  function rememberUsers(users: readonly PublicUser[]): void {
    const next = { ...knownUsers.value }
    for (const user of users) next[user.id] = user
    knownUsers.value = next
  }

  function userById(userId: string | null): PublicUser | null {
    return userId === null ? null : (knownUsers.value[userId] ?? null)
  }

  /** Signed out: nothing of the last account may stay on screen. */
  function reset(): void {
    generation += 1
    guilds.value = []
    listStatus.value = 'idle'
    listError.value = null
    details.value = {}
    knownUsers.value = {}
    guildLoads.clear()
  }

  function syncSummary(guild: Guild): void {
    guilds.value = guilds.value.map((summary) =>
      summary.id === guild.id ? { ...summary, name: guild.name, icon: guild.icon } : summary,
    )
  }

  function forget(guildId: string): void {
    guilds.value = guilds.value.filter((guild) => guild.id !== guildId)
    const { [guildId]: _gone, ...rest } = details.value
    details.value = rest
  }

  // --- live changes (gateway events) --------------------------------------------------------

  function summaryFrom(guild: GatewayGuild, previous: GuildSummary | null): GuildSummary {
    const userId = session.user?.id
    return {
      id: guild.id,
      name: guild.name,
      icon: guild.icon,
      owner: userId ? guild.owner_id === userId : (previous?.owner ?? false),
      permissions: guild.permissions ?? previous?.permissions ?? '0',
    }
  }

  /** A server arrived or changed: the list's entry, and the opened details when they are loaded. */
  function applyGuild(guild: GatewayGuild): void {
    const previous = guildById(guild.id)
    const summary = summaryFrom(guild, previous)
    guilds.value = previous
      ? guilds.value.map((candidate) => (candidate.id === guild.id ? summary : candidate))
      : [...guilds.value, summary]
    const loaded = details.value[guild.id]
    if (loaded?.status !== 'done' || !loaded.guild) return
    const { channels, member_count: memberCount, permissions: _permissions, ...rest } = guild
    const change: Partial<GuildDetails> = {
      guild: { ...rest, roles: guild.roles ?? loaded.roles, approximate_member_count: memberCount ?? guild.approximate_member_count ?? loaded.guild.approximate_member_count },
    }
    if (Array.isArray(guild.roles)) change.roles = guild.roles
    if (Array.isArray(channels)) change.channels = channels
    patchDetails(guild.id, change)
  }

  /** READY: the servers as they are now (the list is replaced; loaded details take the news). */
  function applyReady(list: readonly GatewayGuild[]): void {
    const ids = new Set(list.map((guild) => guild.id))
    for (const id of Object.keys(details.value)) if (!ids.has(id)) forget(id)
    guilds.value = guilds.value.filter((summary) => ids.has(summary.id))
    for (const guild of list) applyGuild(guild)
    listStatus.value = 'done'
    listError.value = null
  }

  function applyChannel(guildId: string, channel: Channel): void {
    if (details.value[guildId]?.status !== 'done') return
    const channels = channelsOf(guildId)
    patchDetails(guildId, {
      channels: channels.some((candidate) => candidate.id === channel.id)
        ? channels.map((candidate) => (candidate.id === channel.id ? channel : candidate))
        : [...channels, channel],
    })
  }

  function removeChannel(guildId: string, channelId: string): void {
    if (!details.value[guildId]) return
    // A category's channels stay, outside any category.
    patchDetails(guildId, {
      channels: channelsOf(guildId)
        .filter((channel) => channel.id !== channelId)
        .map((channel) => (channel.parent_id === channelId ? { ...channel, parent_id: null } : channel)),
    })
  }

  function applyRole(guildId: string, role: Role): void {
    if (details.value[guildId]?.status !== 'done') return
    replaceRole(guildId, role)
  }

  function removeRole(guildId: string, roleId: string): void {
    if (!details.value[guildId]) return
    patchDetails(guildId, {
      roles: rolesOf(guildId).filter((role) => role.id !== roleId),
      members: membersOf(guildId).map((member) =>
        member.roles.includes(roleId) ? { ...member, roles: member.roles.filter((id) => id !== roleId) } : member,
      ),
    })
  }

  /** A member joined (`added`) or changed; the member count grows only for a newcomer. */
  function applyMember(guildId: string, member: GuildMember, added = false): void {
    if (!member?.user?.id) return
    rememberUsers([member.user])
    if (details.value[guildId]?.status !== 'done') return
    const members = membersOf(guildId)
    const known = members.some((candidate) => candidate.user.id === member.user.id)
    patchDetails(guildId, {
      members: known
        ? members.map((candidate) => (candidate.user.id === member.user.id ? { ...candidate, ...member } : candidate))
        : [...members, member],
    })
    const loaded = details.value[guildId]?.guild
    if (added && !known && loaded?.approximate_member_count !== undefined) {
      patchDetails(guildId, { guild: { ...loaded, approximate_member_count: loaded.approximate_member_count + 1 } })
    }
  }

  function applyMemberRemoved(guildId: string, userId: string): void {
    removeMember(guildId, userId)
  }

  // --- servers -------------------------------------------------------------------------------

  async function createGuild(body: guildApi.CreateGuildRequest): Promise<Guild> {
    const guild = await guildApi.createGuild(body)
    const summary = { id: guild.id, name: guild.name, icon: guild.icon, owner: true, permissions: ALL_PERMISSIONS.toString() }
    // GUILD_CREATE may have brought it already.
    guilds.value = [...guilds.value.filter((candidate) => candidate.id !== guild.id), summary]
    return guild
  }

  /** Joins through an invite; the server is then in the list (its permissions from a reload of it). */
  async function joinWithInvite(code: string): Promise<Guild> {
    const guild = await acceptInvite(code)
    if (!guildById(guild.id)) {
      const everyone = guild.roles.find((role) => role.id === guild.id)
      guilds.value = [...guilds.value, { id: guild.id, name: guild.name, icon: guild.icon, owner: false, permissions: everyone?.permissions ?? '0' }]
      void loadGuilds()
    }
    return guild
  }

  async function updateGuild(guildId: string, body: guildApi.UpdateGuildRequest, reason?: string): Promise<Guild> {
    const guild = await guildApi.updateGuild(guildId, body, reason)
    const previous = details.value[guildId]?.guild
    patchDetails(guildId, { guild: { ...guild, approximate_member_count: guild.approximate_member_count ?? previous?.approximate_member_count }, roles: guild.roles })
    syncSummary(guild)
    if (body.owner_id !== undefined) {
      guilds.value = guilds.value.map((summary) => (summary.id === guildId ? { ...summary, owner: false } : summary))
    }
    return guild
  }

  async function deleteGuild(guildId: string): Promise<void> {
    await guildApi.deleteGuild(guildId)
    forget(guildId)
  }

  async function leaveGuild(guildId: string): Promise<void> {
    await guildApi.leaveGuild(guildId)
    forget(guildId)
  }

  // --- channels ------------------------------------------------------------------------------

  async function createChannel(guildId: string, body: guildApi.CreateChannelRequest): Promise<Channel> {
    const channel = await guildApi.createChannel(guildId, body)
    // CHANNEL_CREATE may have brought it already.
    patchDetails(guildId, { channels: [...channelsOf(guildId).filter((candidate) => candidate.id !== channel.id), channel] })
    void refreshChannels(guildId)
    return channel
  }

  async function updateChannel(guildId: string, channelId: string, body: guildApi.UpdateChannelRequest): Promise<Channel> {
    const channel = await guildApi.updateChannel(channelId, body)
    patchDetails(guildId, { channels: channelsOf(guildId).map((candidate) => (candidate.id === channelId ? channel : candidate)) })
    if (body.permission_overwrites !== undefined || body.lock_permissions || body.parent_id !== undefined) {
      void refreshChannels(guildId)
    }
    return channel
  }

  async function deleteChannel(guildId: string, channelId: string): Promise<void> {
    await guildApi.deleteChannel(channelId)
    // A category's channels stay, outside any category.
    patchDetails(guildId, {
      channels: channelsOf(guildId)
        .filter((channel) => channel.id !== channelId)
        .map((channel) => (channel.parent_id === channelId ? { ...channel, parent_id: null } : channel)),
    })
  }

  // --- roles ---------------------------------------------------------------------------------

  function replaceRole(guildId: string, role: Role): void {
    const roles = rolesOf(guildId)
    patchDetails(guildId, {
      roles: roles.some((candidate) => candidate.id === role.id)
        ? roles.map((candidate) => (candidate.id === role.id ? role : candidate))
        : [...roles, role],
    })
  }

  async function createRole(guildId: string, body: guildApi.RoleRequest): Promise<Role> {
    const role = await guildApi.createRole(guildId, body)
    replaceRole(guildId, role)
    return role
  }

  async function updateRole(guildId: string, roleId: string, body: guildApi.RoleRequest): Promise<Role> {
    const role = await guildApi.updateRole(guildId, roleId, body)
    replaceRole(guildId, role)
    if (body.permissions !== undefined) void refreshChannels(guildId)
    return role
  }

  async function deleteRole(guildId: string, roleId: string): Promise<void> {
    await guildApi.deleteRole(guildId, roleId)
    patchDetails(guildId, {
      roles: rolesOf(guildId).filter((role) => role.id !== roleId),
      members: membersOf(guildId).map((member) =>
        member.roles.includes(roleId) ? { ...member, roles: member.roles.filter((id) => id !== roleId) } : member,
      ),
    })
    void refreshChannels(guildId)
  }

  /**
   * Moves a role one place up (-1) or down (+1) in the list shown highest first, swapping positions
   * with its neighbour; @everyone stays at the bottom.
   */
  async function moveRole(guildId: string, roleId: string, direction: -1 | 1): Promise<void> {
    const ranked = rolesByRank(rolesOf(guildId)).filter((role) => role.id !== guildId)
    const index = ranked.findIndex((role) => role.id === roleId)
    const neighbour = ranked[index + direction]
    const role = ranked[index]
    if (index < 0 || !neighbour || !role) return
    // Positions 1..n from the bottom, with the two swapped.
    const order = [...ranked]
    order[index] = neighbour
    order[index + direction] = role
    const positions = order.map((candidate, rank) => ({ id: candidate.id, position: order.length - rank }))
    const roles = await guildApi.reorderRoles(guildId, positions)
    if (Array.isArray(roles) && roles.length > 0) {
      patchDetails(guildId, { roles: rolesOf(guildId).map((candidate) => roles.find((moved) => moved.id === candidate.id) ?? candidate) })
    }
  }

  // --- members -------------------------------------------------------------------------------

  function replaceMember(guildId: string, userId: string, change: (member: GuildMember) => GuildMember): void {
    patchDetails(guildId, {
      members: membersOf(guildId).map((member) => (member.user.id === userId ? change(member) : member)),
    })
  }

  function removeMember(guildId: string, userId: string): void {
    // GUILD_MEMBER_REMOVE may have come first: count each member once.
    if (!memberOf(guildId, userId)) return
    patchDetails(guildId, { members: membersOf(guildId).filter((member) => member.user.id !== userId) })
    const loaded = details.value[guildId]?.guild
    if (loaded?.approximate_member_count !== undefined) {
      patchDetails(guildId, { guild: { ...loaded, approximate_member_count: Math.max(0, loaded.approximate_member_count - 1) } })
    }
  }

  /** Gives or takes a role at once, and puts it back when the server refuses. */
  async function setMemberRole(guildId: string, userId: string, roleId: string, give: boolean): Promise<void> {
    const before = memberOf(guildId, userId)
    if (!before) return
    replaceMember(guildId, userId, (member) => ({
      ...member,
      roles: give ? [...new Set([...member.roles, roleId])] : member.roles.filter((id) => id !== roleId),
    }))
    try {
      if (give) await memberApi.addMemberRole(guildId, userId, roleId)
      else await memberApi.removeMemberRole(guildId, userId, roleId)
    } catch (error) {
      replaceMember(guildId, userId, (member) => ({ ...member, roles: before.roles }))
      throw asApiError(error)
    }
    if (userId === session.user?.id) void refreshChannels(guildId)
  }

  async function updateMember(guildId: string, userId: string, body: memberApi.UpdateMemberRequest, reason?: string): Promise<GuildMember> {
    const member = await memberApi.updateMember(guildId, userId, body, reason)
    replaceMember(guildId, userId, () => member)
    return member
  }

  /** Times a member out until `until` (ISO), or lifts it (null). */
  function timeoutMember(guildId: string, userId: string, until: string | null, reason?: string): Promise<GuildMember> {
    return updateMember(guildId, userId, { communication_disabled_until: until }, reason)
  }

  async function kickMember(guildId: string, userId: string, reason?: string): Promise<void> {
    await memberApi.kickMember(guildId, userId, reason)
    removeMember(guildId, userId)
  }

  async function banMember(guildId: string, userId: string, deleteMessageSeconds: number, reason?: string): Promise<void> {
    await memberApi.banMember(guildId, userId, deleteMessageSeconds, reason)
    removeMember(guildId, userId)
  }

  return {
    guilds,
    listStatus,
    listError,
    details,
    guildById,
    detailsOf,
    channelsOf,
    rolesOf,
    membersOf,
    memberOf,
    userById,
    rememberUsers,
    subjectIn,
    permissionsIn,
    permissionsInChannel,
    can,
    isOwner,
    loadGuilds,
    loadGuild,
    refreshChannels,
    reset,
    forget,
    applyReady,
    applyGuild,
    applyChannel,
    removeChannel,
    applyRole,
    removeRole,
    applyMember,
    applyMemberRemoved,
    createGuild,
    joinWithInvite,
    updateGuild,
    deleteGuild,
    leaveGuild,
    createChannel,
    updateChannel,
    deleteChannel,
    createRole,
    updateRole,
    deleteRole,
    moveRole,
    setMemberRole,
    updateMember,
    timeoutMember,
    kickMember,
    banMember,
  }
})
