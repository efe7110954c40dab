// Messages (Discord v10 shapes, docs/messages.md), what the client adds to them (the state of a
// message being sent), snowflake arithmetic, and the pure rules of the chat view: merging pages
// in id order, reactions, mentions, and how a list of messages becomes rows (date dividers, the
// "NEW" separator, author groups).
import type { Attachment } from './attachment'
import { compareIds } from './guild'
import type { PublicUser } from './member'
import type { Thread } from './thread'

export const MessageType = {
  Default: 0,
  Reply: 19,
} as const

/** Discord's limit on a message's length, in code points. */
export const MESSAGE_MAX_LENGTH = 4000
/** Messages of one author closer than this are shown as one group. */
export const GROUP_WINDOW_MS = 7 * 60 * 1000
/** Milliseconds since 1970 of snowflake time 0 (2015-01-01T00:00:00Z). */
export const SNOWFLAKE_EPOCH_MS = 1420070400000

export interface ReactionEmoji {
  /** null for a Unicode emoji. */
  id: string | null
  name: string
}

export interface Reaction {
  count: number
  /** Whether the signed-in user is one of them. */
  me: boolean
  emoji: ReactionEmoji
}

export interface MessageReference {
  type?: number
  message_id?: string
  channel_id?: string
  guild_id?: string
}

export interface Message {
  id: string
  type: number
  channel_id: string
  guild_id?: string
  author: PublicUser
  content: string
  /** ISO 8601. */
  timestamp: string
  edited_timestamp: string | null
  mention_everyone: boolean
  mentions: PublicUser[]
  mention_roles: string[]
  pinned: boolean
  /** Files on the message (docs/files.md); absent on servers older than attachments. */
  attachments?: Attachment[]
  reactions?: Reaction[]
  message_reference?: MessageReference
  /** The replied-to message, one level deep; null once it is deleted. */
  referenced_message?: Message | null
  /** Echoed on the answer to a send and in its MESSAGE_CREATE. */
  nonce?: string | number | null
  flags?: number
  /** The thread this message started (flag HAS_THREAD, 32); its id is the message's. */
  thread?: Thread
}

/** 'sending' and 'failed' are the client's own, before the server has the message. */
export type SendState = 'sent' | 'sending' | 'failed'

/** A message as the chat view holds it. */
export interface ChatMessage extends Message {
  /** Stable across the switch from optimistic to confirmed, so the row is not re-created. */
  key: string
  state: SendState
  /** Why the last send, edit or delete of it failed; shown under it. */
  error?: string | null
  /** An unconfirmed reply: whether it pings the replied-to author. */
  replyPing?: boolean
  /** An unconfirmed send with files: what is being uploaded and how far it got. */
  upload?: PendingUpload
}

/** The files of a send in progress, shown in place of its attachments until the server has them. */
export interface PendingUpload {
  files: { filename: string; size: number }[]
  /** Bytes sent so far, of `total`. */
  loaded: number
  total: number
}

/** Whether the message started a thread (docs/threads.md: flag HAS_THREAD or a `thread`). */
export function startedThread(message: Pick<Message, 'flags' | 'thread'>): boolean {
  return message.thread !== undefined || ((message.flags ?? 0) & (1 << 5)) !== 0
}

// --- snowflakes ------------------------------------------------------------------------------

/** When a snowflake was made, in ms since 1970. */
export function snowflakeTime(id: string): number {
  try {
    return Number(BigInt(id) >> 22n) + SNOWFLAKE_EPOCH_MS
  } catch {
    return Number.NaN
  }
}

/** A snowflake for `ms` (worker and process 0) with `increment` in its low 12 bits. */
export function snowflakeAt(ms: number, increment = 0): string {
  const since = BigInt(Math.max(0, Math.floor(ms) - SNOWFLAKE_EPOCH_MS))
  return ((since << 22n) | BigInt(increment & 0xfff)).toString()
}

let nonceCounter = 0

