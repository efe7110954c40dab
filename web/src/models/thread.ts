// Threads (docs/threads.md; Discord v10 shapes): the thread object and its member, the
// permissions a thread takes from its parent channel, when a thread reads as archived, and the
// rules of the create form. Pure, so the store, the panel and the tests share them.
import { compareIds } from './guild'
import { snowflakeTime } from './message'
import { hasPermission, Permission } from './permissions'

export const ThreadType = {
  Public: 11,
  Private: 12,
} as const

export type ThreadTypeValue = (typeof ThreadType)[keyof typeof ThreadType]

/** Message flag: the message started a thread (its id is the thread's). */
export const HAS_THREAD_FLAG = 1 << 5

export const THREAD_NAME_MAX = 100

/** The auto-archive choices, in minutes, as Discord words them. */
export const AUTO_ARCHIVE_OPTIONS = [
  { value: 60, label: '1 Hour' },
  { value: 1440, label: '24 Hours' },
  { value: 4320, label: '3 Days' },
  { value: 10080, label: '1 Week' },
] as const

export const DEFAULT_AUTO_ARCHIVE = 1440

export interface ThreadMetadata {
  archived: boolean
  auto_archive_duration: number
  /** ISO 8601: when it was last archived or unarchived (or when its time ran out). */
  archive_timestamp: string
  locked: boolean
  /** Private threads only: whether non-moderators may add others. */
  invitable?: boolean
  create_timestamp?: string
}

/** The signed-in user's membership, as READY and the lists attach it to a thread. */
export interface ThreadMembership {
  join_timestamp: string
  flags: number
}

/** A thread member as the thread-members routes and THREAD_MEMBER(S)_UPDATE carry it. */
export interface ThreadMember extends ThreadMembership {
  /** The thread's id. */
  id?: string
  user_id?: string
}

export interface Thread {
  id: string
  type: ThreadTypeValue
  guild_id: string
  parent_id: string
  owner_id: string
  name: string
  last_message_id: string | null
  rate_limit_per_user: number
  message_count: number
  member_count: number
  total_message_sent?: number
  flags?: number
  thread_metadata: ThreadMetadata
  /** Present when the signed-in user is in it (READY, lists); the store keeps it current. */
  member?: ThreadMembership | null
  newly_created?: boolean
}

export function isThreadType(type: unknown): type is ThreadTypeValue {
  return type === ThreadType.Public || type === ThreadType.Private
}

/** Whether a value from the wire is usable as a thread. */
export function isThread(value: unknown): value is Thread {
  if (value === null || typeof value !== 'object') return false
  const thread = value as Record<string, unknown>
  return (
    typeof thread.id === 'string' &&
    isThreadType(thread.type) &&
    typeof thread.parent_id === 'string' &&
    typeof thread.name === 'string' &&
    thread.thread_metadata !== null &&
    typeof thread.thread_metadata === 'object'
  )
}

/**
 * A thread's permissions from the user's permissions in its parent (domain::threadPermissions):
 * nothing without VIEW_CHANNEL in the parent, a private thread only for its members and
 * MANAGE_THREADS holders, and SEND_MESSAGES_IN_THREADS playing SEND_MESSAGES' part (only
 * MANAGE_THREADS holders send in a locked thread).
 */
export function threadPermissions(inParent: bigint, thread: Pick<Thread, 'type' | 'thread_metadata'>, isMember: boolean): bigint {
  if (!hasPermission(inParent, Permission.VIEW_CHANNEL)) return 0n
  const manage = hasPermission(inParent, Permission.MANAGE_THREADS)
  if (thread.type === ThreadType.Private && !manage && !isMember) return 0n
  let bits = inParent & ~Permission.SEND_MESSAGES
  if (hasPermission(inParent, Permission.SEND_MESSAGES_IN_THREADS) && (!thread.thread_metadata.locked || manage)) {
    bits |= Permission.SEND_MESSAGES
  }
  return bits
}

/** Milliseconds since 1970 of the thread's last activity the client can know of. */
export function lastActivity(thread: Thread): number {
  const times = [Date.parse(thread.thread_metadata.archive_timestamp), snowflakeTime(thread.id)]
  if (thread.thread_metadata.create_timestamp) times.push(Date.parse(thread.thread_metadata.create_timestamp))
  if (thread.last_message_id) times.push(snowflakeTime(thread.last_message_id))
  return Math.max(...times.filter((time) => Number.isFinite(time)))
}

/**
 * Archived, by someone or because nothing was sent in it for its auto-archive duration (hearthd
 * computes that on read and sends no event when the time runs out, so the client does too).
 */
export function isArchived(thread: Thread, now: number = Date.now()): boolean {
  if (thread.thread_metadata.archived) return true
  const minutes = thread.thread_metadata.auto_archive_duration
  return Number.isFinite(minutes) && minutes > 0 && lastActivity(thread) + minutes * 60_000 <= now
}

/** Newest first, as the server lists active threads. */
export function byNewest(a: Thread, b: Thread): number {
  return compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id) || compareIds(b.id, a.id)
}

/** Archived threads newest archive first, as the archived lists are ordered. */
export function byArchiveTime(a: Thread, b: Thread): number {
  return Date.parse(b.thread_metadata.archive_timestamp) - Date.parse(a.thread_metadata.archive_timestamp) || compareIds(b.id, a.id)
}

/** Why a thread name is refused (the server's rule: 1-100 characters after trimming, one line). */
export function threadNameError(name: string): string | null {
  const trimmed = name.trim()
  if (trimmed === '') return 'A thread needs a name.'
  if (/[\r\n]/.test(trimmed)) return 'A thread name is one line.'
  if ([...trimmed].length > THREAD_NAME_MAX) return `A thread name is at most ${THREAD_NAME_MAX} characters.`
  return null
}

/** The name Discord suggests for a thread started from a message: the start of its text. */
export function suggestedThreadName(content: string): string {
  const line = content.replace(/\s+/g, ' ').trim()
  const chars = [...line]
  return chars.length <= 40 ? line : `${chars.slice(0, 40).join('').trimEnd()}…`
}

/** "1 Message", "12 Messages". */
export function messageCountLabel(count: number): string {
  const safe = Number.isFinite(count) ? Math.max(0, count) : 0
  return `${safe} ${safe === 1 ? 'Message' : 'Messages'}`
}

/** The label of an auto-archive duration in minutes. */
export function autoArchiveLabel(minutes: number): string {
  return AUTO_ARCHIVE_OPTIONS.find((option) => option.value === minutes)?.label ?? `${minutes} minutes`
}
