// Direct messages and group DMs: READY's `private_channels`, CHANNEL_CREATE/UPDATE/DELETE without a
// guild_id, CHANNEL_RECIPIENT_ADD/REMOVE, and MESSAGE_CREATE moving a conversation to the top.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as dmApi from '@/api/dms'
import { DmType, dmRecipient, isDmType, sortDms, type DmChannel } from '@/models/dm'
import { isAfter } from '@/models/read_state'
import type { PublicUser } from '@/models/member'

export const useDmsStore = defineStore('dms', () => {
  const byId = ref<Record<string, DmChannel>>({})
  const loaded = ref(false)
  /** Bumped by reset(), so a signed-out session's late answer is dropped. */
  let generation = 0
  let refreshing: Promise<void> | null = null

  /** The DM list: the most recently active first. */
  const sorted = computed(() => sortDms(Object.values(byId.value)))

  function dmById(channelId: string | null | undefined): DmChannel | null {
    return channelId ? (byId.value[channelId] ?? null) : null
  }

  /** The one-to-one DM with a user, if it is open. */
  function dmWith(userId: string): DmChannel | null {
    return sorted.value.find((channel) => channel.type === DmType.Dm && dmRecipient(channel)?.id === userId) ?? null
  }

  function isValid(value: unknown): value is DmChannel {
    const channel = value as DmChannel | null
    return typeof channel?.id === 'string' && isDmType(channel.type) && !(channel as { guild_id?: unknown }).guild_id
  }

  function normalise(channel: DmChannel, previous?: DmChannel): DmChannel {
    return {
      ...previous,
      ...channel,
      recipients: Array.isArray(channel.recipients) ? channel.recipients : (previous?.recipients ?? []),
      last_message_id: channel.last_message_id ?? previous?.last_message_id ?? null,
    }
  }

  // --- events ----------------------------------------------------------------------------

  function applyReady(list: readonly unknown[]): void {
    const next: Record<string, DmChannel> = {}
    for (const item of list) if (isValid(item)) next[item.id] = normalise(item)
    byId.value = next
    loaded.value = true
  }

  /** CHANNEL_CREATE / CHANNEL_UPDATE of a DM or group; answers of the REST calls too. */
  function applyChannel(channel: unknown): void {
    if (!isValid(channel)) return
    byId.value = { ...byId.value, [channel.id]: normalise(channel, byId.value[channel.id]) }
  }

  function removeChannel(channelId: string): void {
    if (!byId.value[channelId]) return
    const { [channelId]: _gone, ...rest } = byId.value
    byId.value = rest
  }

  /** CHANNEL_RECIPIENT_ADD. */
  function addRecipient(channelId: string, user: PublicUser): void {
    const channel = byId.value[channelId]
    if (!channel || channel.recipients.some((recipient) => recipient.id === user.id)) return
    byId.value = { ...byId.value, [channelId]: { ...channel, recipients: [...channel.recipients, user] } }
  }

  /** CHANNEL_RECIPIENT_REMOVE: someone left or was removed; the user themselves loses the group. */
  function removeRecipient(channelId: string, userId: string, currentUserId: string | null): void {
    if (userId === currentUserId) {
      removeChannel(channelId)
      return
    }
    const channel = byId.value[channelId]
    if (!channel) return
    byId.value = {
      ...byId.value,
      [channelId]: { ...channel, recipients: channel.recipients.filter((recipient) => recipient.id !== userId) },
    }
  }

  /** MESSAGE_CREATE in a DM: it moves to the top of the list. */
  function bumpLastMessage(channelId: string, messageId: string): void {
    const channel = byId.value[channelId]
    if (!channel || !isAfter(messageId, channel.last_message_id)) return
    byId.value = { ...byId.value, [channelId]: { ...channel, last_message_id: messageId } }
  }

  /** A user's name or avatar changed: every channel that lists them shows the news. */
  function updateUser(user: PublicUser): void {
    let changed = false
    const next: Record<string, DmChannel> = {}
    for (const [channelId, channel] of Object.entries(byId.value)) {
      if (channel.recipients.some((recipient) => recipient.id === user.id)) {
        changed = true
        next[channelId] = {
          ...channel,
          recipients: channel.recipients.map((recipient) => (recipient.id === user.id ? { ...recipient, ...user } : recipient)),
        }
      } else {
        next[channelId] = channel
      }
    }
    if (changed) byId.value = next
  }

  function reset(): void {
    generation += 1
    byId.value = {}
    loaded.value = false
  }

  function has(channelId: string): boolean {
    return byId.value[channelId] !== undefined
  }

  /**
   * Loads the list again (a closed DM came back with a message); concurrent calls share one
   * request, and failures keep what is shown.
   */
  function refresh(): Promise<void> {
    const started = generation
    refreshing ??= (async () => {
      try {
        const list = await dmApi.listDms()
        if (started !== generation) return
        for (const channel of list) applyChannel(channel)
        loaded.value = true
      } catch {
        // The next event or reload tries again.
      } finally {
        refreshing = null
      }
    })()
    return refreshing
  }

  // --- actions ---------------------------------------------------------------------------

  /** Opens (or creates) the DM with a user and returns it. */
  async function openWith(userId: string): Promise<DmChannel> {
    const existing = dmWith(userId)
    if (existing) return existing
    const channel = await dmApi.openDm(userId)
    applyChannel(channel)
    return byId.value[channel.id] ?? channel
  }

  /**
   * "Create DM" with the friends picked: one friend opens the DM with them, more make a group.
   */
  async function create(userIds: readonly string[]): Promise<DmChannel> {
    const [only] = userIds
    if (userIds.length === 1 && only !== undefined) return openWith(only)
    const channel = await dmApi.createGroupDm(userIds)
    applyChannel(channel)
    return byId.value[channel.id] ?? channel
  }

  async function rename(channelId: string, name: string): Promise<void> {
    const channel = await dmApi.updateGroupDm(channelId, { name: name.trim() === '' ? null : name.trim() })
    applyChannel(channel)
  }

  async function addMember(channelId: string, user: PublicUser): Promise<void> {
    await dmApi.addGroupRecipient(channelId, user.id)
    addRecipient(channelId, user)
  }

  async function removeMember(channelId: string, userId: string): Promise<void> {
    await dmApi.removeGroupRecipient(channelId, userId)
    removeRecipient(channelId, userId, null)
  }

  /** Closes a DM or leaves a group; the entry goes at once and comes back if the server refuses. */
  async function close(channelId: string): Promise<void> {
    const channel = byId.value[channelId]
    removeChannel(channelId)
    try {
      await dmApi.closeDm(channelId)
    } catch (error) {
      if (channel) byId.value = { ...byId.value, [channelId]: channel }
      throw error
    }
  }

  return {
    byId,
    loaded,
    sorted,
    dmById,
    dmWith,
    applyReady,
    applyChannel,
    removeChannel,
    addRecipient,
    removeRecipient,
    bumpLastMessage,
    updateUser,
    reset,
    has,
    refresh,
    openWith,
    create,
    rename,
    addMember,
    removeMember,
    close,
  }
})
