// Threads (docs/threads.md): every thread the client knows of by id, active ones from READY's
// `threads` (per server) and `threads/active`, archived ones from the per-channel archived lists
// and from opening one; kept live by THREAD_CREATE / UPDATE / DELETE, THREAD_LIST_SYNC,
// THREAD_MEMBER(S)_UPDATE and the messages sent in them (their count and newest message). A
// thread's member list is loaded when asked for (GET thread-members) and then kept live by
// THREAD_MEMBERS_UPDATE. Writes (start, join, leave, archive, lock, settings, adding and removing
// members, delete) go through here; joining, leaving, settings and member changes are optimistic
// and roll back when refused. Threads the user is in count for unread state (read_states), as in
// Discord; the others do not.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '@/api/client'
import * as threadApi from '@/api/threads'
import { isAfter } from '@/models/read_state'
import {
  byArchiveTime,
  byNewest,
  isArchived,
  isThread,
  type Thread,
  type ThreadMember,
  type ThreadMembership,
} from '@/models/thread'
import { useReadStatesStore } from './read_states'

export type ThreadLookup = 'loading' | 'done' | 'missing' | 'error'

/** One channel's archived threads as far as they were paged. */
export interface ArchivedList {
  status: 'idle' | 'loading' | 'done' | 'error'
  error: ApiError | null
  ids: string[]
  hasMore: boolean
}

/** THREAD_MEMBERS_UPDATE. */
export interface ThreadMembersUpdate {
  id: string
  guild_id?: string
  member_count?: number
  added_members?: ThreadMember[]
  removed_member_ids?: string[]
}

/** A thread's members as far as they were loaded, by join time. */
export interface ThreadMemberList {
  status: 'idle' | 'loading' | 'done' | 'error'
  error: ApiError | null
  members: ThreadMember[]
}

/** The thread fields the settings form changes, optimistically. */
export type ThreadSettings = Pick<threadApi.UpdateThreadRequest, 'name' | 'auto_archive_duration' | 'rate_limit_per_user' | 'invitable'>

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

function membershipOf(member: ThreadMember | ThreadMembership | null | undefined): ThreadMembership | null {
  if (!member || typeof member.join_timestamp !== 'string') return null
  return { join_timestamp: member.join_timestamp, flags: typeof member.flags === 'number' ? member.flags : 0 }
}

