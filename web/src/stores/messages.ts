// The messages of each channel the user has looked at: a window of history in id order (pages
// loaded before, after or around a message), the live MESSAGE_* and MESSAGE_REACTION_* events
// applied to it, the user's own sends shown at once and confirmed or failed, and pins.
//
// A channel's window either reaches the present (new messages are appended as they arrive) or,
// after a jump to an old message, is detached from it (`hasNewer`: live messages are not added,
// "Jump to present" loads the newest page again). Channels no longer on screen keep only their
// newest messages, and only the most recently used ones are kept at all.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '@/api/client'
import * as messageApi from '@/api/messages'
import { compareIds } from '@/models/guild'
import type { PublicUser } from '@/models/member'
import {
  addReaction,
  indexOfId,
  makeNonce,
  mergeMessages,
  MessageType,
  removeReaction,
  type ChatMessage,
  type Message,
  type ReactionEmoji,
} from '@/models/message'
import { useSessionStore } from './session'

export type LoadStatus = 'idle' | 'loading' | 'done' | 'error'

/** Messages asked for per history request. */
export const PAGE_SIZE = 50
/** What a channel keeps once it is no longer on screen. */
export const CACHED_MESSAGES = 50
/** How many channels not on screen keep their messages. */
export const CACHED_CHANNELS = 20

export interface ChannelMessages {
  channelId: string
  /** Confirmed messages, ascending by id, without gaps. */
  messages: ChatMessage[]
  /** The user's sends the server has not confirmed yet (sending or failed), in the order sent. */
  pending: ChatMessage[]
  /** The first load (or a reload after a jump). */
  status: LoadStatus
  error: ApiError | null
  /** There may be messages before the first one held. */
  hasOlder: boolean
  /** The window does not reach the present (after a jump to an old message). */
  hasNewer: boolean
  olderStatus: LoadStatus
  newerStatus: LoadStatus
  /** For the cache: when the channel was last shown. */
  lastUsed: number
}

export interface PinsState {
  status: LoadStatus | 'unsupported'
  messages: Message[]
  error: ApiError | null
}

/** A failure worth telling the user about that has no message row to show it on. */
export interface MessageNotice {
  channelId: string
  text: string
  id: number
}

export interface SendOptions {
  replyTo?: Message | null
  /** Whether a reply pings its author (Discord's "@ON"). */
  mentionReplied?: boolean
  /** Files to upload with it (multipart; progress shown on the pending message, which can be cancelled). */
  files?: readonly messageApi.UploadFile[]
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'Something went wrong. Please try again.')
}

/** What a failed send says under the message. */
export function sendErrorText(error: ApiError): string {
  if (error.isRateLimited) {
    const wait = error.retryAfter !== null ? Math.max(1, Math.ceil(error.retryAfter)) : null
    return wait === null ? 'You are sending messages too quickly.' : `Slowmode: you can send again in ${wait} s.`
  }
  if (error.status === 403) return 'You do not have permission to send messages here.'
  if (error.isNetworkError) return 'Could not reach the server.'
  return error.message
}

function emptyChannel(channelId: string): ChannelMessages {
  return {
    channelId,
    messages: [],
    pending: [],
    status: 'idle',
    error: null,
    hasOlder: true,
    hasNewer: false,
    olderStatus: 'idle',
    newerStatus: 'idle',
    lastUsed: Date.now(),
  }
}

/** Newest first (the server's order) to ascending. */
function ascending(page: readonly Message[]): Message[] {
  return [...page].sort((a, b) => compareIds(a.id, b.id))
}

