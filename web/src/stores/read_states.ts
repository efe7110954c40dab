// Read states: how far the user has read each channel and the mentions waiting there. Filled from
// READY (`read_state`, the servers' channels and `private_channels` with their `last_message_id`),
// kept live by MESSAGE_CREATE (a channel's newest message; a mention of the user, one of their
// roles or @everyone in a channel they are not looking at; every message from others in a DM) and
// MESSAGE_ACK (read on another device). Implements the ReadStateAccess the chat view codes against.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as readStateApi from '@/api/read_states'
import {
  channelIsUnread,
  isAfter,
  laterId,
  mentionsUser,
  type MentionableMessage,
  type ReadStateAccess,
  type ReadStateEntry,
} from '@/models/read_state'

/** Channel types that carry messages: text, DM, group DM, announcement, threads. */
const MESSAGE_CHANNEL_TYPES = new Set([0, 1, 3, 5, 10, 11, 12])

interface ReadMark {
  lastReadId: string | null
  mentions: number
}

interface TrackedChannel {
  /** null for DMs and group DMs. */
  guildId: string | null
  lastMessageId: string | null
  /** A thread the user is in: kept when the server's channel list is replaced. */
  thread?: boolean
}

/** A channel as READY and CHANNEL_* events carry it. */
export interface ChannelLike {
  id: string
  type?: number
  last_message_id?: string | null
}

export interface MessageContext {
  /** The signed-in user. */
  userId: string | null
  /** The user's roles in the message's server (for role mentions); empty when unknown. */
  roleIds?: readonly string[]
}

