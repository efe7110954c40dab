// Direct messages and group DMs: opening, creating, renaming, members, closing and leaving.
import type { DmChannel } from '@/models/dm'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

export const listDms = (client: ApiClient = api) => client.get<DmChannel[]>('/users/@me/channels')

/** Opens the DM with a user (the existing one when there is one); 403 50007 when not allowed. */
export const openDm = (recipientId: string, client: ApiClient = api) =>
  client.post<DmChannel>('/users/@me/channels', { recipient_id: recipientId })

/** A group DM with 1-9 friends. */
export const createGroupDm = (recipientIds: readonly string[], client: ApiClient = api) =>
  client.post<DmChannel>('/users/@me/channels', { recipients: recipientIds })

export interface UpdateGroupDmRequest {
  name?: string | null
  icon?: string | null
}

export const updateGroupDm = (channelId: string, body: UpdateGroupDmRequest, client: ApiClient = api) =>
  client.patch<DmChannel>(`/channels/${id(channelId)}`, body)

export const addGroupRecipient = (channelId: string, userId: string, client: ApiClient = api) =>
  client.put<void>(`/channels/${id(channelId)}/recipients/${id(userId)}`, {})

export const removeGroupRecipient = (channelId: string, userId: string, client: ApiClient = api) =>
  client.delete<void>(`/channels/${id(channelId)}/recipients/${id(userId)}`)

/** Closes a DM (it comes back with the next message) or leaves a group. */
export const closeDm = (channelId: string, client: ApiClient = api) => client.delete<unknown>(`/channels/${id(channelId)}`)
