import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useReadStatesStore } from '@/stores/read_states'
import { useThreadsStore } from '@/stores/threads'
import { signInAda } from '../components/account_dialogs_support'
import { ADA, installFakeApi, jsonResponse, type SentRequest } from '../support/fake_api'
import { GUILD_ID } from '../support/guild_fixtures'
import { NOW, thread } from '../support/thread_fixtures'

const MEMBER = { join_timestamp: '2026-01-05T10:00:00Z', flags: 0 }

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function ready() {
  const store = useThreadsStore()
  store.tick(NOW)
  store.applyReady([
    { id: GUILD_ID, threads: [{ ...thread('501'), member: MEMBER }, thread('502', { last_message_id: '9000' })] },
    { id: '77', threads: [thread('601', { guild_id: '77', parent_id: '70' })] },
  ])
  return store
}

describe('threads store: events', () => {
  it('takes READY’s threads with the user’s memberships, and counts only joined ones as unread', () => {
    const store = ready()
    expect(store.activeThreadsOf('11').map((item) => item.id)).toEqual(['502', '501'])
    expect(store.isMember('501')).toBe(true)
    expect(store.isMember('502')).toBe(false)
    const readStates = useReadStatesStore()
    expect(Object.keys(readStates.channels)).toContain('501')
    expect(Object.keys(readStates.channels)).not.toContain('502')
    // The server's channel list replaced: the joined thread stays tracked.
    readStates.trackGuildChannels(GUILD_ID, [{ id: '11', type: 0, last_message_id: null }])
    expect(Object.keys(readStates.channels)).toContain('501')
  })

  it('keeps the membership across THREAD_UPDATE, and drops a deleted thread for good', () => {
    const store = ready()
    store.applyThread({ ...thread('501'), name: 'renamed' })
    expect(store.threadById('501')).toMatchObject({ name: 'renamed', member: MEMBER })
    store.applyThreadDelete('501')
    expect(store.threadById('501')).toBeNull()
    expect(store.isDeleted('501')).toBe(true)
    expect(store.lookupOf('501')).toBe('missing')
    expect(useReadStatesStore().channels['501']).toBeUndefined()
  })

  it('moves an archived thread out of the active list, and one whose time ran out', () => {
    const store = ready()
    store.applyThread(thread('502', {}, { archived: true }))
    expect(store.activeThreadsOf('11').map((item) => item.id)).toEqual(['501'])
    expect(store.archivedThreadsOf('11').map((item) => item.id)).toEqual(['502'])
    store.tick(NOW + 2 * 24 * 3600_000)
    expect(store.activeThreadsOf('11')).toEqual([])
  })

  it('counts messages sent in a thread once, even when THREAD_UPDATE counted them first', () => {
    const store = ready()
    store.applyMessageCreate('502', '9100')
    expect(store.threadById('502')).toMatchObject({ message_count: 1, last_message_id: '9100' })
    store.applyThread(thread('502', { message_count: 2, last_message_id: '9200' }))
    store.applyMessageCreate('502', '9200')
    expect(store.threadById('502')?.message_count).toBe(2)
    store.applyMessagesDeleted('502', 5)
    expect(store.threadById('502')?.message_count).toBe(0)
  })

  it('follows THREAD_MEMBER_UPDATE and THREAD_MEMBERS_UPDATE for the user', () => {
    const store = ready()
    store.applyMemberUpdate({ id: '502', user_id: ADA.id, ...MEMBER })
    expect(store.isMember('502')).toBe(true)
    expect(useReadStatesStore().channels['502']).toMatchObject({ guildId: GUILD_ID, thread: true })
    store.applyMembersUpdate({ id: '502', member_count: 3, added_members: [{ id: '502', user_id: '301', ...MEMBER }] }, ADA.id)
    expect(store.threadById('502')).toMatchObject({ member_count: 3 })
    expect(store.isMember('502')).toBe(true)
    store.applyMembersUpdate({ id: '502', member_count: 2, removed_member_ids: [ADA.id] }, ADA.id)
    expect(store.isMember('502')).toBe(false)
    expect(useReadStatesStore().channels['502']).toBeUndefined()
  })

  it('replaces a server’s active threads from a list sync, only in the channels it names', () => {
    const store = ready()
    store.applyThread(thread('503', { parent_id: '12' }))
    store.applyListSync(GUILD_ID, [thread('504')], [{ id: '504', user_id: ADA.id, ...MEMBER }], ['11'])
    expect(store.activeThreadsOf('11').map((item) => item.id)).toEqual(['504'])
    expect(store.isMember('504')).toBe(true)
    expect(store.threadById('503')).not.toBeNull()
    expect(store.threadById('601')).not.toBeNull()
  })

  it('forgets a server’s threads, and a channel’s', () => {
    const store = ready()
    store.forgetParent('11')
    expect(store.activeThreadsOf('11')).toEqual([])
    expect(store.threadById('601')).not.toBeNull()
    store.forgetGuild('77')
    expect(store.threadById('601')).toBeNull()
  })
})