export const useReadStatesStore = defineStore('readStates', () => {
  const marks = ref<Record<string, ReadMark>>({})
  const channels = ref<Record<string, TrackedChannel>>({})
  /** The channel on screen (null at home or in a voice channel). */
  const activeChannelId = ref<string | null>(null)
  /** The window is visible and focused: messages in the active channel are being seen. */
  const windowFocused = ref(true)

  // --- reading ---------------------------------------------------------------------------

  function lastReadId(channelId: string): string | null {
    return marks.value[channelId]?.lastReadId ?? null
  }

  function lastMessageId(channelId: string): string | null {
    return channels.value[channelId]?.lastMessageId ?? null
  }

  function isUnread(channelId: string): boolean {
    return channelIsUnread(lastMessageId(channelId), lastReadId(channelId))
  }

  function mentionCount(channelId: string): number {
    return marks.value[channelId]?.mentions ?? 0
  }

  /** Per server: whether anything is unread and the mentions summed; DMs under the key ''. */
  const summary = computed(() => {
    const byGuild = new Map<string, { unread: boolean; mentions: number }>()
    for (const [channelId, channel] of Object.entries(channels.value)) {
      const key = channel.guildId ?? ''
      const entry = byGuild.get(key) ?? { unread: false, mentions: 0 }
      const mark = marks.value[channelId]
      entry.unread ||= channelIsUnread(channel.lastMessageId, mark?.lastReadId)
      entry.mentions += mark?.mentions ?? 0
      byGuild.set(key, entry)
    }
    return byGuild
  })

  function guildUnread(guildId: string): boolean {
    return summary.value.get(guildId)?.unread ?? false
  }

  function guildMentions(guildId: string): number {
    return summary.value.get(guildId)?.mentions ?? 0
  }

  /** DMs and groups with unread messages, for the server rail (newest first). */
  const dmUnread = computed(() =>
    Object.entries(channels.value)
      .filter(([channelId, channel]) => channel.guildId === null && channelIsUnread(channel.lastMessageId, lastReadId(channelId)))
      .sort(([, a], [, b]) => (isAfter(a.lastMessageId, b.lastMessageId) ? -1 : isAfter(b.lastMessageId, a.lastMessageId) ? 1 : 0))
      .map(([channelId]) => channelId),
  )

  /** Mentions across DMs: the home icon's badge. */
  const dmMentions = computed(() => summary.value.get('')?.mentions ?? 0)

  /** Every mention, for the document title. */
  const totalMentions = computed(() => {
    let total = 0
    for (const entry of summary.value.values()) total += entry.mentions
    return total
  })

  // --- channels --------------------------------------------------------------------------

  function carriesMessages(channel: ChannelLike): boolean {
    return channel.type === undefined || MESSAGE_CHANNEL_TYPES.has(channel.type)
  }

  function track(guildId: string | null, channel: ChannelLike, into: Record<string, TrackedChannel>): void {
    if (typeof channel?.id !== 'string' || !carriesMessages(channel)) return
    const previous = into[channel.id]
    into[channel.id] = { guildId, lastMessageId: laterId(previous?.lastMessageId, channel.last_message_id) }
    if (previous?.thread) into[channel.id]!.thread = true
  }

  /** A channel arrived or changed (CHANNEL_CREATE/UPDATE, a DM opened). */
  function trackChannel(guildId: string | null, channel: ChannelLike): void {
    const next = { ...channels.value }
    track(guildId, channel, next)
    channels.value = next
  }

  /**
   * A thread the user is in (stores/threads.ts): its unread state counts toward its server's. Its
   * read mark is the server's: READY's `read_state` has an entry for every thread the user is in
   * (without an ack, read up to its newest message from before they joined), MESSAGE_ACK moves it.
   */
  function trackThread(guildId: string, thread: ChannelLike): void {
    if (typeof thread?.id !== 'string') return
    const previous = channels.value[thread.id]
    channels.value = {
      ...channels.value,
      [thread.id]: { guildId, lastMessageId: laterId(previous?.lastMessageId, thread.last_message_id), thread: true },
    }
  }

  /**
   * The user joined a thread, or READY lists one they are in without a read state entry (a server
   * that sends none for threads): with no read mark, it is read up to its newest message, as the
   * server counts a joined thread nobody acked. A mark already there (READY's entry) is kept.
   */
  function markJoined(threadId: string, newestMessageId: string | null | undefined): void {
    if (marks.value[threadId] || typeof newestMessageId !== 'string') return
    marks.value = { ...marks.value, [threadId]: { lastReadId: newestMessageId, mentions: 0 } }
  }

  /** A server's visible channels as they are now: the ones no longer listed are dropped (threads stay). */
  function trackGuildChannels(guildId: string, list: readonly ChannelLike[]): void {
    const next: Record<string, TrackedChannel> = {}
    for (const [channelId, channel] of Object.entries(channels.value)) if (channel.guildId !== guildId || channel.thread) next[channelId] = channel
    for (const channel of list) {
      const previous = channels.value[channel.id]
      if (previous?.guildId === guildId) next[channel.id] = previous
      track(guildId, channel, next)
    }
    channels.value = next
  }

  function untrackChannel(channelId: string): void {
    if (!channels.value[channelId]) return
    const { [channelId]: _gone, ...rest } = channels.value
    channels.value = rest
  }

  function untrackGuild(guildId: string): void {
    channels.value = Object.fromEntries(Object.entries(channels.value).filter(([, channel]) => channel.guildId !== guildId))
  }

  // --- events ----------------------------------------------------------------------------

  /** READY: the read marks, and every channel the user can read with its newest message. */
  function applyReady(
    entries: readonly ReadStateEntry[],
    guilds: readonly { id: string; channels?: readonly ChannelLike[] }[],
    privateChannels: readonly ChannelLike[],
  ): void {
    const nextMarks: Record<string, ReadMark> = {}
    for (const entry of entries) {
      if (typeof entry?.id !== 'string') continue
      nextMarks[entry.id] = {
        lastReadId: typeof entry.last_message_id === 'string' ? entry.last_message_id : null,
        mentions: Number.isFinite(entry.mention_count) ? Math.max(0, entry.mention_count) : 0,
      }
    }
    const nextChannels: Record<string, TrackedChannel> = {}
    for (const guild of guilds) for (const channel of guild.channels ?? []) track(guild.id, channel, nextChannels)
    for (const channel of privateChannels) track(null, channel, nextChannels)
    marks.value = nextMarks
    channels.value = nextChannels
  }

  function isLookingAt(channelId: string): boolean {
    return activeChannelId.value === channelId && windowFocused.value
  }

  /** MESSAGE_CREATE: the channel's newest message; a mention counts unless the user is looking. */
  function applyMessage(message: MentionableMessage, context: MessageContext): void {
    if (typeof message?.id !== 'string' || typeof message.channel_id !== 'string') return
    const guildId = message.guild_id ?? null
    const known = channels.value[message.channel_id]
    channels.value = {
      ...channels.value,
      [message.channel_id]: { guildId: known?.guildId ?? guildId, lastMessageId: laterId(known?.lastMessageId, message.id) },
    }
    if (context.userId !== null && message.author?.id === context.userId) {
      // What the user wrote, they have read.
      markRead(message.channel_id, message.id)
      return
    }
    if (isLookingAt(message.channel_id)) return
    const mentioned = guildId === null || (context.userId !== null && mentionsUser(message, context.userId, context.roleIds ?? []))
    if (!mentioned) return
    const mark = marks.value[message.channel_id] ?? { lastReadId: null, mentions: 0 }
    marks.value = { ...marks.value, [message.channel_id]: { ...mark, mentions: mark.mentions + 1 } }
  }

  /** MESSAGE_ACK from another session of the user. */
  function applyAck(channelId: string, messageId: string, mentions = 0): void {
    marks.value = { ...marks.value, [channelId]: { lastReadId: messageId, mentions: Math.max(0, mentions) } }
  }

  // --- marking read ----------------------------------------------------------------------

  function markRead(channelId: string, messageId: string, options: { manual?: boolean } = {}): void {
    const mark = marks.value[channelId]
    if (!options.manual && mark && !isAfter(messageId, mark.lastReadId)) {
      if (mark.mentions === 0) return
      marks.value = { ...marks.value, [channelId]: { ...mark, mentions: 0 } }
      return
    }
    marks.value = { ...marks.value, [channelId]: { lastReadId: messageId, mentions: 0 } }
  }

  /** Posts the ack (the newest message when none is named) when there is anything to mark. */
  async function ack(channelId: string, messageId?: string): Promise<void> {
    const target = messageId ?? lastMessageId(channelId)
    if (!target) return
    if (!isAfter(target, lastReadId(channelId)) && mentionCount(channelId) === 0) return
    markRead(channelId, target)
    await readStateApi.ackMessage(channelId, target)
  }

  function setActiveChannel(channelId: string | null): void {
    activeChannelId.value = channelId
  }

  function setWindowFocused(focused: boolean): void {
    windowFocused.value = focused
  }

  function reset(): void {
    marks.value = {}
    channels.value = {}
    activeChannelId.value = null
  }

  const access: ReadStateAccess = { lastReadId, isUnread, mentionCount, markRead, ack, guildUnread, guildMentions }

  return {
    marks,
    channels,
    activeChannelId,
    windowFocused,
    dmUnread,
    dmMentions,
    totalMentions,
    lastMessageId,
    trackChannel,
    trackThread,
    markJoined,
    trackGuildChannels,
    untrackChannel,
    untrackGuild,
    applyReady,
    applyMessage,
    applyAck,
    setActiveChannel,
    setWindowFocused,
    reset,
    ...access,
  }
})
