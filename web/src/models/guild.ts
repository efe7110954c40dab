// Client-side shapes of guilds and channels (Discord v10 field names) and
// the pure logic the sidebar needs.

import { API_BASE } from '@/api/client'
import type { OverwriteLike } from './permissions'

export const ChannelType = {
  GuildText: 0,
  GuildVoice: 2,
  GuildCategory: 4,
} as const

export type ChannelTypeValue = (typeof ChannelType)[keyof typeof ChannelType]

/** `{id, type (0 role, 1 member), allow, deny}`; allow and deny are decimal permission strings. */
export type PermissionOverwrite = OverwriteLike

export interface Channel {
  id: string
  type: ChannelTypeValue
  name: string
  position: number
  parent_id?: string | null
  guild_id?: string
  topic?: string | null
  /** Slowmode in seconds; 0 is off. */
  rate_limit_per_user?: number
  nsfw?: boolean
  permission_overwrites?: PermissionOverwrite[]
  bitrate?: number
  user_limit?: number
}

/** A server as `GET /users/@me/guilds` lists it: enough for the rail. */
export interface GuildSummary {
  id: string
  name: string
  /** The icon's hash; null shows initials. */
  icon: string | null
  /** Whether the signed-in user owns it. */
  owner?: boolean
  /** The user's server-wide permissions when the list was fetched. */
  permissions?: string
}

export interface Role {
  id: string
  name: string
  /** 0xRRGGBB; 0 is "no colour". */
  color: number
  /** Shown separately in the member list. */
  hoist: boolean
  position: number
  permissions: string
  managed: boolean
  mentionable: boolean
}

/** `GET /guilds/{id}`. */
export interface Guild {
  id: string
  name: string
  icon: string | null
  description: string | null
  owner_id: string
  roles: Role[]
  approximate_member_count?: number
  /** Members who set nothing get: 0 all messages, 1 only mentions. */
  default_message_notifications?: 0 | 1
}

/** The served image of a server's icon, or null for initials. */
export function guildIconUrl(guild: { id: string; icon: string | null } | null | undefined): string | null {
  if (!guild?.icon) return null
  return `${API_BASE}/icons/${encodeURIComponent(guild.id)}/${encodeURIComponent(guild.icon)}`
}

/** A role colour as CSS, or null for the default text colour. */
export function roleColour(color: number): string | null {
  if (!Number.isInteger(color) || color <= 0) return null
  return `#${color.toString(16).padStart(6, '0')}`
}

/** Roles from the highest down, ties by id (as the server ranks them). */
export function rolesByRank<T extends { id: string; position: number }>(roles: readonly T[]): T[] {
  return [...roles].sort((a, b) => b.position - a.position || compareIds(a.id, b.id))
}

/** Snowflakes compared as numbers (they are too long for a JavaScript number). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

export interface ChannelGroup {
  /** null for channels outside any category, which Discord lists first. */
  category: Channel | null
  channels: Channel[]
}

// Discord lists a category's text channels above its voice channels, each by position.
function byPosition(a: Channel, b: Channel): number {
  const voiceA = a.type === ChannelType.GuildVoice ? 1 : 0
  const voiceB = b.type === ChannelType.GuildVoice ? 1 : 0
  return voiceA - voiceB || a.position - b.position || compareIds(a.id, b.id)
}

/**
 * Groups a guild's channels under their categories: uncategorised first, then
 * categories by position, channels by position inside each. A channel whose
 * category is missing is treated as uncategorised rather than dropped.
 */
export function groupChannelsByCategory(channels: readonly Channel[]): ChannelGroup[] {
  const categories = channels.filter((channel) => channel.type === ChannelType.GuildCategory).sort(byPosition)
  const categoryIds = new Set(categories.map((category) => category.id))
  const childrenByCategory = new Map<string, Channel[]>()
  const uncategorised: Channel[] = []

  for (const channel of channels) {
    if (channel.type === ChannelType.GuildCategory) continue
    const parentId = channel.parent_id ?? null
    if (parentId !== null && categoryIds.has(parentId)) {
      const children = childrenByCategory.get(parentId) ?? []
      children.push(channel)
      childrenByCategory.set(parentId, children)
    } else {
      uncategorised.push(channel)
    }
  }

  const groups: ChannelGroup[] = []
  if (uncategorised.length > 0) groups.push({ category: null, channels: uncategorised.sort(byPosition) })
  for (const category of categories) {
    groups.push({ category, channels: (childrenByCategory.get(category.id) ?? []).sort(byPosition) })
  }
  return groups
}

/** Initials shown for a guild without an icon: first letters of up to three words. */
export function guildInitials(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 3)
    .map((word) => word[0])
    .join('')
}

/** Text channel names as the server stores them: lower case, runs of spaces as one dash. */
export function textChannelName(name: string): string {
  return name.replace(/\s+/g, '-').toLowerCase()
}

/** Discord's slowmode choices, in seconds. */
export const SLOWMODE_CHOICES: readonly { label: string; value: number }[] = [
  { label: 'Off', value: 0 },
  { label: '5s', value: 5 },
  { label: '10s', value: 10 },
  { label: '15s', value: 15 },
  { label: '30s', value: 30 },
  { label: '1m', value: 60 },
  { label: '2m', value: 120 },
  { label: '5m', value: 300 },
  { label: '10m', value: 600 },
  { label: '15m', value: 900 },
  { label: '30m', value: 1800 },
  { label: '1h', value: 3600 },
  { label: '2h', value: 7200 },
  { label: '6h', value: 21600 },
]
