// Messages and what hangs off them: history pages, send, edit, delete, reactions, pins, typing
// and acks (docs/messages.md; Discord v10 paths and shapes).
import type { PublicUser } from '@/models/member'
import type { Message, ReactionEmoji } from '@/models/message'
import { emojiKey } from '@/models/message'
import { api, type ApiClient, type UploadOptions } from './client'

const id = encodeURIComponent

/** One of before / after / around (or none: the newest). The server answers newest first. */
export interface HistoryQuery {
  before?: string
  after?: string
  around?: string
  /** 1 to 100; the server's default is 50. */
  limit?: number
}

export interface SendMessageRequest {
  content: string
  nonce?: string
  /** A repeat of the same nonce within minutes answers the first message instead of a new one. */
  enforce_nonce?: boolean
  message_reference?: { message_id: string }
  /** `replied_user: false` makes a reply that does not ping its author. */
  allowed_mentions?: { replied_user?: boolean; parse?: string[] }
}

export function listMessages(channelId: string, query: HistoryQuery = {}, client: ApiClient = api): Promise<Message[]> {
  return client.get<Message[]>(`/channels/${id(channelId)}/messages`, { query: { ...query } })
}

export function getMessage(channelId: string, messageId: string, client: ApiClient = api): Promise<Message> {
  return client.get<Message>(`/channels/${id(channelId)}/messages/${id(messageId)}`)
}

export function sendMessage(channelId: string, body: SendMessageRequest, client: ApiClient = api): Promise<Message> {
  return client.post<Message>(`/channels/${id(channelId)}/messages`, body)
}

/** A file to send, under the name it is to have (spoilers carry Discord's `SPOILER_` prefix). */
export interface UploadFile {
  file: Blob
  filename: string
  description?: string
}

/**
 * Sends a message with files: Discord's multipart shape, a `payload_json` part with the JSON body
 * (and `attachments` naming each file by its index) and `files[n]` parts. Progress and cancel
 * through `options` (docs/files.md).
 */
export function sendMessageWithFiles(
  channelId: string,
  body: SendMessageRequest,
  files: readonly UploadFile[],
  options: UploadOptions = {},
  client: ApiClient = api,
): Promise<Message> {
  const form = new FormData()
  const attachments = files.map((entry, index) => ({
    id: String(index),
    filename: entry.filename,
    ...(entry.description ? { description: entry.description } : {}),
  }))
  form.append('payload_json', JSON.stringify({ ...body, attachments }))
  files.forEach((entry, index) => form.append(`files[${index}]`, entry.file, entry.filename))
  return client.upload<Message>(`/channels/${id(channelId)}/messages`, form, options)
}

export function editMessage(channelId: string, messageId: string, content: string, client: ApiClient = api): Promise<Message> {
  return client.patch<Message>(`/channels/${id(channelId)}/messages/${id(messageId)}`, { content })
}

export function deleteMessage(channelId: string, messageId: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/channels/${id(channelId)}/messages/${id(messageId)}`)
}

function reactionPath(channelId: string, messageId: string, emoji: ReactionEmoji): string {
  return `/channels/${id(channelId)}/messages/${id(messageId)}/reactions/${id(emojiKey(emoji))}`
}

export function addReaction(channelId: string, messageId: string, emoji: ReactionEmoji, client: ApiClient = api): Promise<void> {
  return client.put<void>(`${reactionPath(channelId, messageId, emoji)}/@me`)
}

export function removeReaction(channelId: string, messageId: string, emoji: ReactionEmoji, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`${reactionPath(channelId, messageId, emoji)}/@me`)
}

export function listReactionUsers(
  channelId: string,
  messageId: string,
  emoji: ReactionEmoji,
  limit = 25,
  client: ApiClient = api,
): Promise<PublicUser[]> {
  return client.get<PublicUser[]>(reactionPath(channelId, messageId, emoji), { query: { limit } })
}

export function listPins(channelId: string, client: ApiClient = api): Promise<Message[]> {
  return client.get<Message[]>(`/channels/${id(channelId)}/pins`)
}

export function pinMessage(channelId: string, messageId: string, client: ApiClient = api): Promise<void> {
  return client.put<void>(`/channels/${id(channelId)}/pins/${id(messageId)}`)
}

export function unpinMessage(channelId: string, messageId: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/channels/${id(channelId)}/pins/${id(messageId)}`)
}

export function sendTyping(channelId: string, client: ApiClient = api): Promise<void> {
  return client.post<void>(`/channels/${id(channelId)}/typing`)
}

/** hearthd answers an unknown route with 404 90001: a feature this server does not have yet. */
export const UNKNOWN_ROUTE_CODE = 90001
