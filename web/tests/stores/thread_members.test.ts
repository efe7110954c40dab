import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useThreadsStore } from '@/stores/threads'
import { signInAda } from '../components/account_dialogs_support'
import { ADA, installFakeApi, jsonResponse } from '../support/fake_api'
import { NOW, thread } from '../support/thread_fixtures'

const JOINED = '2026-01-05T10:00:00Z'

function member(userId: string) {
  return { id: '501', user_id: userId, join_timestamp: JOINED, flags: 0 }
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function storeWith(extra = {}, metadata = {}) {
  const store = useThreadsStore()
  store.tick(NOW)
  store.applyThread(thread('501', { type: 12, member_count: 2, ...extra }, { invitable: true, ...metadata }), { join_timestamp: JOINED, flags: 0 })
  return store
}

const ids = (store: ReturnType<typeof useThreadsStore>) => store.memberListOf('501').members.map((item) => item.user_id)

describe('threads store: member lists', () => {
  it('loads a thread’s members, corrects its count, and says when it could not', async () => {
    const api = installFakeApi({ 'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id), member('301'), member('302')]) })
    const store = storeWith()
    expect(store.memberListOf('501').status).toBe('idle')
    const loading = store.loadMembers('501')
    expect(store.memberListOf('501').status).toBe('loading')
    await loading
    expect(store.memberListOf('501')).toMatchObject({ status: 'done', error: null })
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
    expect(store.threadById('501')?.member_count).toBe(3)
    expect(api.calls('GET /channels/501/thread-members')).toHaveLength(1)

    installFakeApi({ 'GET /channels/501/thread-members': jsonResponse(500, { code: 0, message: 'Down for a moment' }) })
    await store.loadMembers('501')
    // What was shown stays, with the error beside it.
    expect(store.memberListOf('501')).toMatchObject({ status: 'error', error: { message: 'Down for a moment' } })
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
  })

  it('keeps a loaded list live from THREAD_MEMBERS_UPDATE, without doubles', async () => {
    installFakeApi({ 'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id), member('301')]) })
    const store = storeWith()
    await store.loadMembers('501')
    store.applyMembersUpdate({ id: '501', member_count: 3, added_members: [member('302'), member('301')] }, ADA.id)
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
    expect(store.threadById('501')?.member_count).toBe(3)
    store.applyMembersUpdate({ id: '501', member_count: 2, removed_member_ids: ['301'] }, ADA.id)
    expect(ids(store)).toEqual([ADA.id, '302'])
    expect(store.threadById('501')?.member_count).toBe(2)
    // A thread whose list was never loaded keeps none (it is loaded when shown).
    store.applyThread(thread('502'))
    store.applyMembersUpdate({ id: '502', member_count: 2, added_members: [member('302')] }, ADA.id)
    expect(store.memberListOf('502').status).toBe('idle')
    expect(store.threadById('502')?.member_count).toBe(2)
    // Deleting the thread or signing out forgets the list.
    store.applyThreadDelete('501')
    expect(store.memberListOf('501').members).toEqual([])
  })

  it('adds someone at once, and takes them out again when refused', async () => {
    const api = installFakeApi({
      'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id), member('301')]),
      'PUT /channels/501/thread-members/302': jsonResponse(204),
      'PUT /channels/501/thread-members/303': () => jsonResponse(403, { code: 50001, message: 'Missing Access' }),
    })
    const store = storeWith()
    await store.loadMembers('501')
    const adding = store.addMember('501', '302')
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
    expect(store.threadById('501')?.member_count).toBe(3)
    await adding
    expect(api.calls('PUT /channels/501/thread-members/302')).toHaveLength(1)
    // The server's event agrees: nothing doubles.
    store.applyMembersUpdate({ id: '501', member_count: 3, added_members: [member('302')] }, ADA.id)
    expect(ids(store)).toEqual([ADA.id, '301', '302'])

    const refused = store.addMember('501', '303')
    expect(ids(store)).toContain('303')
    await expect(refused).rejects.toMatchObject({ code: 50001 })
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
    expect(store.threadById('501')?.member_count).toBe(3)
  })

  it('removes someone at once, and puts them back in their place when refused', async () => {
    installFakeApi({
      'GET /channels/501/thread-members': jsonResponse(200, [member(ADA.id), member('301'), member('302')]),
      'DELETE /channels/501/thread-members/301': jsonResponse(403, { code: 50013, message: 'Missing Permissions' }),
      'DELETE /channels/501/thread-members/302': jsonResponse(204),
    })
    const store = storeWith()
    await store.loadMembers('501')
    const removing = store.removeMember('501', '301')
    expect(ids(store)).toEqual([ADA.id, '302'])
    expect(store.threadById('501')?.member_count).toBe(2)
    await expect(removing).rejects.toMatchObject({ code: 50013 })
    expect(ids(store)).toEqual([ADA.id, '301', '302'])
    expect(store.threadById('501')?.member_count).toBe(3)

    await store.removeMember('501', '302')
    expect(ids(store)).toEqual([ADA.id, '301'])
    expect(store.threadById('501')?.member_count).toBe(2)
  })
})

describe('threads store: settings', () => {
  it('changes the thread at once and keeps the server’s answer', async () => {
    let release: (() => void) | null = null
    const api = installFakeApi({
      'PATCH /channels/501': (request) =>
        new Promise<Response>((resolve) => {
          release = () =>
            resolve(
              jsonResponse(200, thread('501', { type: 12, name: 'Renamed', rate_limit_per_user: 30 }, { invitable: false, auto_archive_duration: 60 })),
            )
          expect(request.body).toEqual({ name: 'Renamed', rate_limit_per_user: 30, invitable: false, auto_archive_duration: 60 })
        }),
    })
    const store = storeWith()
    const saving = store.saveSettings('501', { name: 'Renamed', rate_limit_per_user: 30, invitable: false, auto_archive_duration: 60 })
    expect(store.threadById('501')).toMatchObject({ name: 'Renamed', rate_limit_per_user: 30 })
    expect(store.threadById('501')?.thread_metadata).toMatchObject({ invitable: false, auto_archive_duration: 60 })
    await vi.waitFor(() => expect(release).not.toBeNull())
    release!()
    await saving
    expect(store.threadById('501')).toMatchObject({ name: 'Renamed', member: { join_timestamp: JOINED } })
    expect(api.calls('PATCH /channels/501')).toHaveLength(1)
  })

  it('puts back what the server refused, but not what someone else changed meanwhile', async () => {
    let refuse: (() => void) | null = null
    installFakeApi({
      'PATCH /channels/501': () =>
        new Promise<Response>((resolve) => {
          refuse = () => resolve(jsonResponse(403, { code: 50013, message: 'Missing Permissions' }))
        }),
    })
    const store = storeWith({ name: 'Before', rate_limit_per_user: 0 }, { auto_archive_duration: 1440 })
    const saving = store.saveSettings('501', { name: 'After', rate_limit_per_user: 10, auto_archive_duration: 4320 })
    expect(store.threadById('501')?.name).toBe('After')
    // A THREAD_UPDATE from a moderator lands first: their slowmode stays.
    const current = store.threadById('501')!
    store.applyThread({ ...current, rate_limit_per_user: 120 })
    await vi.waitFor(() => expect(refuse).not.toBeNull())
    refuse!()
    await expect(saving).rejects.toMatchObject({ code: 50013 })
    expect(store.threadById('501')).toMatchObject({ name: 'Before', rate_limit_per_user: 120 })
    expect(store.threadById('501')?.thread_metadata.auto_archive_duration).toBe(1440)
  })
})