describe('threads store: requests', () => {
  it('starts a thread from a message and is its first member', async () => {
    const api = installFakeApi({
      'POST /channels/11/messages/1001/threads': jsonResponse(201, thread('1001', { name: 'Trip' })),
    })
    const store = ready()
    const created = await store.startFromMessage('11', '1001', { name: 'Trip', auto_archive_duration: 60 })
    expect(api.calls('POST /channels/11/messages/1001/threads')[0]?.body).toEqual({ name: 'Trip', auto_archive_duration: 60 })
    expect(created.id).toBe('1001')
    expect(store.isMember('1001')).toBe(true)
  })

  it('joins and leaves at once, and rolls back when refused', async () => {
    let refuse = false
    const answer = () => (refuse ? jsonResponse(400, { code: 50083, message: 'Thread is archived' }) : jsonResponse(204))
    installFakeApi({
      'PUT /channels/502/thread-members/@me': answer,
      'DELETE /channels/502/thread-members/@me': answer,
    })
    const store = ready()
    const joining = store.join('502')
    expect(store.isMember('502')).toBe(true)
    await joining
    expect(store.threadById('502')?.member_count).toBe(2)
    refuse = true
    await expect(store.leave('502')).rejects.toMatchObject({ code: 50083 })
    expect(store.isMember('502')).toBe(true)
    expect(store.threadById('502')?.member_count).toBe(2)
  })

  it('asks for an unknown thread once, and says when it is missing', async () => {
    const api = installFakeApi({
      'GET /channels/700': jsonResponse(200, thread('700', {}, { archived: true })),
      'GET /channels/701': jsonResponse(404, { code: 10003, message: 'Unknown Channel' }),
    })
    const store = ready()
    expect(await store.ensureThread('700')).toMatchObject({ id: '700' })
    expect(store.archivedNow(store.threadById('700')!)).toBe(true)
    await store.ensureThread('700')
    expect(api.calls('GET /channels/700')).toHaveLength(1)
    expect(await store.ensureThread('701')).toBeNull()
    expect(store.lookupOf('701')).toBe('missing')
  })

  it('loads a channel’s archived threads, public and the user’s private ones, and pages on', async () => {
    const api = installFakeApi({
      'GET /channels/11/threads/archived/public': (request: SentRequest) =>
        request.query.before
          ? jsonResponse(200, { threads: [thread('801', {}, { archived: true, archive_timestamp: '2026-01-01T00:00:00Z' })], members: [], has_more: false })
          : jsonResponse(200, {
              threads: [thread('802', {}, { archived: true, archive_timestamp: '2026-01-03T00:00:00Z' })],
              members: [{ id: '802', user_id: ADA.id, ...MEMBER }],
              has_more: true,
            }),
      'GET /channels/11/users/@me/threads/archived/private': jsonResponse(200, {
        threads: [thread('803', { type: 12 }, { archived: true, archive_timestamp: '2026-01-04T00:00:00Z' })],
        members: [],
        has_more: false,
      }),
    })
    const store = ready()
    await store.loadArchived('11')
    expect(store.archivedThreadsOf('11').map((item) => item.id)).toEqual(['803', '802'])
    expect(store.isMember('802')).toBe(true)
    expect(store.archivedListOf('11').hasMore).toBe(true)
    await store.loadArchived('11', { more: true })
    expect(api.calls('GET /channels/11/threads/archived/public')[1]?.query.before).toBe('2026-01-03T00:00:00Z')
    expect(store.archivedThreadsOf('11').map((item) => item.id)).toEqual(['803', '802', '801'])
    expect(store.archivedListOf('11').hasMore).toBe(false)
  })
})