export const useThreadsStore = defineStore('threads', () => {
  const readStates = useReadStatesStore()
  const threads = ref<Record<string, Thread>>({})
  /** Threads deleted this visit: a starter message's copy of one must not bring it back. */
  const deleted = ref<Record<string, true>>({})
  /** Threads asked of the server by id (a link to one, an archived one). */
  const lookups = ref<Record<string, ThreadLookup>>({})
  const archived = ref<Record<string, ArchivedList>>({})
  const memberLists = ref<Record<string, ThreadMemberList>>({})
  /** Now, refreshed each minute by the shell, so threads whose time ran out move to archived. */
  const clock = ref(Date.now())
  /** Bumped by reset(), so answers to a signed-out session's requests are dropped. */
  let generation = 0

  // --- reading -------------------------------------------------------------------------------

  function threadById(threadId: string | null | undefined): Thread | null {
    if (!threadId) return null
    return threads.value[threadId] ?? null
  }

  function isDeleted(threadId: string): boolean {
    return deleted.value[threadId] === true
  }

  function isMember(threadId: string | null | undefined): boolean {
    return threadById(threadId)?.member != null
  }

  function archivedNow(thread: Thread): boolean {
    return isArchived(thread, clock.value)
  }

  /** The channel's active threads, newest activity first. */
  function activeThreadsOf(parentId: string | null): Thread[] {
    if (parentId === null) return []
    return Object.values(threads.value)
      .filter((thread) => thread.parent_id === parentId && !archivedNow(thread))
      .sort(byNewest)
  }

  /** The channel's archived threads known so far, newest archive first. */
  function archivedThreadsOf(parentId: string | null): Thread[] {
    if (parentId === null) return []
    return Object.values(threads.value)
      .filter((thread) => thread.parent_id === parentId && archivedNow(thread))
      .sort(byArchiveTime)
  }

  function archivedListOf(parentId: string): ArchivedList {
    return archived.value[parentId] ?? { status: 'idle', error: null, ids: [], hasMore: false }
  }

  function memberListOf(threadId: string): ThreadMemberList {
    return memberLists.value[threadId] ?? { status: 'idle', error: null, members: [] }
  }

  function lookupOf(threadId: string): ThreadLookup | null {
    return lookups.value[threadId] ?? null
  }

  // --- keeping them ----------------------------------------------------------------------------

  /**
   * Unread state counts in the threads the user is in, from their read state entries; `joined`:
   * the store didn't know the user was in it (joined now, or READY).
   */
  function syncReadState(thread: Thread, joined: boolean): void {
    if (thread.member != null) {
      if (joined) readStates.markJoined(thread.id, thread.last_message_id)
      readStates.trackThread(thread.guild_id, { id: thread.id, type: thread.type, last_message_id: thread.last_message_id })
    } else {
      readStates.untrackChannel(thread.id)
    }
  }

  function put(thread: Thread): void {
    const joined = threads.value[thread.id]?.member == null
    threads.value = { ...threads.value, [thread.id]: thread }
    syncReadState(thread, joined)
  }

  /**
   * A thread arrived or changed; `member` stays what the store knew unless the event says (a
   * THREAD_UPDATE carries none).
   */
  function applyThread(incoming: Thread, membership?: ThreadMembership | null): void {
    if (!isThread(incoming)) return
    const known = threads.value[incoming.id]
    const { newly_created: _new, ...rest } = incoming
    const member = membership !== undefined ? membership : 'member' in incoming ? membershipOf(incoming.member) : (known?.member ?? null)
    const { [incoming.id]: _deleted, ...stillDeleted } = deleted.value
    deleted.value = stillDeleted
    put({ ...rest, member })
    if (lookups.value[incoming.id] !== 'done') lookups.value = { ...lookups.value, [incoming.id]: 'done' }
  }

  /**
   * A server's active threads as they are now (READY, `threads/active`, THREAD_LIST_SYNC): the
   * active ones not listed are gone (archived or deleted) from `parentIds` (all when undefined).
   */
  function applyActiveList(guildId: string, list: readonly Thread[], members: readonly ThreadMember[] = [], parentIds?: readonly string[]): void {
    const listed = new Set(list.map((thread) => thread.id))
    const scope = parentIds ? new Set(parentIds) : null
    const next: Record<string, Thread> = {}
    for (const [threadId, thread] of Object.entries(threads.value)) {
      const covered = thread.guild_id === guildId && (scope === null || scope.has(thread.parent_id))
      // An active thread not listed any more was archived or deleted: asked again when opened.
      if (covered && !listed.has(threadId) && !thread.thread_metadata.archived) {
        readStates.untrackChannel(threadId)
        continue
      }
      next[threadId] = thread
    }
    threads.value = next
    const memberships = new Map(members.filter((member) => typeof member.id === 'string').map((member) => [member.id!, membershipOf(member)]))
    for (const thread of list) {
      if (!isThread(thread)) continue
      const member = 'member' in thread ? membershipOf(thread.member) : (memberships.get(thread.id) ?? null)
      applyThread({ ...thread, guild_id: thread.guild_id ?? guildId }, member)
    }
  }

  /** READY: each server's active threads the user can see. */
  function applyReady(guilds: readonly { id: string; threads?: readonly Thread[] }[]): void {
    const ids = new Set(guilds.map((guild) => guild.id))
    for (const thread of Object.values(threads.value)) if (!ids.has(thread.guild_id)) forgetGuild(thread.guild_id)
    for (const guild of guilds) if (Array.isArray(guild.threads)) applyActiveList(guild.id, guild.threads)
    // Each one the user is in has its entry in READY's read_state; a server that sends none for
    // threads leaves them read up to their newest message (also on a reconnect's READY).
    for (const thread of Object.values(threads.value)) if (thread.member != null && ids.has(thread.guild_id)) readStates.markJoined(thread.id, thread.last_message_id)
  }

  /** THREAD_LIST_SYNC (Discord's shape; hearthd does not send it yet). */
  function applyListSync(guildId: string, list: readonly Thread[], members: readonly ThreadMember[], channelIds?: readonly string[]): void {
    applyActiveList(guildId, list, members, channelIds)
  }

  function applyThreadDelete(threadId: string): void {
    deleted.value = { ...deleted.value, [threadId]: true }
    lookups.value = { ...lookups.value, [threadId]: 'missing' }
    forgetMembers(threadId)
    if (!threads.value[threadId]) return
    const { [threadId]: _gone, ...rest } = threads.value
    threads.value = rest
    readStates.untrackChannel(threadId)
  }

  /** THREAD_MEMBER_UPDATE: the user joined (sent only to them). */
  function applyMemberUpdate(member: ThreadMember): void {
    const thread = threadById(member.id)
    if (!thread) return
    put({ ...thread, member: membershipOf(member) })
  }

  function setMembers(threadId: string, change: (members: ThreadMember[]) => ThreadMember[]): void {
    const list = memberLists.value[threadId]
    if (!list) return
    memberLists.value = { ...memberLists.value, [threadId]: { ...list, members: change(list.members) } }
  }

  function withMember(members: ThreadMember[], member: ThreadMember): ThreadMember[] {
    return members.some((known) => known.user_id === member.user_id) ? members : [...members, member]
  }

  function forgetMembers(threadId: string): void {
    if (!memberLists.value[threadId]) return
    const { [threadId]: _gone, ...rest } = memberLists.value
    memberLists.value = rest
  }

  /** THREAD_MEMBERS_UPDATE: someone joined or left; the user too, perhaps. */
  function applyMembersUpdate(update: ThreadMembersUpdate, myId: string | null): void {
    const added = (update.added_members ?? []).filter((member) => typeof member.user_id === 'string')
    const removed = new Set(update.removed_member_ids ?? [])
    setMembers(update.id, (members) => added.reduce(withMember, members.filter((member) => !removed.has(member.user_id ?? ''))))
    const thread = threadById(update.id)
    if (!thread) return
    let member = thread.member ?? null
    const mine = myId === null ? undefined : update.added_members?.find((added) => added.user_id === myId)
    if (mine) member = membershipOf(mine) ?? member
    if (myId !== null && update.removed_member_ids?.includes(myId)) member = null
    const memberCount = typeof update.member_count === 'number' ? update.member_count : thread.member_count
    put({ ...thread, member_count: memberCount, member })
  }

  /** MESSAGE_CREATE in a thread: its newest message and count (hearthd sends no THREAD_UPDATE). */
  function applyMessageCreate(channelId: string, messageId: string): void {
    const thread = threadById(channelId)
    if (!thread) return
    // A THREAD_UPDATE that already counted this message leaves it alone.
    if (!isAfter(messageId, thread.last_message_id)) {
      if (thread.member == null) readStates.untrackChannel(thread.id)
      return
    }
    put({ ...thread, last_message_id: messageId, message_count: thread.message_count + 1, total_message_sent: (thread.total_message_sent ?? thread.message_count) + 1 })
  }

  function applyMessagesDeleted(channelId: string, count: number): void {
    const thread = threadById(channelId)
    if (!thread || count <= 0) return
    put({ ...thread, message_count: Math.max(0, thread.message_count - count) })
  }

  function forgetGuild(guildId: string): void {
    const next: Record<string, Thread> = {}
    for (const [threadId, thread] of Object.entries(threads.value)) {
      if (thread.guild_id === guildId) readStates.untrackChannel(threadId)
      else next[threadId] = thread
    }
    threads.value = next
  }

  /** The parent channel is gone, and its threads with it. */
  function forgetParent(parentId: string): void {
    for (const thread of Object.values(threads.value)) if (thread.parent_id === parentId) applyThreadDelete(thread.id)
    const { [parentId]: _gone, ...rest } = archived.value
    archived.value = rest
  }

  function tick(now: number = Date.now()): void {
    clock.value = now
  }

  // --- loading ---------------------------------------------------------------------------------

  /** `threads/active` for a server (after joining it: GUILD_CREATE carries none). */
  async function loadActive(guildId: string): Promise<void> {
    const started = generation
    try {
      const list = await threadApi.listActiveThreads(guildId)
      if (started === generation) applyActiveList(guildId, list.threads ?? [], list.members ?? [])
    } catch {
      // READY's list stays; the next one corrects it.
    }
  }

  /** A thread by id, asked of the server once unless `force`; resolves to it or null. */
  async function ensureThread(threadId: string, force = false): Promise<Thread | null> {
    const known = threadById(threadId)
    if (known && !force) return known
    if (!force && lookups.value[threadId] === 'loading') return null
    const started = generation
    lookups.value = { ...lookups.value, [threadId]: 'loading' }
    try {
      const thread = await threadApi.getThread(threadId)
      if (started !== generation) return null
      if (!isThread(thread)) {
        lookups.value = { ...lookups.value, [threadId]: 'missing' }
        return null
      }
      applyThread(thread, threads.value[threadId]?.member ?? null)
      return threadById(threadId)
    } catch (error) {
      if (started !== generation) return null
      const missing = error instanceof ApiError && (error.status === 404 || error.status === 403)
      lookups.value = { ...lookups.value, [threadId]: missing ? 'missing' : 'error' }
      return null
    }
  }

  /**
   * The channel's archived threads: public ones, and private ones (all with MANAGE_THREADS, else
   * those the user is in). `more` fetches the next page of public ones.
   */
  async function loadArchived(parentId: string, options: { canManage?: boolean; more?: boolean } = {}): Promise<void> {
    const current = archivedListOf(parentId)
    if (current.status === 'loading') return
    if (options.more && !current.hasMore) return
    const started = generation
    archived.value = { ...archived.value, [parentId]: { ...current, status: 'loading', error: null } }
    try {
      const oldest = options.more
        ? current.ids.map((threadId) => threadById(threadId)).filter((thread): thread is Thread => thread !== null && thread.type === 11).sort(byArchiveTime).at(-1)
        : undefined
      const publicPage = threadApi.listPublicArchivedThreads(parentId, { before: oldest?.thread_metadata.archive_timestamp, limit: 50 })
      const privatePage = options.more
        ? Promise.resolve({ threads: [], members: [] } as threadApi.ThreadList)
        : options.canManage
          ? threadApi.listPrivateArchivedThreads(parentId, { limit: 50 })
          : threadApi.listJoinedPrivateArchivedThreads(parentId, { limit: 50 })
      const [publicList, privateList] = await Promise.all([publicPage, privatePage.catch(() => ({ threads: [], members: [] }) as threadApi.ThreadList)])
      if (started !== generation) return
      const members = [...(publicList.members ?? []), ...(privateList.members ?? [])]
      const memberships = new Map(members.filter((member) => member.id).map((member) => [member.id!, membershipOf(member)]))
      const ids = new Set(options.more ? current.ids : [])
      for (const thread of [...(publicList.threads ?? []), ...(privateList.threads ?? [])]) {
        if (!isThread(thread)) continue
        applyThread(thread, memberships.get(thread.id) ?? threads.value[thread.id]?.member ?? null)
        ids.add(thread.id)
      }
      archived.value = { ...archived.value, [parentId]: { status: 'done', error: null, ids: [...ids], hasMore: publicList.has_more === true } }
    } catch (error) {
      if (started !== generation) return
      archived.value = { ...archived.value, [parentId]: { ...current, status: 'error', error: asApiError(error) } }
    }
  }

  /** The thread's members (GET thread-members); a list already shown stays while it reloads. */
  async function loadMembers(threadId: string): Promise<void> {
    const current = memberListOf(threadId)
    if (current.status === 'loading') return
    const started = generation
    memberLists.value = { ...memberLists.value, [threadId]: { ...current, status: 'loading', error: null } }
    try {
      const list = await threadApi.listThreadMembers(threadId)
      if (started !== generation) return
      const members = (Array.isArray(list) ? list : []).filter((member) => typeof member.user_id === 'string')
      memberLists.value = { ...memberLists.value, [threadId]: { status: 'done', error: null, members } }
      const thread = threadById(threadId)
      if (thread && thread.member_count !== members.length) put({ ...thread, member_count: members.length })
    } catch (error) {
      if (started !== generation) return
      memberLists.value = { ...memberLists.value, [threadId]: { ...memberListOf(threadId), status: 'error', error: asApiError(error) } }
    }
  }

  // --- writing ---------------------------------------------------------------------------------

  function mine(thread: Thread): Thread {
    // The creator is its first member; THREAD_MEMBER_UPDATE says so too, perhaps later.
    return { ...thread, member: thread.member ?? { join_timestamp: new Date().toISOString(), flags: 0 } }
  }

  async function startFromMessage(channelId: string, messageId: string, body: threadApi.StartThreadFromMessageRequest): Promise<Thread> {
    const thread = await threadApi.startThreadFromMessage(channelId, messageId, body)
    applyThread(mine(thread))
    return threadById(thread.id) ?? thread
  }

  async function start(channelId: string, body: threadApi.StartThreadRequest): Promise<Thread> {
    const thread = await threadApi.startThread(channelId, body)
    applyThread(mine(thread))
    return threadById(thread.id) ?? thread
  }

  async function update(threadId: string, body: threadApi.UpdateThreadRequest): Promise<Thread> {
    const thread = await threadApi.updateThread(threadId, body)
    applyThread(thread)
    return threadById(thread.id) ?? thread
  }

  async function remove(threadId: string): Promise<void> {
    await threadApi.deleteThread(threadId)
    applyThreadDelete(threadId)
  }

  /**
   * Changes the thread's settings at once and puts back each field still showing the change when
   * the server refuses (a THREAD_UPDATE in the meantime wins).
   */
  async function saveSettings(threadId: string, body: ThreadSettings): Promise<Thread> {
    const before = threadById(threadId)
    if (!before) return update(threadId, body)
    const patch = (thread: Thread, fields: ThreadSettings): Thread => ({
      ...thread,
      name: fields.name ?? thread.name,
      rate_limit_per_user: fields.rate_limit_per_user ?? thread.rate_limit_per_user,
      thread_metadata: {
        ...thread.thread_metadata,
        auto_archive_duration: fields.auto_archive_duration ?? thread.thread_metadata.auto_archive_duration,
        ...(fields.invitable !== undefined ? { invitable: fields.invitable } : {}),
      },
    })
    put(patch(before, body))
    try {
      return await update(threadId, body)
    } catch (error) {
      const now = threadById(threadId)
      if (now) {
        const restore: ThreadSettings = {}
        if (body.name !== undefined && now.name === body.name) restore.name = before.name
        if (body.rate_limit_per_user !== undefined && now.rate_limit_per_user === body.rate_limit_per_user) restore.rate_limit_per_user = before.rate_limit_per_user
        if (body.auto_archive_duration !== undefined && now.thread_metadata.auto_archive_duration === body.auto_archive_duration) {
          restore.auto_archive_duration = before.thread_metadata.auto_archive_duration
        }
        if (body.invitable !== undefined && now.thread_metadata.invitable === body.invitable) restore.invitable = before.thread_metadata.invitable
        put(patch(now, restore))
      }
      throw asApiError(error)
    }
  }

  /** Adds someone at once (list and count), and takes them out again when the server refuses. */
  async function addMember(threadId: string, userId: string): Promise<void> {
    const thread = threadById(threadId)
    const known = memberListOf(threadId).members.some((member) => member.user_id === userId)
    if (!known) {
      setMembers(threadId, (members) => withMember(members, { id: threadId, user_id: userId, join_timestamp: new Date().toISOString(), flags: 0 }))
      if (thread) put({ ...thread, member_count: thread.member_count + 1 })
    }
    try {
      await threadApi.addThreadMember(threadId, userId)
    } catch (error) {
      if (!known) {
        setMembers(threadId, (members) => members.filter((member) => member.user_id !== userId))
        const now = threadById(threadId)
        if (now) put({ ...now, member_count: Math.max(0, now.member_count - 1) })
      }
      throw asApiError(error)
    }
  }

  /** Removes someone at once, and puts them back where they were when the server refuses. */
  async function removeMember(threadId: string, userId: string): Promise<void> {
    const list = memberListOf(threadId).members
    const index = list.findIndex((member) => member.user_id === userId)
    const removed = index >= 0 ? list[index] : null
    if (removed) {
      setMembers(threadId, (members) => members.filter((member) => member.user_id !== userId))
      const thread = threadById(threadId)
      if (thread) put({ ...thread, member_count: Math.max(0, thread.member_count - 1) })
    }
    try {
      await threadApi.removeThreadMember(threadId, userId)
    } catch (error) {
      if (removed) {
        setMembers(threadId, (members) => {
          if (members.some((member) => member.user_id === userId)) return members
          const next = [...members]
          next.splice(Math.min(index, next.length), 0, removed)
          return next
        })
        const now = threadById(threadId)
        if (now) put({ ...now, member_count: now.member_count + 1 })
      }
      throw asApiError(error)
    }
  }

  /** Joins at once, and leaves again when the server refuses. */
  async function join(threadId: string): Promise<void> {
    const before = threadById(threadId)
    if (!before || before.member) return
    put({ ...before, member: { join_timestamp: new Date().toISOString(), flags: 0 }, member_count: before.member_count + 1 })
    try {
      await threadApi.joinThread(threadId)
    } catch (error) {
      const now = threadById(threadId)
      if (now) put({ ...now, member: null, member_count: Math.max(0, now.member_count - 1) })
      throw asApiError(error)
    }
  }

  /** Leaves at once, and is back in when the server refuses. */
  async function leave(threadId: string): Promise<void> {
    const before = threadById(threadId)
    if (!before?.member) return
    const membership = before.member
    put({ ...before, member: null, member_count: Math.max(0, before.member_count - 1) })
    try {
      await threadApi.leaveThread(threadId)
    } catch (error) {
      const now = threadById(threadId)
      if (now) put({ ...now, member: membership, member_count: now.member_count + 1 })
      throw asApiError(error)
    }
  }

  function reset(): void {
    generation += 1
    threads.value = {}
    deleted.value = {}
    lookups.value = {}
    archived.value = {}
    memberLists.value = {}
  }

  return {
    threads,
    deleted,
    lookups,
    archived,
    memberLists,
    clock,
    threadById,
    isDeleted,
    isMember,
    archivedNow,
    activeThreadsOf,
    archivedThreadsOf,
    archivedListOf,
    lookupOf,
    memberListOf,
    applyThread,
    applyActiveList,
    applyReady,
    applyListSync,
    applyThreadDelete,
    applyMemberUpdate,
    applyMembersUpdate,
    applyMessageCreate,
    applyMessagesDeleted,
    forgetGuild,
    forgetParent,
    tick,
    loadActive,
    ensureThread,
    loadArchived,
    loadMembers,
    startFromMessage,
    start,
    update,
    saveSettings,
    addMember,
    removeMember,
    remove,
    join,
    leave,
    reset,
  }
})
