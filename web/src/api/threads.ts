// Threads (docs/threads.md; Discord v10 paths and shapes): starting one from a message or on its
// own, reading and changing it (name, archived, locked), deleting it, joining and leaving, and the
// active and archived lists. Messages, typing, reactions, pins and acks in a thread use the
// channel routes of messages.ts with the thread's id.
import type { Thread, ThreadMember, ThreadTypeValue } from '@/models/thread'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

export interface StartThreadFromMessageRequest {
  name: string
  /** 60, 1440 (default), 4320 or 10080 minutes. */
  auto_archive_duration?: number
  rate_limit_per_user?: number
}

export interface StartThreadRequest extends StartThreadFromMessageRequest {
  /** 11 public or 12 private (the server's default, as in Discord). */
  type?: ThreadTypeValue
  /** Private threads: whether non-moderators may add others. */
  invitable?: boolean
}

export interface UpdateThreadRequest {
  name?: string
  archived?: boolean
  locked?: boolean
  auto_archive_duration?: number
  invitable?: boolean
  rate_limit_per_user?: number
}

/** The active list and the archived lists. */
export interface ThreadList {
  threads: Thread[]
  /** The caller's own memberships among them. */
  members: ThreadMember[]
  /** Archived lists: whether another page exists. */
  has_more?: boolean
}

export interface ArchivedQuery {
  /** An ISO timestamp (public, private) or a thread id (the user's private ones). */
  before?: string
  /** 1 to 100; the server's default is 50. */
  limit?: number
}

export function startThreadFromMessage(
  channelId: string,
  messageId: string,
  body: StartThreadFromMessageRequest,
  client: ApiClient = api,
): Promise<Thread> {
  return client.post<Thread>(`/channels/${id(channelId)}/messages/${id(messageId)}/threads`, body)
}

export function startThread(channelId: string, body: StartThreadRequest, client: ApiClient = api): Promise<Thread> {
  return client.post<Thread>(`/channels/${id(channelId)}/threads`, body)
}

export function getThread(threadId: string, client: ApiClient = api): Promise<Thread> {
  return client.get<Thread>(`/channels/${id(threadId)}`)
}

export function updateThread(threadId: string, body: UpdateThreadRequest, client: ApiClient = api): Promise<Thread> {
  return client.patch<Thread>(`/channels/${id(threadId)}`, body)
}

export function deleteThread(threadId: string, client: ApiClient = api): Promise<Thread> {
  return client.delete<Thread>(`/channels/${id(threadId)}`)
}

export function joinThread(threadId: string, client: ApiClient = api): Promise<void> {
  return client.put<void>(`/channels/${id(threadId)}/thread-members/@me`)
}

export function leaveThread(threadId: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/channels/${id(threadId)}/thread-members/@me`)
}

export function addThreadMember(threadId: string, userId: string, client: ApiClient = api): Promise<void> {
  return client.put<void>(`/channels/${id(threadId)}/thread-members/${id(userId)}`)
}

export function removeThreadMember(threadId: string, userId: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/channels/${id(threadId)}/thread-members/${id(userId)}`)
}

export function listThreadMembers(threadId: string, client: ApiClient = api): Promise<ThreadMember[]> {
  return client.get<ThreadMember[]>(`/channels/${id(threadId)}/thread-members`)
}

export function listActiveThreads(guildId: string, client: ApiClient = api): Promise<ThreadList> {
  return client.get<ThreadList>(`/guilds/${id(guildId)}/threads/active`)
}

export function listPublicArchivedThreads(channelId: string, query: ArchivedQuery = {}, client: ApiClient = api): Promise<ThreadList> {
  return client.get<ThreadList>(`/channels/${id(channelId)}/threads/archived/public`, { query: { ...query } })
}

/** Every archived private thread of the channel (needs MANAGE_THREADS). */
export function listPrivateArchivedThreads(channelId: string, query: ArchivedQuery = {}, client: ApiClient = api): Promise<ThreadList> {
  return client.get<ThreadList>(`/channels/${id(channelId)}/threads/archived/private`, { query: { ...query } })
}

/** The archived private threads the user is in. */
export function listJoinedPrivateArchivedThreads(
  channelId: string,
  query: ArchivedQuery = {},
  client: ApiClient = api,
): Promise<ThreadList> {
  return client.get<ThreadList>(`/channels/${id(channelId)}/users/@me/threads/archived/private`, { query: { ...query } })
}
