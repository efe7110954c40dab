// Read states: how far the user has read each channel, and how many messages there mention them
// (Discord's `read_state`). Shapes, the pure rules, and the interface the chat view codes against;
// `stores/read_states.ts` keeps the live figures.
import { compareIds } from './guild'

/** One channel's entry in READY's `read_state` (and GET /users/@me/read-states). */
export interface ReadStateEntry {
  /** The channel's id. */
  id: string
  /** The last message the user has read; null when none. */
  last_message_id: string | null
  mention_count: number
  last_pin_timestamp?: string | null
}

/** READY's `read_state`. */
export interface ReadStatePayload {
  version?: number
  partial?: boolean
  entries: ReadStateEntry[]
}

/** MESSAGE_ACK: another session of the user read a channel up to `message_id`. */
export interface MessageAckEvent {
  channel_id: string
  message_id: string
  mention_count?: number
}

/** What of a message decides unread and mention state. */
export interface MentionableMessage {
  id: string
  channel_id: string
  guild_id?: string | null
  author: { id: string }
  mention_everyone?: boolean
  mentions?: readonly { id: string }[]
  mention_roles?: readonly string[]
}

/**
 * What the chat view uses (implemented by `useReadStatesStore()`):
 * - open a channel: remember `lastReadId(channelId)` for the "NEW" separator *before* acking;
 * - when the newest message is on screen: `ack(channelId, messageId)` posts
 *   `POST /channels/{id}/messages/{mid}/ack` and marks the channel read here; a view that posts the
 *   ack itself calls `markRead(channelId, messageId)` afterwards instead.
 */
export interface ReadStateAccess {
  /** The newest message the user has read in the channel; null: nothing read yet (all of it is new). */
  lastReadId(channelId: string): string | null
  /** The channel has a message newer than the user's last read one. */
  isUnread(channelId: string): boolean
  /** Unread messages in the channel that mention the user (every message from others in a DM). */
  mentionCount(channelId: string): number
  /**
   * Records locally that the channel is read up to `messageId` and clears its mentions. Never
   * moves backwards unless `manual` ("Mark Unread" from an earlier message).
   */
  markRead(channelId: string, messageId: string, options?: { manual?: boolean }): void
  /** Posts the ack (the channel's newest message when `messageId` is omitted), then `markRead`. */
  ack(channelId: string, messageId?: string): Promise<void>
  /** Any text channel of the server is unread. */
  guildUnread(guildId: string): boolean
  /** The server's mentions, summed over its channels. */
  guildMentions(guildId: string): number
}

/** `a` is a later snowflake than `b` (null is before everything). */
export function isAfter(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a) return false
  if (!b) return true
  return compareIds(a, b) > 0
}

/** The later of two snowflakes. */
export function laterId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null
  if (!b) return a
  return compareIds(a, b) >= 0 ? a : b
}

/**
 * Unread = the channel has a message later than the last one read. A channel without an entry
 * counts as read up to nothing, so any message makes it unread.
 */
export function channelIsUnread(lastMessageId: string | null | undefined, lastReadId: string | null | undefined): boolean {
  return isAfter(lastMessageId, lastReadId)
}

/** Whether a server message mentions the user: directly, through one of their roles, or @everyone/@here. */
export function mentionsUser(message: MentionableMessage, userId: string, roleIds: readonly string[] = []): boolean {
  if (message.mention_everyone === true) return true
  if (message.mentions?.some((user) => user.id === userId)) return true
  if (roleIds.length === 0 || !message.mention_roles) return false
  const held = new Set(roleIds)
  return message.mention_roles.some((roleId) => held.has(roleId))
}

/** A mention badge's text: Discord caps it. */
export function badgeText(count: number): string {
  return count > 99 ? '99+' : String(count)
}

/** The document title with the mention count in front, as Discord shows it: "(3) Hearth". */
export function titleWithCount(title: string, mentions: number): string {
  return mentions > 0 ? `(${badgeText(mentions)}) ${title}` : title
}
