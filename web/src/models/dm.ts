// Direct messages and group DMs: channels without a server (types 1 and 3), their names and the
// order of the DM list.
import { compareIds } from './guild'
import type { PublicUser } from './member'
import { userDisplayName } from './relationship'
import { API_BASE } from '@/api/client'

export const DmType = {
  Dm: 1,
  GroupDm: 3,
} as const

export type DmTypeValue = (typeof DmType)[keyof typeof DmType]

/** Discord's cap: a group holds at most 10 people, so the owner picks up to 9. */
export const GROUP_DM_MAX_MEMBERS = 10
export const GROUP_DM_MAX_PICKS = GROUP_DM_MAX_MEMBERS - 1

/** READY's `private_channels` items, POST /users/@me/channels answers, CHANNEL_* without guild_id. */
export interface DmChannel {
  id: string
  type: DmTypeValue
  /** The newest message's id; null when there is none. */
  last_message_id: string | null
  /** Everyone in it except the signed-in user. */
  recipients: PublicUser[]
  /** Group DMs only; null shows the members' names. */
  name?: string | null
  icon?: string | null
  owner_id?: string | null
}

export function isDmType(value: unknown): value is DmTypeValue {
  return value === DmType.Dm || value === DmType.GroupDm
}

export function isGroupDm(channel: Pick<DmChannel, 'type'>): boolean {
  return channel.type === DmType.GroupDm
}

/** The other person of a one-to-one DM. */
export function dmRecipient(channel: Pick<DmChannel, 'recipients'>): PublicUser | null {
  return channel.recipients[0] ?? null
}

/** A DM is named after the other person; a group by its name, else its members' names. */
export function dmDisplayName(channel: Pick<DmChannel, 'type' | 'name' | 'recipients'>): string {
  if (!isGroupDm(channel)) {
    const recipient = dmRecipient(channel)
    return recipient ? userDisplayName(recipient) : 'Unknown User'
  }
  if (channel.name) return channel.name
  if (channel.recipients.length === 0) return 'Unnamed'
  return channel.recipients.map(userDisplayName).join(', ')
}

/** "3 Members": the group counts the signed-in user too. */
export function groupMemberCountLabel(channel: Pick<DmChannel, 'recipients'>): string {
  const count = channel.recipients.length + 1
  return `${count} ${count === 1 ? 'Member' : 'Members'}`
}

/** Where the list orders a channel: its newest message, or its creation for an empty one. */
export function dmActivityId(channel: Pick<DmChannel, 'id' | 'last_message_id'>): string {
  return channel.last_message_id && compareIds(channel.last_message_id, channel.id) > 0 ? channel.last_message_id : channel.id
}

/** The DM list: the most recently active first. */
export function sortDms<T extends Pick<DmChannel, 'id' | 'last_message_id'>>(channels: readonly T[]): T[] {
  return [...channels].sort((a, b) => compareIds(dmActivityId(b), dmActivityId(a)))
}

/** A group DM's served icon, or null for the default. */
export function groupIconUrl(channel: Pick<DmChannel, 'id' | 'icon'>): string | null {
  if (!channel.icon) return null
  return `${API_BASE}/channel-icons/${encodeURIComponent(channel.id)}/${encodeURIComponent(channel.icon)}`
}
