// Server members, their roles, moderation (kick, ban, timeout) and bans.
import type { GuildMember, PublicUser } from '@/models/member'
import { api, type ApiClient } from './client'
import { auditReasonHeaders } from './guilds'

const id = encodeURIComponent

export interface UpdateMemberRequest {
  nick?: string | null
  roles?: string[]
  mute?: boolean
  deaf?: boolean
  /** ISO time at most 28 days ahead, or null to lift a timeout. */
  communication_disabled_until?: string | null
}

export interface Ban {
  reason: string | null
  user: PublicUser
}

/** hearthd answers up to 1000 members per page. */
export const MEMBER_PAGE_SIZE = 1000

export const listMembers = (guildId: string, after?: string, client: ApiClient = api) =>
  client.get<GuildMember[]>(`/guilds/${id(guildId)}/members`, { query: { limit: MEMBER_PAGE_SIZE, after } })

/** Every member, a page at a time. */
export async function listAllMembers(guildId: string, client: ApiClient = api): Promise<GuildMember[]> {
  const all: GuildMember[] = []
  let after: string | undefined
  for (;;) {
    const page = await listMembers(guildId, after, client)
    all.push(...page)
    const last = page[page.length - 1]
    if (page.length < MEMBER_PAGE_SIZE || last === undefined) return all
    after = last.user.id
  }
}

export const updateMember = (
  guildId: string,
  userId: string,
  body: UpdateMemberRequest,
  reason?: string,
  client: ApiClient = api,
) => client.patch<GuildMember>(`/guilds/${id(guildId)}/members/${id(userId)}`, body, { headers: auditReasonHeaders(reason) })

export const updateOwnNick = (guildId: string, nick: string | null, client: ApiClient = api) =>
  client.patch<GuildMember>(`/guilds/${id(guildId)}/members/@me`, { nick })

export const addMemberRole = (guildId: string, userId: string, roleId: string, reason?: string, client: ApiClient = api) =>
  client.put<void>(`/guilds/${id(guildId)}/members/${id(userId)}/roles/${id(roleId)}`, undefined, {
    headers: auditReasonHeaders(reason),
  })

export const removeMemberRole = (guildId: string, userId: string, roleId: string, reason?: string, client: ApiClient = api) =>
  client.delete<void>(`/guilds/${id(guildId)}/members/${id(userId)}/roles/${id(roleId)}`, {
    headers: auditReasonHeaders(reason),
  })

export const kickMember = (guildId: string, userId: string, reason?: string, client: ApiClient = api) =>
  client.delete<void>(`/guilds/${id(guildId)}/members/${id(userId)}`, { headers: auditReasonHeaders(reason) })

export const listBans = (guildId: string, client: ApiClient = api) => client.get<Ban[]>(`/guilds/${id(guildId)}/bans`)

export const banMember = (
  guildId: string,
  userId: string,
  deleteMessageSeconds: number,
  reason?: string,
  client: ApiClient = api,
) =>
  client.put<void>(
    `/guilds/${id(guildId)}/bans/${id(userId)}`,
    { delete_message_seconds: deleteMessageSeconds },
    { headers: auditReasonHeaders(reason) },
  )

export const unbanMember = (guildId: string, userId: string, reason?: string, client: ApiClient = api) =>
  client.delete<void>(`/guilds/${id(guildId)}/bans/${id(userId)}`, { headers: auditReasonHeaders(reason) })