/** A nonce for a send: a snowflake of now, as Discord's client makes them (≤ 25 characters). */
export function makeNonce(now: number = Date.now()): string {
  nonceCounter = (nonceCounter + 1) & 0xfff
  return snowflakeAt(now, nonceCounter)
}

// --- ordered lists ---------------------------------------------------------------------------

/** Index of the first element whose id is not below `id` (binary search on an ascending list). */
export function lowerBound(list: readonly { id: string }[], id: string): number {
  let low = 0
  let high = list.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (compareIds(list[middle]!.id, id) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/** The index of `id` in an ascending list, or -1. */
export function indexOfId(list: readonly { id: string }[], id: string): number {
  const index = lowerBound(list, id)
  return list[index]?.id === id ? index : -1
}

/** A wire message as the chat view holds it (confirmed). */
export function toChatMessage(message: Message, key: string = message.id): ChatMessage {
  return { ...message, key, state: 'sent', error: null }
}

/**
 * Merges `incoming` (any order) into `existing` (ascending by id): one entry per id, ascending.
 * A message already held keeps its key (an optimistic send's nonce) and takes the new fields.
 */
export function mergeMessages(existing: readonly ChatMessage[], incoming: readonly Message[]): ChatMessage[] {
  if (incoming.length === 0) return [...existing]
  const byId = new Map<string, ChatMessage>()
  for (const message of existing) byId.set(message.id, message)
  for (const message of incoming) {
    const held = byId.get(message.id)
    byId.set(message.id, held ? { ...held, ...message, key: held.key, state: 'sent' } : toChatMessage(message))
  }
  return [...byId.values()].sort((a, b) => compareIds(a.id, b.id))
}

// --- reactions -------------------------------------------------------------------------------

/** The key of an emoji in URLs and maps: a custom emoji's `name:id`, else the character. */
export function emojiKey(emoji: ReactionEmoji): string {
  return emoji.id ? `${emoji.name}:${emoji.id}` : emoji.name
}

function sameEmoji(a: ReactionEmoji, b: ReactionEmoji): boolean {
  return emojiKey(a) === emojiKey(b)
}

/**
 * One user's reaction added. Adding the user's own reaction twice (the optimistic toggle, then
 * its MESSAGE_REACTION_ADD) counts once.
 */
export function addReaction(reactions: readonly Reaction[] | undefined, emoji: ReactionEmoji, byMe: boolean): Reaction[] {
  const list = [...(reactions ?? [])]
  const index = list.findIndex((reaction) => sameEmoji(reaction.emoji, emoji))
  const current = list[index]
  if (!current) return [...list, { count: 1, me: byMe, emoji: { id: emoji.id, name: emoji.name } }]
  if (byMe && current.me) return list
  list[index] = { ...current, count: current.count + 1, me: current.me || byMe }
  return list
}

/** One user's reaction removed; removing the user's own twice counts once. A count of 0 goes. */
export function removeReaction(reactions: readonly Reaction[] | undefined, emoji: ReactionEmoji, byMe: boolean): Reaction[] {
  const list = [...(reactions ?? [])]
  const index = list.findIndex((reaction) => sameEmoji(reaction.emoji, emoji))
  const current = list[index]
  if (!current) return list
  if (byMe && !current.me) return list
  if (current.count <= 1) return list.filter((_, position) => position !== index)
  list[index] = { ...current, count: current.count - 1, me: byMe ? false : current.me }
  return list
}

// --- mentions --------------------------------------------------------------------------------

/** Whether the message pings the user: directly, by one of their roles, @everyone, or a reply ping. */
export function isMentioned(message: Message, userId: string | null, roleIds: readonly string[] = []): boolean {
  if (userId === null || message.author.id === userId) return false
  if (message.mention_everyone) return true
  if (message.mentions.some((user) => user.id === userId)) return true
  return message.mention_roles.some((roleId) => roleIds.includes(roleId))
}

// --- rows ------------------------------------------------------------------------------------

export type ChatRow =
  | { kind: 'divider'; key: string; label: string }
  | { kind: 'unread'; key: 'unread' }
  | {
      kind: 'message'
      key: string
      message: ChatMessage
      /** The first of a group: shows avatar, name and time. */
      head: boolean
    }

export interface RowOptions {
  /** The last message read when the channel was opened; later messages of others are "NEW". */
  lastReadId?: string | null
  /** The signed-in user: their own messages never start the NEW part. */
  myId?: string | null
}

/** The calendar day of a time in the viewer's zone, as a key. */
function dayKey(time: number): string {
  const date = new Date(time)
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`
}

export function formatDayLabel(time: number): string {
  return new Date(time).toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' })
}

function isStandard(message: Message): boolean {
  return message.type === MessageType.Default || message.type === MessageType.Reply
}

/**
 * The rows of the list: a date divider before each new day, the "NEW" separator before the
 * first unread message of someone else, and messages grouped Discord's way: same author, within
 * 7 minutes, nothing in between, the later one not a reply.
 */
export function buildRows(messages: readonly ChatMessage[], options: RowOptions = {}): ChatRow[] {
  const rows: ChatRow[] = []
  const lastReadId = options.lastReadId ?? null
  let unreadPlaced = lastReadId === null
  let previous: ChatMessage | null = null
  let previousDay: string | null = null
  for (const message of messages) {
    const time = Date.parse(message.timestamp)
    const day: string | null = Number.isNaN(time) ? previousDay : dayKey(time)
    let broken = false
    if (day !== null && day !== previousDay) {
      rows.push({ kind: 'divider', key: `day-${day}`, label: formatDayLabel(time) })
      previousDay = day
      broken = true
    }
    if (
      !unreadPlaced &&
      message.state === 'sent' &&
      message.author.id !== options.myId &&
      compareIds(message.id, lastReadId!) > 0
    ) {
      rows.push({ kind: 'unread', key: 'unread' })
      unreadPlaced = true
      broken = true
    }
    let head = true
    if (previous !== null && !broken && previous.author.id === message.author.id) {
      const gap = time - Date.parse(previous.timestamp)
      head = !(gap >= 0 && gap <= GROUP_WINDOW_MS && message.type !== MessageType.Reply && isStandard(previous) && isStandard(message))
    }
    rows.push({ kind: 'message', key: message.key, message, head })
    previous = message
  }
  return rows
}

// --- times -----------------------------------------------------------------------------------

function timeOfDay(date: Date): string {
  return date.toLocaleTimeString('en', { hour: 'numeric', minute: '2-digit' })
}

/** "Today at 9:41 AM", "Yesterday at 9:41 AM" or "01/05/2026 9:41 AM", beside a group's name. */
export function formatMessageTime(iso: string, now: number = Date.now()): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  const date = new Date(time)
  const today = dayKey(now)
  if (dayKey(time) === today) return `Today at ${timeOfDay(date)}`
  const yesterday = new Date(now)
  yesterday.setDate(yesterday.getDate() - 1)
  if (dayKey(time) === dayKey(yesterday.getTime())) return `Yesterday at ${timeOfDay(date)}`
  const day = date.toLocaleDateString('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' })
  return `${day} ${timeOfDay(date)}`
}

/** "9:41 AM", in the gutter of a grouped message. */
export function formatShortTime(iso: string): string {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? '' : timeOfDay(new Date(time))
}

/** "Monday, January 5, 2026 at 9:41 AM", for a tooltip. */
export function formatFullTime(iso: string): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  const date = new Date(time)
  const day = date.toLocaleDateString('en', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })
  return `${day} at ${timeOfDay(date)}`
}

/** Content length as the server counts it: code points. */
export function contentLength(text: string): number {
  let count = 0
  for (const _ of text) count += 1
  return count
}

/** One line of a message for a reply's preview or a pin list (whitespace folded). */
export function previewText(content: string, max = 200): string {
  const line = content.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
