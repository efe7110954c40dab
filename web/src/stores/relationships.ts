// Friends, friend requests and blocks: READY's `relationships`, then RELATIONSHIP_ADD/REMOVE. The
// actions change the list at once and put it back when the server refuses (the event that follows
// a success changes nothing more).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as relationshipApi from '@/api/relationships'
import {
  RelationshipType,
  isRelationshipType,
  type Relationship,
  type RelationshipTypeValue,
} from '@/models/relationship'

export const useRelationshipsStore = defineStore('relationships', () => {
  /** By the other user's id. */
  const byUser = ref<Record<string, Relationship>>({})
  /** Whether READY (or a load) has filled the list. */
  const loaded = ref(false)

  const all = computed(() => Object.values(byUser.value))
  const friends = computed(() => all.value.filter((relationship) => relationship.type === RelationshipType.Friend))
  const incoming = computed(() => all.value.filter((relationship) => relationship.type === RelationshipType.Incoming))
  const outgoing = computed(() => all.value.filter((relationship) => relationship.type === RelationshipType.Outgoing))
  const blocked = computed(() => all.value.filter((relationship) => relationship.type === RelationshipType.Blocked))
  /** Requests waiting for the user's answer: the Pending tab's and the home icon's badge. */
  const pendingCount = computed(() => incoming.value.length)

  function relationshipWith(userId: string | null | undefined): Relationship | null {
    return userId ? (byUser.value[userId] ?? null) : null
  }

  function typeWith(userId: string | null | undefined): RelationshipTypeValue | null {
    return relationshipWith(userId)?.type ?? null
  }

  function isFriend(userId: string | null | undefined): boolean {
    return typeWith(userId) === RelationshipType.Friend
  }

  function isBlocked(userId: string | null | undefined): boolean {
    return typeWith(userId) === RelationshipType.Blocked
  }

  // --- events ----------------------------------------------------------------------------

  function isValid(value: unknown): value is Relationship {
    const relationship = value as Relationship | null
    return (
      typeof relationship?.id === 'string' &&
      isRelationshipType(relationship.type) &&
      typeof relationship.user?.id === 'string'
    )
  }

  function applyReady(list: readonly unknown[]): void {
    const next: Record<string, Relationship> = {}
    for (const item of list) if (isValid(item)) next[item.id] = item
    byUser.value = next
    loaded.value = true
  }

  /** RELATIONSHIP_ADD: a new relationship or a changed one (a request accepted becomes a friend). */
  function applyAdd(relationship: unknown): void {
    if (!isValid(relationship)) return
    byUser.value = { ...byUser.value, [relationship.id]: { ...byUser.value[relationship.id], ...relationship } }
  }

  /** RELATIONSHIP_REMOVE; a `type` that no longer matches (already replaced) is ignored. */
  function applyRemove(userId: string, type?: RelationshipTypeValue): void {
    const current = byUser.value[userId]
    if (!current) return
    if (type !== undefined && current.type !== type) return
    const { [userId]: _gone, ...rest } = byUser.value
    byUser.value = rest
  }

  function reset(): void {
    byUser.value = {}
    loaded.value = false
  }

  // --- actions ---------------------------------------------------------------------------

  /** Changes the list now; the returned function puts the user's entry back as it was. */
  function change(userId: string, next: Relationship | null): () => void {
    const before = byUser.value[userId] ?? null
    const { [userId]: _old, ...rest } = byUser.value
    byUser.value = next ? { ...rest, [userId]: next } : rest
    return () => {
      const { [userId]: _current, ...others } = byUser.value
      byUser.value = before ? { ...others, [userId]: before } : others
    }
  }

  async function optimistic(userId: string, next: Relationship | null, request: () => Promise<unknown>): Promise<void> {
    const rollback = change(userId, next)
    try {
      await request()
    } catch (error) {
      rollback()
      throw error
    }
  }

  /** Add Friend by username; the request shows up with RELATIONSHIP_ADD. */
  async function sendRequestByUsername(username: string): Promise<void> {
    await relationshipApi.sendFriendRequestByUsername(username.trim())
  }

  /** Accepts an incoming request. */
  function accept(userId: string): Promise<void> {
    const current = byUser.value[userId]
    const next = current ? { ...current, type: RelationshipType.Friend } : null
    return optimistic(userId, next, () => relationshipApi.sendFriendRequest(userId))
  }

  /** "Add Friend" from a profile: an outgoing request (or a friend at once if they had asked). */
  async function sendRequest(userId: string): Promise<void> {
    await relationshipApi.sendFriendRequest(userId)
  }

  /** Removes a friend, ignores an incoming request, cancels an outgoing one, unblocks. */
  function remove(userId: string): Promise<void> {
    return optimistic(userId, null, () => relationshipApi.removeRelationship(userId))
  }

  function block(userId: string): Promise<void> {
    const current = byUser.value[userId]
    const next = current ? { ...current, type: RelationshipType.Blocked } : null
    return optimistic(userId, next, () => relationshipApi.blockUser(userId))
  }

  return {
    byUser,
    loaded,
    all,
    friends,
    incoming,
    outgoing,
    blocked,
    pendingCount,
    relationshipWith,
    typeWith,
    isFriend,
    isBlocked,
    applyReady,
    applyAdd,
    applyRemove,
    reset,
    sendRequestByUsername,
    sendRequest,
    accept,
    remove,
    block,
  }
})
