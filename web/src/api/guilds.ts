// Servers, their channels, permission overwrites, roles and audit log (Discord v10 shapes).
import type { Channel, ChannelTypeValue, Guild, GuildSummary, PermissionOverwrite, Role } from '@/models/guild'
import { api, type ApiClient } from './client'

/** `X-Audit-Log-Reason`, percent-encoded as Discord expects; none for an empty reason. */
export function auditReasonHeaders(reason?: string | null): Record<string, string> | undefined {
  const text = reason?.trim()
  return text ? { 'X-Audit-Log-Reason': encodeURIComponent(text) } : undefined
}

const id = encodeURIComponent

export interface CreateGuildRequest {
  name: string
  /** A `data:image/...;base64,` URI. */
  icon?: string
}

export interface UpdateGuildRequest {
  name?: string
  description?: string | null
  /** A data URI, or null to remove the icon. */
  icon?: string | null
  /** Transfers ownership (owner only). */
  owner_id?: string
  /** 0 all messages, 1 only @mentions, for members who set nothing. */
  default_message_notifications?: 0 | 1
}

export interface CreateChannelRequest {
  name: string
  type: ChannelTypeValue
  parent_id?: string | null
  topic?: string | null
  rate_limit_per_user?: number
  permission_overwrites?: PermissionOverwrite[]
}

export interface UpdateChannelRequest {
  name?: string
  topic?: string | null
  rate_limit_per_user?: number
  parent_id?: string | null
  permission_overwrites?: PermissionOverwrite[]
  /** Copy the category's overwrites. */
  lock_permissions?: boolean
}

export interface ChannelPosition {
  id: string
  position: number
  parent_id?: string | null
}

export interface RoleRequest {
  name?: string
  color?: number
  hoist?: boolean
  mentionable?: boolean
  permissions?: string
}

export interface AuditLogChange {
  key: string
  old_value?: unknown
  new_value?: unknown
}

export interface AuditLogEntry {
  id: string
  user_id: string | null
  target_id: string | null
  action_type: number
  reason: string | null
  changes: AuditLogChange[] | null
}

export interface AuditLogQuery {
  user_id?: string
  action_type?: number
  before?: string
  limit?: number
}

export const listMyGuilds = (client: ApiClient = api) => client.get<GuildSummary[]>('/users/@me/guilds')

export const createGuild = (body: CreateGuildRequest, client: ApiClient = api) => client.post<Guild>('/guilds', body)

export const getGuild = (guildId: string, client: ApiClient = api) =>
  client.get<Guild>(`/guilds/${id(guildId)}`, { query: { with_counts: true } })

export const updateGuild = (guildId: string, body: UpdateGuildRequest, reason?: string, client: ApiClient = api) =>
  client.patch<Guild>(`/guilds/${id(guildId)}`, body, { headers: auditReasonHeaders(reason) })

export const deleteGuild = (guildId: string, client: ApiClient = api) => client.delete<void>(`/guilds/${id(guildId)}`)

export const leaveGuild = (guildId: string, client: ApiClient = api) =>
  client.delete<void>(`/users/@me/guilds/${id(guildId)}`)

export const listChannels = (guildId: string, client: ApiClient = api) =>
  client.get<Channel[]>(`/guilds/${id(guildId)}/channels`)

export const createChannel = (guildId: string, body: CreateChannelRequest, reason?: string, client: ApiClient = api) =>
  client.post<Channel>(`/guilds/${id(guildId)}/channels`, body, { headers: auditReasonHeaders(reason) })

export const reorderChannels = (guildId: string, positions: ChannelPosition[], client: ApiClient = api) =>
  client.patch<void>(`/guilds/${id(guildId)}/channels`, positions)

export const updateChannel = (channelId: string, body: UpdateChannelRequest, reason?: string, client: ApiClient = api) =>
  client.patch<Channel>(`/channels/${id(channelId)}`, body, { headers: auditReasonHeaders(reason) })

export const deleteChannel = (channelId: string, reason?: string, client: ApiClient = api) =>
  client.delete<Channel>(`/channels/${id(channelId)}`, { headers: auditReasonHeaders(reason) })

export const putOverwrite = (channelId: string, overwrite: PermissionOverwrite, client: ApiClient = api) =>
  client.put<void>(`/channels/${id(channelId)}/permissions/${id(overwrite.id)}`, {
    type: overwrite.type,
    allow: overwrite.allow,
    deny: overwrite.deny,
  })

export const deleteOverwrite = (channelId: string, overwriteId: string, client: ApiClient = api) =>
  client.delete<void>(`/channels/${id(channelId)}/permissions/${id(overwriteId)}`)

export const listRoles = (guildId: string, client: ApiClient = api) => client.get<Role[]>(`/guilds/${id(guildId)}/roles`)

export const createRole = (guildId: string, body: RoleRequest, client: ApiClient = api) =>
  client.post<Role>(`/guilds/${id(guildId)}/roles`, body)

export const updateRole = (guildId: string, roleId: string, body: RoleRequest, client: ApiClient = api) =>
  client.patch<Role>(`/guilds/${id(guildId)}/roles/${id(roleId)}`, body)

export const reorderRoles = (guildId: string, positions: { id: string; position: number }[], client: ApiClient = api) =>
  client.patch<Role[]>(`/guilds/${id(guildId)}/roles`, positions)

export const deleteRole = (guildId: string, roleId: string, client: ApiClient = api) =>
  client.delete<void>(`/guilds/${id(guildId)}/roles/${id(roleId)}`)

export const getAuditLog = (guildId: string, query: AuditLogQuery = {}, client: ApiClient = api) =>
  client.get<{ audit_log_entries: AuditLogEntry[] }>(`/guilds/${id(guildId)}/audit-logs`, { query: { ...query } })
