// Client-side shapes of guilds and channels (Discord v10 field names) and
// the pure logic the sidebar needs.

export const ChannelType = {
  GuildText: 0,
  GuildVoice: 2,
  GuildCategory: 4,
} as const

export type ChannelTypeValue = (typeof ChannelType)[keyof typeof ChannelType]

export interface Channel {
  id: string
  type: ChannelTypeValue
  name: string
  position: number
  parent_id?: string | null
}

export interface GuildSummary {
  id: string
  name: string
  icon_url?: string | null
}

export interface ChannelGroup {
  /** null for channels outside any category, which Discord lists first. */
  category: Channel | null
  channels: Channel[]
}

function byPosition(a: Channel, b: Channel): number {
  return a.position - b.position || a.id.localeCompare(b.id)
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
