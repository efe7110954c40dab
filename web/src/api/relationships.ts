// Friends, friend requests and blocks (Discord v10 relationships).
import type { Relationship } from '@/models/relationship'
import { RelationshipType } from '@/models/relationship'
import { api, type ApiClient } from './client'

const id = encodeURIComponent

export const listRelationships = (client: ApiClient = api) => client.get<Relationship[]>('/users/@me/relationships')

/** The Add Friend form: a request by username (204, or an error saying why not). */
export const sendFriendRequestByUsername = (username: string, client: ApiClient = api) =>
  client.post<void>('/users/@me/relationships', { username })

/** Sends a request to the user, or accepts theirs. */
export const sendFriendRequest = (userId: string, client: ApiClient = api) =>
  client.put<void>(`/users/@me/relationships/${id(userId)}`, {})

export const blockUser = (userId: string, client: ApiClient = api) =>
  client.put<void>(`/users/@me/relationships/${id(userId)}`, { type: RelationshipType.Blocked })

/** Removes a friend, cancels or declines a request, or unblocks. */
export const removeRelationship = (userId: string, client: ApiClient = api) =>
  client.delete<void>(`/users/@me/relationships/${id(userId)}`)
