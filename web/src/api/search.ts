// Message search (docs/search.md): a server's messages, or one DM's / channel's, in Discord's
// shape: each hit wrapped in an array.
import type { Message } from '@/models/message'
import { searchQueryString, type SearchParams } from '@/models/search_query'
import { api, type ApiClient } from './client'

export interface SearchAnswer {
  total_results: number
  messages: Message[][]
}

const id = encodeURIComponent

export function searchGuildMessages(guildId: string, params: SearchParams, client: ApiClient = api): Promise<SearchAnswer> {
  return client.get<SearchAnswer>(`/guilds/${id(guildId)}/messages/search?${searchQueryString(params)}`)
}

export function searchChannelMessages(channelId: string, params: SearchParams, client: ApiClient = api): Promise<SearchAnswer> {
  return client.get<SearchAnswer>(`/channels/${id(channelId)}/messages/search?${searchQueryString(params)}`)
}
