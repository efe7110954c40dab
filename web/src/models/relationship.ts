// Friends, friend requests and blocks (Discord's relationships): the wire shape, the friends page's
// lists and the Add Friend form's messages.
import { ApiError } from '@/api/client'
import { compareIds } from './guild'
import type { PublicUser } from './member'

export const RelationshipType = {
  Friend: 1,
  Blocked: 2,
  /** A request someone sent the user. */
  Incoming: 3,
  /** A request the user sent. */
  Outgoing: 4,
} as const

export type RelationshipTypeValue = (typeof RelationshipType)[keyof typeof RelationshipType]

/** READY's `relationships`, GET /users/@me/relationships items, RELATIONSHIP_ADD. */
export interface Relationship {
  /** The other user's id. */
  id: string
  type: RelationshipTypeValue
  user: PublicUser
  /** ISO time the relationship began. */
  since?: string | null
}

/** RELATIONSHIP_REMOVE. */
export interface RelationshipRemoval {
  id: string
  type?: RelationshipTypeValue
}

export function isRelationshipType(value: unknown): value is RelationshipTypeValue {
  return value === 1 || value === 2 || value === 3 || value === 4
}

/** What the UI calls a user: display name, else username. */
export function userDisplayName(user: Pick<PublicUser, 'username' | 'global_name'>): string {
  return user.global_name || user.username
}

/** By display name, case-insensitively; ties by id. */
export function byUserName<T extends { user: PublicUser }>(a: T, b: T): number {
  return (
    userDisplayName(a.user).localeCompare(userDisplayName(b.user), undefined, { sensitivity: 'base' }) ||
    compareIds(a.user.id, b.user.id)
  )
}

/** What a row of the friends page offers. */
export type FriendAction = 'message' | 'more' | 'accept' | 'ignore' | 'cancel' | 'unblock'

/** The friends page's tabs. */
export type FriendsTab = 'online' | 'all' | 'pending' | 'blocked' | 'add'

/** The rows of one tab, sorted by name and matched against the search text (name or username). */
export function relationshipsForTab(
  relationships: readonly Relationship[],
  tab: Exclude<FriendsTab, 'add'>,
  isOnline: (userId: string) => boolean,
  search = '',
): Relationship[] {
  const query = search.trim().toLowerCase()
  const shown = relationships.filter((relationship) => {
    switch (tab) {
      case 'online':
        return relationship.type === RelationshipType.Friend && isOnline(relationship.id)
      case 'all':
        return relationship.type === RelationshipType.Friend
      case 'pending':
        return relationship.type === RelationshipType.Incoming || relationship.type === RelationshipType.Outgoing
      case 'blocked':
        return relationship.type === RelationshipType.Blocked
    }
    return false
  })
  const matching = query
    ? shown.filter(
        (relationship) =>
          relationship.user.username.toLowerCase().includes(query) ||
          (relationship.user.global_name ?? '').toLowerCase().includes(query),
      )
    : shown
  // Pending lists incoming requests first, as Discord does.
  return [...matching].sort(
    (a, b) => (tab === 'pending' ? pendingRank(a.type) - pendingRank(b.type) : 0) || byUserName(a, b),
  )
}

function pendingRank(type: RelationshipTypeValue): number {
  return type === RelationshipType.Incoming ? 0 : 1
}

/** The Add Friend form's check before sending: Discord usernames are 2-32 characters. */
export function checkFriendUsername(value: string): string | null {
  const username = value.trim()
  if (username === '') return 'Enter a username.'
  if (username.length < 2 || username.length > 32) return "Hm, didn't work. Double check that the username is correct."
  return null
}

/** Discord's answer once a request went out. */
export function friendRequestSent(username: string): string {
  return `Success! Your friend request to ${username} was sent.`
}

/** The Add Friend form's error for a refused request, in Discord's words where it has them. */
export function friendRequestError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  if (error.isNetworkError) return "Couldn't reach the server. Check your connection and try again."
  if (error.isRateLimited) return 'You are sending friend requests too quickly. Please wait a moment and try again.'
  switch (error.code) {
    case 80007:
      return "You're already friends with that user!"
    case 80000:
    case 80004:
    case 10013:
      return "Hm, didn't work. Double check that the username is correct."
    case 80001:
    case 80002:
      return error.message
  }
  if (error.status === 404 || error.status === 400) return "Hm, didn't work. Double check that the username is correct."
  return error.message || "Hm, didn't work. Double check that the username is correct."
}
