// Invites: create one for a channel, list and revoke a server's, preview one without an account,
// and join through one.
import type { Guild } from '@/models/guild'
import type { PublicUser } from '@/models/member'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

export interface Invite {
  code: string
  guild: { id: string; name: string; icon: string | null; description: string | null }
  channel: { id: string; name: string; type: number }
  inviter?: PublicUser
  approximate_member_count?: number
  /** ISO time; null never expires. */
  expires_at: string | null
  max_age: number
  max_uses: number
  uses: number
  created_at?: string
}

export interface CreateInviteRequest {
  /** Seconds; 0 never expires. */
  max_age: number
  /** 0 is unlimited. */
  max_uses: number
}

export const createInvite = (channelId: string, body: CreateInviteRequest, client: ApiClient = api) =>
  client.post<Invite>(`/channels/${id(channelId)}/invites`, body)

export const listGuildInvites = (guildId: string, client: ApiClient = api) =>
  client.get<Invite[]>(`/guilds/${id(guildId)}/invites`)

export const deleteInvite = (code: string, client: ApiClient = api) => client.delete<Invite>(`/invites/${id(code)}`)

/** Works signed out: the preview a link shows before joining. */
export const getInvite = (code: string, client: ApiClient = api) =>
  client.get<Invite>(`/invites/${id(code)}`, { query: { with_counts: true } })

/** Joins the server; answers it (already a member: the same). */
export const acceptInvite = (code: string, client: ApiClient = api) => client.post<Guild>(`/invites/${id(code)}`)
