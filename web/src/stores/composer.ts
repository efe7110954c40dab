// What the composer keeps per channel while the user goes elsewhere: the draft, the files waiting
// to go with it, the message being replied to (and whether the reply pings), and the end of a
// slowmode wait.
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import { withSpoiler, type DraftFile } from '@/models/attachment'

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
  /** Files picked, dropped or pasted, not sent yet; shallow: a File must stay a File (FormData). */
  const files = shallowRef<Record<string, readonly DraftFile[]>>({})
  let fileCounter = 0

  function filesOf(channelId: string): readonly DraftFile[] {
    return files.value[channelId] ?? []
  }

  function setFiles(channelId: string, list: readonly DraftFile[]): void {
    const { [channelId]: _gone, ...rest } = files.value
    files.value = list.length === 0 ? rest : { ...rest, [channelId]: list }
  }

  function addFiles(channelId: string, picked: readonly { file: File; filename?: string }[]): void {
    const added = picked.map(({ file, filename }) => {
      fileCounter += 1
      return { key: `file-${fileCounter}`, file: markRaw(file), filename: filename ?? file.name, spoiler: false }
    })
    setFiles(channelId, [...filesOf(channelId), ...added])
  }

  function removeFile(channelId: string, key: string): void {
    setFiles(
      channelId,
      filesOf(channelId).filter((entry) => entry.key !== key),
    )
  }

  function toggleSpoiler(channelId: string, key: string): void {
    setFiles(
      channelId,
      filesOf(channelId).map((entry) => (entry.key === key ? { ...entry, spoiler: !entry.spoiler } : entry)),
    )
  }

  /** Takes the channel's files for sending, named as they are to be uploaded. */
  function takeFiles(channelId: string): { file: File; filename: string }[] {
    const taken = filesOf(channelId).map((entry) => ({ file: entry.file, filename: withSpoiler(entry.filename, entry.spoiler) }))
    setFiles(channelId, [])
    return taken
  }

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
    files.value = {}
  }

  return {
    drafts,
    replies,
    cooldowns,
    draftOf,
    setDraft,
    files,
    filesOf,
    addFiles,
    removeFile,
    toggleSpoiler,
    takeFiles,
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
