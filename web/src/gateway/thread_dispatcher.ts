// Applies the gateway's thread events (docs/threads.md) to the threads store: READY's and
// GUILD_CREATE's `threads`, THREAD_CREATE / UPDATE / DELETE, THREAD_LIST_SYNC,
// THREAD_MEMBER_UPDATE, THREAD_MEMBERS_UPDATE, and the messages sent in or deleted from a thread
// (its count and newest message). A server or a parent channel that goes takes its threads along.
// Malformed events are ignored, never thrown on.
import type { Thread, ThreadMember } from '@/models/thread'
import type { ThreadMembersUpdate } from '@/stores/threads'
import type { GatewayFrame } from './protocol'

/** The part of the threads store the dispatcher changes. */
export interface ThreadDispatchTarget {
  applyReady(guilds: readonly { id: string; threads?: readonly Thread[] }[]): void
  applyActiveList(guildId: string, list: readonly Thread[], members?: readonly ThreadMember[]): void
  applyListSync(guildId: string, list: readonly Thread[], members: readonly ThreadMember[], channelIds?: readonly string[]): void
  applyThread(thread: Thread): void
  applyThreadDelete(threadId: string): void
  applyMemberUpdate(member: ThreadMember): void
  applyMembersUpdate(update: ThreadMembersUpdate, myId: string | null): void
  applyMessageCreate(channelId: string, messageId: string): void
  applyMessagesDeleted(channelId: string, count: number): void
  forgetGuild(guildId: string): void
  forgetParent(parentId: string): void
  loadActive(guildId: string): Promise<void>
}

export interface ThreadDispatcherOptions {
  threads: ThreadDispatchTarget
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

function objects(value: unknown): Data[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

export function createThreadDispatcher(options: ThreadDispatcherOptions) {
  const { threads } = options

  function handle(frame: GatewayFrame): void {
    const data = frame.d
    if (!isObject(data)) return
    const guildId = text(data, 'guild_id')
    switch (frame.t) {
      case 'READY': {
        const guilds = objects(data.guilds).filter((guild) => text(guild, 'id') !== null)
        threads.applyReady(guilds as unknown as { id: string; threads?: Thread[] }[])
        break
      }
      case 'GUILD_CREATE': {
        const id = text(data, 'id')
        if (!id) break
        // A server just joined comes without its threads: they are asked for.
        if (Array.isArray(data.threads)) threads.applyActiveList(id, objects(data.threads) as unknown as Thread[])
        else void threads.loadActive(id)
        break
      }
      case 'GUILD_DELETE': {
        const id = text(data, 'id')
        if (id && data.unavailable !== true) threads.forgetGuild(id)
        break
      }
      case 'CHANNEL_DELETE': {
        const id = text(data, 'id')
        if (id) threads.forgetParent(id)
        break
      }
      case 'THREAD_CREATE':
      case 'THREAD_UPDATE':
        if (text(data, 'id') && text(data, 'parent_id')) threads.applyThread(data as unknown as Thread)
        break
      case 'THREAD_DELETE': {
        const id = text(data, 'id')
        if (id) threads.applyThreadDelete(id)
        break
      }
      case 'THREAD_LIST_SYNC': {
        if (!guildId) break
        const channelIds = Array.isArray(data.channel_ids) ? strings(data.channel_ids) : undefined
        threads.applyListSync(
          guildId,
          objects(data.threads) as unknown as Thread[],
          objects(data.members) as unknown as ThreadMember[],
          channelIds,
        )
        break
      }
      case 'THREAD_MEMBER_UPDATE':
        if (text(data, 'id') && typeof data.join_timestamp === 'string') threads.applyMemberUpdate(data as unknown as ThreadMember)
        break
      case 'THREAD_MEMBERS_UPDATE': {
        const id = text(data, 'id')
        if (!id) break
        threads.applyMembersUpdate(
          {
            id,
            member_count: typeof data.member_count === 'number' ? data.member_count : undefined,
            added_members: objects(data.added_members) as unknown as ThreadMember[],
            removed_member_ids: strings(data.removed_member_ids),
          },
          options.currentUserId(),
        )
        break
      }
      case 'MESSAGE_CREATE': {
        const id = text(data, 'id')
        const channelId = text(data, 'channel_id')
        if (id && channelId && guildId) threads.applyMessageCreate(channelId, id)
        break
      }
      case 'MESSAGE_DELETE': {
        const channelId = text(data, 'channel_id')
        if (channelId && text(data, 'id')) threads.applyMessagesDeleted(channelId, 1)
        break
      }
      case 'MESSAGE_DELETE_BULK': {
        const channelId = text(data, 'channel_id')
        if (channelId) threads.applyMessagesDeleted(channelId, strings(data.ids).length)
        break
      }
      default:
        break
    }
  }

  return { handle }
}

export type ThreadDispatcher = ReturnType<typeof createThreadDispatcher>
