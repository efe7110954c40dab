import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { RelationshipType } from '@/models/relationship'
import { useRelationshipsStore } from '@/stores/relationships'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { BOB, CAROL, DAVE, relationship } from '../support/social_fixtures'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function loaded() {
  const store = useRelationshipsStore()
  store.applyReady([
    relationship(BOB, RelationshipType.Friend),
    relationship(CAROL, RelationshipType.Incoming),
    relationship(DAVE, RelationshipType.Outgoing),
    { id: 'broken' },
  ])
  return store
}

describe('relationships store', () => {
  it('takes READY’s list, skipping malformed entries, and sorts it into friends, requests and blocks', () => {
    const store = loaded()
    expect(store.loaded).toBe(true)
    expect(store.friends.map((entry) => entry.id)).toEqual([BOB.id])
    expect(store.incoming.map((entry) => entry.id)).toEqual([CAROL.id])
    expect(store.outgoing.map((entry) => entry.id)).toEqual([DAVE.id])
    expect(store.pendingCount).toBe(1)
    expect(store.isFriend(BOB.id)).toBe(true)
    expect(store.typeWith('broken')).toBeNull()
  })

  it('applies RELATIONSHIP_ADD (a request accepted becomes a friend) and RELATIONSHIP_REMOVE', () => {
    const store = loaded()
    store.applyAdd({ id: CAROL.id, type: RelationshipType.Friend, user: CAROL })
    expect(store.isFriend(CAROL.id)).toBe(true)
    expect(store.pendingCount).toBe(0)
    // A removal of a type that was already replaced does not remove the new one.
    store.applyRemove(CAROL.id, RelationshipType.Incoming)
    expect(store.isFriend(CAROL.id)).toBe(true)
    store.applyRemove(CAROL.id, RelationshipType.Friend)
    expect(store.relationshipWith(CAROL.id)).toBeNull()
    store.applyAdd({ id: 'x', type: 9, user: CAROL })
    expect(store.relationshipWith('x')).toBeNull()
  })

  it('accepts at once and puts the request back when the server refuses', async () => {
    const api = installFakeApi({
      [`PUT /users/@me/relationships/${CAROL.id}`]: jsonResponse(403, { code: 50013, message: 'Missing Permissions' }),
    })
    const store = loaded()
    const accepting = store.accept(CAROL.id)
    expect(store.isFriend(CAROL.id)).toBe(true)
    await expect(accepting).rejects.toBeInstanceOf(ApiError)
    expect(store.typeWith(CAROL.id)).toBe(RelationshipType.Incoming)
    expect(api.calls(`PUT /users/@me/relationships/${CAROL.id}`)[0]!.body).toEqual({})
  })

  it('removes, cancels and blocks through the right routes', async () => {
    const api = installFakeApi({
      [`DELETE /users/@me/relationships/${DAVE.id}`]: jsonResponse(204),
      [`PUT /users/@me/relationships/${BOB.id}`]: jsonResponse(204),
      'POST /users/@me/relationships': jsonResponse(204),
    })
    const store = loaded()
    await store.remove(DAVE.id)
    expect(store.relationshipWith(DAVE.id)).toBeNull()
    await store.block(BOB.id)
    expect(store.isBlocked(BOB.id)).toBe(true)
    expect(api.calls(`PUT /users/@me/relationships/${BOB.id}`)[0]!.body).toEqual({ type: 2 })
    await store.sendRequestByUsername('  frank ')
    expect(api.calls('POST /users/@me/relationships')[0]!.body).toEqual({ username: 'frank' })
    await flushPromises()
  })

  it('keeps a removed friend when the server refuses', async () => {
    installFakeApi({ [`DELETE /users/@me/relationships/${BOB.id}`]: jsonResponse(500, { code: 0, message: 'boom' }) })
    const store = loaded()
    await expect(store.remove(BOB.id)).rejects.toBeInstanceOf(ApiError)
    expect(store.isFriend(BOB.id)).toBe(true)
  })
})
