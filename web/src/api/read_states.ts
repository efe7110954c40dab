// Read states: acknowledging what the user has read.
import type { ReadStatePayload } from '@/models/read_state'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

/**
 * Marks the channel read up to `messageId`; `manual` moves the marker back ("Mark Unread" from an
 * earlier message).
 */
export const ackMessage = (channelId: string, messageId: string, manual = false, client: ApiClient = api) =>
  client.post<{ token: null }>(`/channels/${id(channelId)}/messages/${id(messageId)}/ack`, manual ? { manual: true } : {})

export const getReadStates = (client: ApiClient = api) => client.get<ReadStatePayload>('/users/@me/read-states')