describe('threads store: read state', () => {
  function readyWith(entries: { id: string; last_message_id: string | null; mention_count: number }[]) {
    const readStates = useReadStatesStore()
    readStates.applyReady(entries, [{ id: GUILD_ID, channels: [{ id: '11', type: 0, last_message_id: null }] }], [])
    const store = useThreadsStore()
    store.tick(NOW)
    store.applyReady([
      {
        id: GUILD_ID,
        threads: [
          { ...thread('510', { last_message_id: '9000' }), member: MEMBER },
          { ...thread('511', { last_message_id: '9500' }), member: MEMBER },
          thread('512', { last_message_id: '9600' }),
        ],
      },
    ])
    return { store, readStates }
  }

  it('takes a joined thread’s unread state and mentions from its READY entry', () => {
    const { readStates } = readyWith([
      { id: '510', last_message_id: '8000', mention_count: 2 },
      // In it since before any message, never acked: all of it is unread.
      { id: '511', last_message_id: null, mention_count: 0 },
    ])
    expect(readStates.isUnread('510')).toBe(true)
    expect(readStates.lastReadId('510')).toBe('8000')
    expect(readStates.mentionCount('510')).toBe(2)
    expect(readStates.channels['510']).toMatchObject({ guildId: GUILD_ID, lastMessageId: '9000', thread: true })
    expect(readStates.isUnread('511')).toBe(true)
    expect(readStates.lastReadId('511')).toBeNull()
    expect(readStates.guildUnread(GUILD_ID)).toBe(true)
    expect(readStates.guildMentions(GUILD_ID)).toBe(2)
    // Not in it: never counts.
    expect(readStates.isUnread('512')).toBe(false)
  })

  it('a thread read to its newest message stays read until a new one comes', () => {
    const { store, readStates } = readyWith([
      { id: '510', last_message_id: '9000', mention_count: 0 },
      { id: '511', last_message_id: '9500', mention_count: 0 },
    ])
    expect(readStates.isUnread('510')).toBe(false)
    expect(readStates.guildUnread(GUILD_ID)).toBe(false)
    readStates.applyMessage({ id: '9100', channel_id: '510', guild_id: GUILD_ID, author: { id: '301' }, mentions: [{ id: ADA.id }], mention_roles: [], mention_everyone: false }, { userId: ADA.id })
    store.applyMessageCreate('510', '9100')
    expect(readStates.isUnread('510')).toBe(true)
    expect(readStates.mentionCount('510')).toBe(1)
    expect(readStates.guildUnread(GUILD_ID)).toBe(true)
  })

  it('a server that sends no entry for a joined thread: read up to its newest message, new ones unread', () => {
    const { store, readStates } = readyWith([])
    expect(readStates.isUnread('510')).toBe(false)
    expect(readStates.lastReadId('510')).toBe('9000')
    readStates.applyMessage({ id: '9100', channel_id: '510', guild_id: GUILD_ID, author: { id: '301' }, mentions: [], mention_roles: [], mention_everyone: false }, { userId: ADA.id })
    store.applyMessageCreate('510', '9100')
    expect(readStates.isUnread('510')).toBe(true)
    expect(readStates.guildUnread(GUILD_ID)).toBe(true)
    // A reconnect's READY, still without entries: read up to the newest message again.
    readStates.applyReady([], [{ id: GUILD_ID, channels: [{ id: '11', type: 0, last_message_id: null }] }], [])
    store.applyReady([{ id: GUILD_ID, threads: [{ ...thread('510', { last_message_id: '9100' }), member: MEMBER }] }])
    expect(readStates.isUnread('510')).toBe(false)
    expect(readStates.lastReadId('510')).toBe('9100')
  })

  it('a thread joined now is read up to its newest message; one rejoined keeps its mark', () => {
    const { store, readStates } = readyWith([{ id: '510', last_message_id: '8000', mention_count: 1 }])
    expect(readStates.isUnread('512')).toBe(false)
    store.applyMemberUpdate({ id: '512', user_id: ADA.id, ...MEMBER })
    expect(readStates.isUnread('512')).toBe(false)
    expect(readStates.lastReadId('512')).toBe('9600')
    // A membership the store already knew doesn't move the mark the server gave.
    store.applyMemberUpdate({ id: '510', user_id: ADA.id, ...MEMBER })
    expect(readStates.lastReadId('510')).toBe('8000')
    expect(readStates.isUnread('510')).toBe(true)
  })
})
