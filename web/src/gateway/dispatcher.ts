// Applies the gateway's DISPATCH events (docs/gateway.md) to the guilds store. hearthd sends each
// event only to those allowed to see it, so what arrives is added as is; what the user may see
// after a change of their roles or of overwrites is asked again of the server (the channel list),
// once per server however many events come in a burst.
import type { Channel, Role } from '@/models/guild'
import type { GuildMember, PublicUser } from '@/models/member'
import type { GatewayFrame } from './protocol'
import type { GatewayGuild } from '@/stores/guilds'

/** The part of the guilds store the dispatcher changes. */
export interface DispatchTarget {
  guildById(guildId: string | null): { id: string; name: string } | null
  memberOf(guildId: string | null, userId: string | null | undefined): GuildMember | null
  applyReady(guilds: readonly GatewayGuild[]): void
  applyGuild(guild: GatewayGuild): void
  forget(guildId: string): void
  applyChannel(guildId: string, channel: Channel): void
  removeChannel(guildId: string, channelId: string): void
  applyRole(guildId: string, role: Role): void
  removeRole(guildId: string, roleId: string): void
  applyMember(guildId: string, member: GuildMember, added?: boolean): void
  applyMemberRemoved(guildId: string, userId: string): void
  refreshChannels(guildId: string): Promise<void>
}

export interface GuildDispatcherOptions {
  store: DispatchTarget
  /** The signed-in user's id, null while unknown. */
  currentUserId: () => string | null
  /** The server open on screen, null at home. */
  openGuildId: () => string | null
  /** The open server is gone for this user (kicked, banned, deleted). */
  onLostOpenGuild: (guildId: string, name: string) => void
  /** Events within this time cause one channel refetch per server. */
  refetchDelayMs?: number
}

export interface GuildDispatcher {
  handle(frame: GatewayFrame): void
  /** Cancels pending refetches. */
  dispose(): void
}

export const REFETCH_DELAY_MS = 300

type Data = Record<string, unknown>

function isObject(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function stringField(data: Data, key: string): string | null {
  const value = data[key]
  return typeof value === 'string' && value !== '' ? value : null
}

export function createGuildDispatcher(options: GuildDispatcherOptions): GuildDispatcher {
  const { store } = options
  const delay = options.refetchDelayMs ?? REFETCH_DELAY_MS
  const pending = new Map<string, ReturnType<typeof setTimeout>>()

  /** Refetches the server's channels once `delay` has passed without another request for it. */
  function scheduleRefetch(guildId: string): void {
    const timer = pending.get(guildId)
    if (timer !== undefined) clearTimeout(timer)
    pending.set(
      guildId,
      setTimeout(() => {
        pending.delete(guildId)
        if (store.guildById(guildId) !== null) void store.refreshChannels(guildId)
      }, delay),
    )
  }

  function cancelRefetch(guildId: string): void {
    const timer = pending.get(guildId)
    if (timer !== undefined) clearTimeout(timer)
    pending.delete(guildId)
  }

  function isMe(userId: string | null | undefined): boolean {
    const me = options.currentUserId()
    return me !== null && userId === me
  }

  function hasRole(guildId: string, roleId: string): boolean {
    // @everyone's id is the server's: everyone has it.
    if (roleId === guildId) return true
    return store.memberOf(guildId, options.currentUserId())?.roles.includes(roleId) ?? false
  }

  function guildDeleted(guildId: string): void {
    cancelRefetch(guildId)
    const name = store.guildById(guildId)?.name ?? null
    if (name === null) return
    const wasOpen = options.openGuildId() === guildId
    store.forget(guildId)
    if (wasOpen) options.onLostOpenGuild(guildId, name)
  }

  function handle(frame: GatewayFrame): void {
    const data = frame.d
    if (!isObject(data)) return
    const guildId = stringField(data, 'guild_id')
    switch (frame.t) {
      case 'READY':
        if (Array.isArray(data.guilds)) store.applyReady(data.guilds.filter(isObject) as unknown as GatewayGuild[])
        break
      case 'GUILD_CREATE':
      case 'GUILD_UPDATE':
        if (stringField(data, 'id') && typeof data.name === 'string') store.applyGuild(data as unknown as GatewayGuild)
        break
      case 'GUILD_DELETE': {
        const id = stringField(data, 'id')
        // `unavailable` is an outage in Discord, not a loss of access; hearthd does not send it.
        if (id && data.unavailable !== true) guildDeleted(id)
        break
      }
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
        if (!guildId || !stringField(data, 'id')) break
        store.applyChannel(guildId, data as unknown as Channel)
        // Overwrites (or a new category) may show or hide other channels.
        if (frame.t === 'CHANNEL_UPDATE') scheduleRefetch(guildId)
        break
      case 'CHANNEL_DELETE': {
        const id = stringField(data, 'id')
        if (guildId && id) store.removeChannel(guildId, id)
        break
      }
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE': {
        const role = data.role
        if (!guildId || !isObject(role) || !stringField(role, 'id')) break
        store.applyRole(guildId, role as unknown as Role)
        if (frame.t === 'GUILD_ROLE_UPDATE' && hasRole(guildId, role.id as string)) scheduleRefetch(guildId)
        break
      }
      case 'GUILD_ROLE_DELETE': {
        const roleId = stringField(data, 'role_id')
        if (!guildId || !roleId) break
        const mine = hasRole(guildId, roleId)
        store.removeRole(guildId, roleId)
        if (mine) scheduleRefetch(guildId)
        break
      }
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_UPDATE': {
        const user = data.user
        if (!guildId || !isObject(user) || !stringField(user, 'id')) break
        const { guild_id: _guildId, ...member } = data
        store.applyMember(guildId, member as unknown as GuildMember, frame.t === 'GUILD_MEMBER_ADD')
        if (frame.t === 'GUILD_MEMBER_UPDATE' && isMe(user.id as string)) scheduleRefetch(guildId)
        break
      }
      case 'GUILD_MEMBER_REMOVE':
      case 'GUILD_BAN_ADD': {
        const user = data.user
        if (!guildId || !isObject(user)) break
        const userId = stringField(user, 'id')
        if (!userId) break
        // The user's own removal comes as GUILD_DELETE too; this covers it if that is missed.
        if (isMe(userId)) guildDeleted(guildId)
        else store.applyMemberRemoved(guildId, (user as unknown as PublicUser).id)
        break
      }
      default:
        // GUILD_BAN_REMOVE, INVITE_*, MESSAGE_*: nothing the client keeps yet.
        break
    }
  }

  return {
    handle,
    dispose() {
      for (const timer of pending.values()) clearTimeout(timer)
      pending.clear()
    },
  }
}
