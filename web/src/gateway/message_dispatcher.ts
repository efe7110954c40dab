// Applies the gateway's message events to the messages and typing stores: MESSAGE_CREATE /
// UPDATE / DELETE / DELETE_BULK, MESSAGE_REACTION_*, TYPING_START, CHANNEL_PINS_UPDATE; a channel
// removed from view is forgotten, and READY (a new session: events may have been missed) asks
// the channels on screen again. Malformed events are ignored, never thrown on.
import type { Message, ReactionEmoji } from '@/models/message'
import type { TypingStartEvent } from '@/stores/typing'
import type { GatewayFrame } from './protocol'

/** The part of the messages store the dispatcher changes. */
export interface MessageDispatchTarget {
  applyCreate(message: Message): void
  applyUpdate(message: Partial<Message> & { id: string; channel_id: string }): void
  applyDelete(channelId: string, messageId: string): void
  applyDeleteBulk(channelId: string, messageIds: readonly string[]): void
  applyReaction(channelId: string, messageId: string, emoji: ReactionEmoji, userId: string, added: boolean): void
  applyReactionsCleared(channelId: string, messageId: string, emoji?: ReactionEmoji): void
  applyPinsChanged(channelId: string): void
  forgetChannel(channelId: string): void
  resync(): void
}

export interface TypingDispatchTarget {
  applyTypingStart(event: TypingStartEvent, myId: string | null): void
  stop(channelId: string, userId: string): void
}

export interface MessageDispatcherOptions {
  messages: MessageDispatchTarget
  typing: TypingDispatchTarget
  currentUserId: () => string | null
}

type Data = Record<string, unknown>

function isObject(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function text(data: Data, key: string): string | null {
  const value = data[key]
  return typeof value === 'string' && value !== '' ? value : null
}

function emojiOf(data: Data): ReactionEmoji | null {
  const emoji = data.emoji
  if (!isObject(emoji) || typeof emoji.name !== 'string' || emoji.name === '') return null
  return { id: typeof emoji.id === 'string' ? emoji.id : null, name: emoji.name }
}

function isMessage(data: Data): boolean {
  return text(data, 'id') !== null && text(data, 'channel_id') !== null && isObject(data.author) && text(data.author, 'id') !== null
}

export function createMessageDispatcher(options: MessageDispatcherOptions) {
  const { messages, typing } = options

  function handle(frame: GatewayFrame): void {
    const data = frame.d
    if (!isObject(data)) return
    const channelId = text(data, 'channel_id')
    switch (frame.t) {
      case 'READY':
        messages.resync()
        break
      case 'MESSAGE_CREATE': {
        if (!isMessage(data)) break
        const { member: _member, ...message } = data
        const authorId = text(data.author as Data, 'id')!
        // Their message arrived: they are no longer typing.
        typing.stop(channelId!, authorId)
        messages.applyCreate({ content: '', mentions: [], mention_roles: [], ...message } as unknown as Message)
        break
      }
      case 'MESSAGE_UPDATE': {
        const id = text(data, 'id')
        if (!id || !channelId) break
        const { member: _member, ...message } = data
        messages.applyUpdate(message as Partial<Message> & { id: string; channel_id: string })
        break
      }
      case 'MESSAGE_DELETE': {
        const id = text(data, 'id')
        if (id && channelId) messages.applyDelete(channelId, id)
        break
      }
      case 'MESSAGE_DELETE_BULK': {
        if (!channelId || !Array.isArray(data.ids)) break
        messages.applyDeleteBulk(channelId, data.ids.filter((id): id is string => typeof id === 'string'))
        break
      }
      case 'MESSAGE_REACTION_ADD':
      case 'MESSAGE_REACTION_REMOVE': {
        const messageId = text(data, 'message_id')
        const userId = text(data, 'user_id')
        const emoji = emojiOf(data)
        if (!channelId || !messageId || !userId || !emoji) break
        messages.applyReaction(channelId, messageId, emoji, userId, frame.t === 'MESSAGE_REACTION_ADD')
        break
      }
      case 'MESSAGE_REACTION_REMOVE_ALL':
      case 'MESSAGE_REACTION_REMOVE_EMOJI': {
        const messageId = text(data, 'message_id')
        if (!channelId || !messageId) break
        const emoji = frame.t === 'MESSAGE_REACTION_REMOVE_EMOJI' ? emojiOf(data) : undefined
        if (emoji === null) break
        messages.applyReactionsCleared(channelId, messageId, emoji)
        break
      }
      case 'TYPING_START': {
        const userId = text(data, 'user_id')
        if (!channelId || !userId) break
        typing.applyTypingStart(data as unknown as TypingStartEvent, options.currentUserId())
        break
      }
      case 'CHANNEL_PINS_UPDATE':
        if (channelId) messages.applyPinsChanged(channelId)
        break
      case 'CHANNEL_DELETE': {
        const id = text(data, 'id')
        if (id) messages.forgetChannel(id)
        break
      }
      default:
        break
    }
  }

  return { handle }
}

export type MessageDispatcher = ReturnType<typeof createMessageDispatcher>