export const useMessagesStore = defineStore('messages', () => {
  const session = useSessionStore()
  const channels = ref<Record<string, ChannelMessages>>({})
  const pins = ref<Record<string, PinsState>>({})
  const notice = ref<MessageNotice | null>(null)
  /** READY has come in this session: read states are known, acks may go. */
  const ready = ref(false)
  /** Channels on screen now (a count per channel: two views may show one). */
  const onScreen = new Map<string, number>()
  /** Bumped per channel when its window is replaced, so a late page of the old one is dropped. */
  const windows = new Map<string, number>()
  /** Bumped by reset(), so answers for a signed-out session are dropped. */
  let generation = 0
  /** Files of sends in progress or failed, by message key: kept out of reactive state (Blobs). */
  const uploads = new Map<string, { files: readonly messageApi.UploadFile[]; abort: AbortController | null }>()
  let noticeCounter = 0

  function myId(): string | null {
    return session.user?.id ?? null
  }

  function showNotice(channelId: string, text: string): void {
    noticeCounter += 1
    notice.value = { channelId, text, id: noticeCounter }
  }

  // --- reading ---------------------------------------------------------------------------------

  function channelState(channelId: string): ChannelMessages | null {
    return channels.value[channelId] ?? null
  }

  /** What the list shows: confirmed messages, then the user's unconfirmed sends when at the present. */
  function messagesOf(channelId: string): ChatMessage[] {
    const state = channels.value[channelId]
    if (!state) return []
    return state.hasNewer ? state.messages : [...state.messages, ...state.pending]
  }

  function findMessage(channelId: string, messageId: string): ChatMessage | null {
    const state = channels.value[channelId]
    if (!state) return null
    const index = indexOfId(state.messages, messageId)
    return index >= 0 ? state.messages[index]! : null
  }

  /** The user's newest confirmed message (for Up arrow → edit). */
  function lastOwnMessage(channelId: string): ChatMessage | null {
    const me = myId()
    const list = channels.value[channelId]?.messages ?? []
    for (let index = list.length - 1; index >= 0; index--) {
      if (list[index]!.author.id === me) return list[index]!
    }
    return null
  }

  // --- windows and the cache ---------------------------------------------------------------------

  function ensure(channelId: string): ChannelMessages {
    let state = channels.value[channelId]
    if (!state) {
      state = emptyChannel(channelId)
      channels.value[channelId] = state
      // The proxied object, so later changes are seen.
      state = channels.value[channelId]!
    }
    return state
  }

  function windowOf(channelId: string): number {
    return windows.get(channelId) ?? 0
  }

  function newWindow(channelId: string): number {
    const next = windowOf(channelId) + 1
    windows.set(channelId, next)
    return next
  }

  /** A view shows the channel: it is kept whole while shown. */
  function open(channelId: string): void {
    onScreen.set(channelId, (onScreen.get(channelId) ?? 0) + 1)
    ensure(channelId).lastUsed = Date.now()
  }

  /** A view stops showing the channel: it keeps its newest messages, and the oldest channels go. */
  function close(channelId: string): void {
    const count = (onScreen.get(channelId) ?? 1) - 1
    if (count > 0) {
      onScreen.set(channelId, count)
      return
    }
    onScreen.delete(channelId)
    const state = channels.value[channelId]
    if (state) {
      state.lastUsed = Date.now()
      if (state.hasNewer || state.status !== 'done') {
        // A window away from the present is of no use later; nor is a failed load.
        if (state.pending.length === 0) drop(channelId)
        else Object.assign(state, { messages: [], hasNewer: false, hasOlder: true, status: 'idle' })
      } else if (state.messages.length > CACHED_MESSAGES) {
        state.messages = state.messages.slice(-CACHED_MESSAGES)
        state.hasOlder = true
      }
    }
    evict()
  }

  function drop(channelId: string): void {
    const { [channelId]: _gone, ...rest } = channels.value
    channels.value = rest
    newWindow(channelId)
  }

  function evict(): void {
    const idle = Object.values(channels.value)
      .filter((state) => !onScreen.has(state.channelId) && state.pending.length === 0)
      .sort((a, b) => b.lastUsed - a.lastUsed)
    for (const state of idle.slice(CACHED_CHANNELS)) drop(state.channelId)
  }

  function isOnScreen(channelId: string): boolean {
    return onScreen.has(channelId)
  }

  // --- history -----------------------------------------------------------------------------------

  /**
   * The newest page. A window already at the present is kept (and joined with the page when they
   * meet); a window away from it, or one that no longer meets the page, is replaced.
   */
  async function loadLatest(channelId: string, force = false): Promise<void> {
    const state = ensure(channelId)
    if (!force && !state.hasNewer && (state.status === 'done' || state.status === 'loading')) return
    const started = generation
    const window = newWindow(channelId)
    state.status = 'loading'
    state.error = null
    try {
      const page = ascending(await messageApi.listMessages(channelId, { limit: PAGE_SIZE }))
      if (started !== generation || window !== windowOf(channelId)) return
      const current = ensure(channelId)
      const held = current.hasNewer ? [] : current.messages
      const newestHeld = held.at(-1)
      const meets = newestHeld !== undefined && (page.length === 0 || compareIds(newestHeld.id, page[0]!.id) >= 0)
      if (meets) {
        current.messages = mergeMessages(held, page)
      } else {
        current.messages = mergeMessages([], page)
        current.hasOlder = page.length >= PAGE_SIZE
      }
      current.hasNewer = false
      current.status = 'done'
      current.olderStatus = 'idle'
      current.newerStatus = 'idle'
    } catch (error) {
      if (started !== generation || window !== windowOf(channelId)) return
      const current = ensure(channelId)
      current.status = 'error'
      current.error = asApiError(error)
    }
  }

  /** The page before the first message held. */
  async function loadOlder(channelId: string): Promise<void> {
    const state = channels.value[channelId]
    if (!state || state.status !== 'done' || !state.hasOlder || state.olderStatus === 'loading') return
    const first = state.messages[0]
    if (!first) {
      state.hasOlder = false
      return
    }
    const started = generation
    const window = windowOf(channelId)
    state.olderStatus = 'loading'
    try {
      const page = await messageApi.listMessages(channelId, { before: first.id, limit: PAGE_SIZE })
      if (started !== generation || window !== windowOf(channelId)) return
      const current = channels.value[channelId]
      if (!current) return
      current.messages = mergeMessages(current.messages, page)
      current.hasOlder = page.length >= PAGE_SIZE
      current.olderStatus = 'done'
    } catch {
      if (started !== generation || window !== windowOf(channelId)) return
      const current = channels.value[channelId]
      if (current) current.olderStatus = 'error'
    }
  }

  /** The page after the last message held, in a window away from the present. */
  async function loadNewer(channelId: string): Promise<void> {
    const state = channels.value[channelId]
    if (!state || state.status !== 'done' || !state.hasNewer || state.newerStatus === 'loading') return
    const last = state.messages.at(-1)
    if (!last) return loadLatest(channelId, true)
    const started = generation
    const window = windowOf(channelId)
    state.newerStatus = 'loading'
    try {
      const page = await messageApi.listMessages(channelId, { after: last.id, limit: PAGE_SIZE })
      if (started !== generation || window !== windowOf(channelId)) return
      const current = channels.value[channelId]
      if (!current) return
      current.messages = mergeMessages(current.messages, page)
      current.hasNewer = page.length >= PAGE_SIZE
      current.newerStatus = 'done'
    } catch {
      if (started !== generation || window !== windowOf(channelId)) return
      const current = channels.value[channelId]
      if (current) current.newerStatus = 'error'
    }
  }

  /**
   * Makes sure `messageId` is in the window: if not, the window is replaced by the page around it.
   * Resolves whether the message exists.
   */
  async function loadAround(channelId: string, messageId: string): Promise<boolean> {
    const state = ensure(channelId)
    if (state.status === 'done' && indexOfId(state.messages, messageId) >= 0) return true
    const started = generation
    const window = newWindow(channelId)
    state.status = 'loading'
    state.error = null
    try {
      const page = ascending(await messageApi.listMessages(channelId, { around: messageId, limit: PAGE_SIZE }))
      if (started !== generation || window !== windowOf(channelId)) return false
      const current = ensure(channelId)
      const newer = page.filter((message) => compareIds(message.id, messageId) > 0).length
      const older = page.length - newer
      current.messages = mergeMessages([], page)
      current.hasOlder = older >= PAGE_SIZE / 2
      current.hasNewer = newer >= PAGE_SIZE / 2
      current.status = 'done'
      current.olderStatus = 'idle'
      current.newerStatus = 'idle'
      return indexOfId(current.messages, messageId) >= 0
    } catch (error) {
      if (started !== generation || window !== windowOf(channelId)) return false
      const current = ensure(channelId)
      current.status = 'error'
      current.error = asApiError(error)
      return false
    }
  }

  /**
   * READY: read states are known now. After the gateway connected again, events may have been
   * missed: channels not on screen are forgotten, those on screen load their newest page again.
   */
  function resync(): void {
    ready.value = true
    for (const channelId of Object.keys(channels.value)) {
      const state = channels.value[channelId]!
      if (!onScreen.has(channelId)) {
        if (state.pending.length === 0) drop(channelId)
        else Object.assign(state, { messages: [], status: 'idle', hasOlder: true, hasNewer: false })
      } else if (!state.hasNewer && state.status === 'done') {
        void loadLatest(channelId, true)
      }
    }
  }

  // --- sending -----------------------------------------------------------------------------------

  function me(): PublicUser {
    const user = session.user
    return { id: user?.id ?? '0', username: user?.username ?? '', global_name: user?.global_name ?? null, avatar: user?.avatar ?? null }
  }

  /** Puts a confirmed message where it belongs, taking the place of the optimistic one with its nonce. */
  function confirm(channelId: string, message: Message, key?: string): void {
    const state = channels.value[channelId]
    if (!state) return
    const nonce = message.nonce === undefined || message.nonce === null ? null : String(message.nonce)
    const optimistic = nonce === null ? undefined : state.pending.find((candidate) => candidate.nonce === nonce)
    if (optimistic) state.pending = state.pending.filter((candidate) => candidate !== optimistic)
    if (state.hasNewer) return
    const stableKey = key ?? optimistic?.key
    const index = indexOfId(state.messages, message.id)
    if (index >= 0) {
      const held = state.messages[index]!
      state.messages[index] = { ...held, ...message, key: held.key, state: 'sent', error: null }
      return
    }
    state.messages = mergeMessages(state.messages, [message])
    if (stableKey) {
      const placed = indexOfId(state.messages, message.id)
      state.messages[placed] = { ...state.messages[placed]!, key: stableKey }
    }
  }

  async function deliver(channelId: string, key: string): Promise<void> {
    const started = generation
    const findPending = () => channels.value[channelId]?.pending.find((message) => message.key === key) ?? null
    const optimistic = findPending()
    if (!optimistic) return
    const body: messageApi.SendMessageRequest = {
      content: optimistic.content,
      nonce: String(optimistic.nonce),
      enforce_nonce: true,
    }
    const replyId = optimistic.message_reference?.message_id
    if (replyId) {
      body.message_reference = { message_id: replyId }
      body.allowed_mentions = { parse: ['users', 'roles', 'everyone'], replied_user: optimistic.replyPing !== false }
    }
    const upload = uploads.get(key)
    try {
      let message: Message
      if (upload) {
        upload.abort = new AbortController()
        message = await messageApi.sendMessageWithFiles(channelId, body, upload.files, {
          signal: upload.abort.signal,
          onProgress: (loaded, total) => {
            const state = channels.value[channelId]
            if (!state) return
            const index = state.pending.findIndex((candidate) => candidate.key === key)
            const held = state.pending[index]
            if (!held?.upload) return
            state.pending[index] = { ...held, upload: { ...held.upload, loaded, total: total || held.upload.total } }
          },
        })
        uploads.delete(key)
      } else {
        message = await messageApi.sendMessage(channelId, body)
      }
      if (started !== generation) return
      confirm(channelId, { ...message, nonce: message.nonce ?? optimistic.nonce }, key)
    } catch (error) {
      if (upload) upload.abort = null
      // A cancelled upload is gone: cancelUpload already took it off the list.
      if ((error as { name?: unknown } | null)?.name === 'AbortError') return
      if (started !== generation) return
      const failed = findPending()
      if (!failed) return
      const state = channels.value[channelId]!
      state.pending = state.pending.map((message) =>
        message.key === key ? { ...message, state: 'failed', error: sendErrorText(asApiError(error)) } : message,
      )
      throw asApiError(error)
    }
  }

  /**
   * Shows the message at once (dimmed) and sends it; the server's answer or its MESSAGE_CREATE
   * (whichever comes first, matched by nonce) replaces it. A refused send stays, marked failed,
   * with Retry and Delete. Rejects with the error, so the composer can start a slowmode wait.
   */
  function send(channelId: string, content: string, options: SendOptions = {}): Promise<void> {
    const state = ensure(channelId)
    const nonce = makeNonce()
    const replyTo = options.replyTo ?? null
    const author = me()
    const optimistic: ChatMessage = {
      id: nonce,
      key: nonce,
      state: 'sending',
      error: null,
      nonce,
      type: replyTo ? MessageType.Reply : MessageType.Default,
      channel_id: channelId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      mention_everyone: false,
      mentions: [],
      replyPing: replyTo ? options.mentionReplied !== false : undefined,
      mention_roles: [],
      pinned: false,
      reactions: [],
      ...(replyTo
        ? { message_reference: { message_id: replyTo.id, channel_id: channelId }, referenced_message: replyTo }
        : {}),
    }
    const files = options.files ?? []
    if (files.length > 0) {
      uploads.set(nonce, { files, abort: null })
      const total = files.reduce((sum, entry) => sum + entry.file.size, 0)
      optimistic.upload = { files: files.map((entry) => ({ filename: entry.filename, size: entry.file.size })), loaded: 0, total }
    }
    state.pending = [...state.pending, optimistic]
    return deliver(channelId, nonce)
  }

  /** Sends a failed message again, with the same nonce (the server answers a repeat with the first). */
  function retry(channelId: string, key: string): Promise<void> {
    const state = channels.value[channelId]
    if (!state) return Promise.resolve()
    state.pending = state.pending.map((message) => (message.key === key ? { ...message, state: 'sending', error: null } : message))
    return deliver(channelId, key)
  }

  /** Forgets a failed send. */
  function discard(channelId: string, key: string): void {
    const state = channels.value[channelId]
    if (state) state.pending = state.pending.filter((message) => message.key !== key)
    uploads.delete(key)
  }

  /** Stops a send with files while it uploads; the message is dropped, as Discord does. */
  function cancelUpload(channelId: string, key: string): void {
    const upload = uploads.get(key)
    upload?.abort?.abort()
    discard(channelId, key)
  }

  function patchMessage(channelId: string, messageId: string, change: (message: ChatMessage) => ChatMessage): ChatMessage | null {
    const state = channels.value[channelId]
    if (!state) return null
    const index = indexOfId(state.messages, messageId)
    if (index < 0) return null
    const before = state.messages[index]!
    state.messages[index] = change(before)
    return before
  }

  /** Edits at once; the old text comes back if the server refuses, with the reason under it. */
  async function edit(channelId: string, messageId: string, content: string): Promise<void> {
    const started = generation
    const before = patchMessage(channelId, messageId, (message) => ({
      ...message,
      content,
      edited_timestamp: new Date().toISOString(),
      error: null,
    }))
    try {
      const message = await messageApi.editMessage(channelId, messageId, content)
      if (started !== generation) return
      patchMessage(channelId, messageId, (held) => ({ ...held, ...message, key: held.key, state: 'sent', error: null }))
    } catch (error) {
      if (started !== generation) return
      const reason = asApiError(error).message
      if (before) patchMessage(channelId, messageId, () => ({ ...before, error: `Could not edit: ${reason}` }))
      throw asApiError(error)
    }
  }

  /** Removes at once; the message comes back if the server refuses. */
  async function remove(channelId: string, messageId: string): Promise<void> {
    const started = generation
    const state = channels.value[channelId]
    const held = findMessage(channelId, messageId)
    if (state && held) applyDelete(channelId, messageId)
    try {
      await messageApi.deleteMessage(channelId, messageId)
    } catch (error) {
      const failure = asApiError(error)
      // Already gone is what was wanted.
      if (failure.status === 404 && failure.code === 10008) return
      if (started !== generation) return
      const current = channels.value[channelId]
      if (current && held && !current.hasNewer) current.messages = mergeMessages(current.messages, [held])
      showNotice(channelId, `Could not delete the message: ${failure.message}`)
      throw failure
    }
  }

  // --- reactions ---------------------------------------------------------------------------------

  /** Adds or takes back the user's reaction at once; undone if the server refuses. */
  async function toggleReaction(channelId: string, messageId: string, emoji: ReactionEmoji): Promise<void> {
    const message = findMessage(channelId, messageId)
    if (!message) return
    const mine = message.reactions?.find((reaction) => reaction.emoji.name === emoji.name && reaction.emoji.id === emoji.id)?.me ?? false
    return setReaction(channelId, messageId, emoji, !mine)
  }

  async function setReaction(channelId: string, messageId: string, emoji: ReactionEmoji, on: boolean): Promise<void> {
    const started = generation
    const apply = (add: boolean) =>
      patchMessage(channelId, messageId, (held) => ({
        ...held,
        reactions: add ? addReaction(held.reactions, emoji, true) : removeReaction(held.reactions, emoji, true),
      }))
    apply(on)
    try {
      if (on) await messageApi.addReaction(channelId, messageId, emoji)
      else await messageApi.removeReaction(channelId, messageId, emoji)
    } catch (error) {
      if (started !== generation) return
      apply(!on)
      const failure = asApiError(error)
      showNotice(
        channelId,
        failure.code === messageApi.UNKNOWN_ROUTE_CODE ? 'This server does not support reactions yet.' : `Could not react: ${failure.message}`,
      )
    }
  }

  // --- pins --------------------------------------------------------------------------------------

  function pinsOf(channelId: string): PinsState {
    return pins.value[channelId] ?? { status: 'idle', messages: [], error: null }
  }

  async function loadPins(channelId: string, force = false): Promise<void> {
    const current = pins.value[channelId]
    if (!force && current && (current.status === 'done' || current.status === 'loading' || current.status === 'unsupported')) return
    const started = generation
    pins.value[channelId] = { status: 'loading', messages: current?.messages ?? [], error: null }
    try {
      const list = await messageApi.listPins(channelId)
      if (started !== generation) return
      pins.value[channelId] = { status: 'done', messages: list, error: null }
    } catch (error) {
      if (started !== generation) return
      const failure = asApiError(error)
      pins.value[channelId] =
        failure.code === messageApi.UNKNOWN_ROUTE_CODE
          ? { status: 'unsupported', messages: [], error: null }
          : { status: 'error', messages: [], error: failure }
    }
  }

  /** Pins or unpins; the message's `pinned` changes at once and comes back if refused. */
  async function setPinned(channelId: string, messageId: string, pinned: boolean): Promise<void> {
    const started = generation
    const before = patchMessage(channelId, messageId, (message) => ({ ...message, pinned }))
    try {
      if (pinned) await messageApi.pinMessage(channelId, messageId)
      else await messageApi.unpinMessage(channelId, messageId)
      if (started !== generation) return
      applyPinsChanged(channelId)
    } catch (error) {
      if (started !== generation) return
      if (before) patchMessage(channelId, messageId, (message) => ({ ...message, pinned: before.pinned }))
      const failure = asApiError(error)
      showNotice(
        channelId,
        failure.code === messageApi.UNKNOWN_ROUTE_CODE ? 'This server does not support pins yet.' : `Could not ${pinned ? 'pin' : 'unpin'}: ${failure.message}`,
      )
    }
  }

  /** CHANNEL_PINS_UPDATE (or a pin of ours): the list is loaded again when next shown. */
  function applyPinsChanged(channelId: string): void {
    const current = pins.value[channelId]
    if (current && current.status !== 'unsupported') pins.value[channelId] = { ...current, status: 'idle' }
  }

  // --- live events -------------------------------------------------------------------------------

  function applyCreate(message: Message): void {
    if (!channels.value[message.channel_id]) return
    confirm(message.channel_id, message)
  }

  function withReference(held: ChatMessage, messageId: string, change: (message: Message) => Message | null): ChatMessage {
    if (!held.referenced_message || held.referenced_message.id !== messageId) return held
    return { ...held, referenced_message: change(held.referenced_message) }
  }

  /** MESSAGE_UPDATE: the message and the previews of replies to it. */
  function applyUpdate(message: Partial<Message> & { id: string; channel_id: string }): void {
    const state = channels.value[message.channel_id]
    if (!state) return
    state.messages = state.messages.map((held) => {
      const updated = held.id === message.id ? { ...held, ...message, key: held.key, state: held.state, error: null } : held
      return withReference(updated, message.id, (referenced) => ({ ...referenced, ...message }) as Message)
    })
    const pinned = pins.value[message.channel_id]
    if (pinned?.status === 'done' && message.pinned !== undefined) {
      const listed = pinned.messages.some((held) => held.id === message.id)
      if (listed !== message.pinned) applyPinsChanged(message.channel_id)
    }
  }

  function applyDelete(channelId: string, messageId: string): void {
    applyDeleteBulk(channelId, [messageId])
  }

  /** MESSAGE_DELETE(_BULK): gone, and replies to them say the original was deleted. */
  function applyDeleteBulk(channelId: string, messageIds: readonly string[]): void {
    const state = channels.value[channelId]
    const gone = new Set(messageIds)
    if (state) {
      state.messages = state.messages
        .filter((held) => !gone.has(held.id))
        .map((held) => (held.referenced_message && gone.has(held.referenced_message.id) ? { ...held, referenced_message: null } : held))
    }
    const pinned = pins.value[channelId]
    if (pinned?.status === 'done') pinned.messages = pinned.messages.filter((held) => !gone.has(held.id))
  }

  function applyReaction(channelId: string, messageId: string, emoji: ReactionEmoji, userId: string, added: boolean): void {
    const byMe = userId === myId()
    patchMessage(channelId, messageId, (held) => ({
      ...held,
      reactions: added ? addReaction(held.reactions, emoji, byMe) : removeReaction(held.reactions, emoji, byMe),
    }))
  }

  function applyReactionsCleared(channelId: string, messageId: string, emoji?: ReactionEmoji): void {
    patchMessage(channelId, messageId, (held) => ({
      ...held,
      reactions: emoji ? (held.reactions ?? []).filter((reaction) => reaction.emoji.name !== emoji.name || reaction.emoji.id !== emoji.id) : [],
    }))
  }

  /** A channel is gone or hidden: forget it. */
  function forgetChannel(channelId: string): void {
    if (channels.value[channelId]) drop(channelId)
    const { [channelId]: _pins, ...rest } = pins.value
    pins.value = rest
  }

  /** Signed out: nothing of the last account may stay. */
  function reset(): void {
    generation += 1
    channels.value = {}
    pins.value = {}
    notice.value = null
    ready.value = false
    windows.clear()
    for (const upload of uploads.values()) upload.abort?.abort()
    uploads.clear()
  }

  return {
    channels,
    pins,
    notice,
    ready,
    channelState,
    messagesOf,
    findMessage,
    lastOwnMessage,
    isOnScreen,
    open,
    close,
    loadLatest,
    loadOlder,
    loadNewer,
    loadAround,
    resync,
    send,
    cancelUpload,
    retry,
    discard,
    edit,
    remove,
    toggleReaction,
    setReaction,
    pinsOf,
    loadPins,
    setPinned,
    applyPinsChanged,
    applyCreate,
    applyUpdate,
    applyDelete,
    applyDeleteBulk,
    applyReaction,
    applyReactionsCleared,
    forgetChannel,
    showNotice,
    reset,
  }
})
