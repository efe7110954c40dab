// Notification settings and the recent-mentions inbox (docs/notifications.md).
import type { Message } from '@/models/message'
import type { SettingsPatch, UserGuildSettings } from '@/models/notification_settings'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

/** A server's settings, or the DMs' with guildId null ("@me"); answers the whole object. */
export const patchGuildSettings = (guildId: string | null, body: SettingsPatch, client: ApiClient = api) =>
  client.patch<UserGuildSettings>(`/users/@me/guilds/${guildId === null ? '@me' : id(guildId)}/settings`, body)

export interface MentionQuery {
  limit?: number
  before?: string
  guildId?: string
  roles?: boolean
  everyone?: boolean
}

/** GET /users/@me/mentions: messages mentioning the user, newest first. */
export function listMentions(query: MentionQuery = {}, client: ApiClient = api): Promise<Message[]> {
  const params = new URLSearchParams()
  params.set('limit', String(query.limit ?? 25))
  if (query.before) params.set('before', query.before)
  if (query.guildId) params.set('guild_id', query.guildId)
  if (query.roles === false) params.set('roles', 'false')
  if (query.everyone === false) params.set('everyone', 'false')
  return client.get<Message[]>(`/users/@me/mentions?${params}`)
}
