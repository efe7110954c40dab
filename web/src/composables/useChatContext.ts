// What a channel's message rows need from the pane around them (who the user is, what they may
// do, names and colours of authors, and the actions of the toolbar), given once by MessagePane
// and taken by each row, instead of being passed down through the list.
import { inject, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import type { PublicUser } from '@/models/member'
import type { ChatMessage, Message, ReactionEmoji } from '@/models/message'

export interface ChatContext {
  channelId: string
  guildId: string | null
  myId: ComputedRef<string | null>
  canSend: ComputedRef<boolean>
  canReact: ComputedRef<boolean>
  canManageMessages: ComputedRef<boolean>
  /** The message's toolbar and menu offer "Create Thread" (CREATE_PUBLIC_THREADS in a server's text channel). */
  canCreateThread: ComputedRef<boolean>
  /** Shift is held: the toolbar offers delete without confirmation, as Discord's does. */
  shiftHeld: Ref<boolean>
  /** The message being edited in place. */
  editingKey: Ref<string | null>
  /** A message just jumped to, shown highlighted for a moment. */
  highlightKey: Ref<string | null>
  authorName(user: PublicUser): string
  authorColour(userId: string): string | null
  isMentioned(message: Message): boolean
  reply(message: ChatMessage): void
  startEdit(message: ChatMessage): void
  cancelEdit(): void
  saveEdit(message: ChatMessage, content: string): void
  /** `immediately`: shift was held, no confirmation. */
  requestDelete(message: ChatMessage, immediately: boolean): void
  togglePin(message: ChatMessage): void
  react(message: ChatMessage, emoji: ReactionEmoji): void
  openReactionPicker(message: ChatMessage, anchor: HTMLElement): void
  openMenu(message: ChatMessage, anchor: HTMLElement | { x: number; y: number }): void
  jumpTo(messageId: string): void
  retry(message: ChatMessage): void
  discard(message: ChatMessage): void
  /** Stops a send with files while it uploads. */
  cancelUpload(message: ChatMessage): void
  /** Who reacted with `emoji` (names), for the tooltip; null when the server cannot say. */
  reactionUsers(message: ChatMessage, emoji: ReactionEmoji): Promise<string[] | null>
  createThread(message: ChatMessage): void
  openThread(threadId: string): void
}

export const CHAT_CONTEXT: InjectionKey<ChatContext> = Symbol('chat-context')

export function useChatContext(): ChatContext {
  const context = inject(CHAT_CONTEXT, null)
  if (context === null) throw new Error('message rows must be inside a MessagePane')
  return context
}
