// What the composer keeps per channel while the user goes elsewhere: the draft, the message being
// replied to (and whether the reply pings), and the end of a slowmode wait.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface ReplyTarget {
  messageId: string
  /** Discord's "@ON": the reply pings the author. */
  mention: boolean
}

export const useComposerStore = defineStore('composer', () => {
  const drafts = ref<Record<string, string>>({})
  const replies = ref<Record<string, ReplyTarget>>({})
  /** ms since 1970 at which the user may send again in the channel. */
  const cooldowns = ref<Record<string, number>>({})

  function draftOf(channelId: string): string {
    return drafts.value[channelId] ?? ''
  }

  function setDraft(channelId: string, text: string): void {
    if (text === '') {
      const { [channelId]: _gone, ...rest } = drafts.value
      drafts.value = rest
    } else {
      drafts.value = { ...drafts.value, [channelId]: text }
    }
  }

  function replyOf(channelId: string): ReplyTarget | null {
    return replies.value[channelId] ?? null
  }

  function startReply(channelId: string, messageId: string, mention = true): void {
    replies.value = { ...replies.value, [channelId]: { messageId, mention } }
  }

  function setReplyMention(channelId: string, mention: boolean): void {
    const current = replies.value[channelId]
    if (current) replies.value = { ...replies.value, [channelId]: { ...current, mention } }
  }

  function cancelReply(channelId: string): void {
    const { [channelId]: _gone, ...rest } = replies.value
    replies.value = rest
  }

  function cooldownUntil(channelId: string): number {
    return cooldowns.value[channelId] ?? 0
  }

  function startCooldown(channelId: string, seconds: number, now: number = Date.now()): void {
    if (seconds <= 0) return
    cooldowns.value = { ...cooldowns.value, [channelId]: now + seconds * 1000 }
  }

  function clearCooldown(channelId: string): void {
    const { [channelId]: _gone, ...rest } = cooldowns.value
    cooldowns.value = rest
  }

  function reset(): void {
    drafts.value = {}
    replies.value = {}
    cooldowns.value = {}
  }

  return {
    drafts,
    replies,
    cooldowns,
    draftOf,
    setDraft,
    replyOf,
    startReply,
    setReplyMention,
    cancelReply,
    cooldownUntil,
    startCooldown,
    clearCooldown,
    reset,
  }
})
