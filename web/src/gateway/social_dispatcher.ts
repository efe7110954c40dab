// Applies the gateway's social events to their stores: friends (RELATIONSHIP_*), DMs and groups
// (CHANNEL_* without a guild_id, CHANNEL_RECIPIENT_*), presence (PRESENCE_UPDATE), and read
// states (MESSAGE_CREATE, MESSAGE_ACK, and the channels whose newest message they compare). It
// runs beside the guild dispatcher, which keeps the servers themselves.
import type { GatewayFrame } from './protocol'
import type { MentionableMessage, ReadStateEntry } from '@/models/read_state'
import type { PublicUser } from '@/models/member'
import type { RelationshipTypeValue } from '@/models/relationship'
import type { ChannelLike, MessageContext } from '@/stores/read_states'

/** The parts of the four stores the dispatcher changes. */
export interface SocialTargets {
  relationships: {
    applyReady(list: readonly unknown[]): void
    applyAdd(relationship: unknown): void
    applyRemove(userId: string, type?: RelationshipTypeValue): void
  }
  dms: {
    applyReady(list: readonly unknown[]): void
    applyChannel(channel: unknown): void
    removeChannel(channelId: string): void
    addRecipient(channelId: string, user: PublicUser): void
    removeRecipient(channelId: string, userId: string, currentUserId: string | null): void
    bumpLastMessage(channelId: string, messageId: string): void
    has(channelId: string): boolean
    /** Loads the DM list again: a closed DM reopened with a message. */
    refresh(): Promise<void>
  }
  presence: {
    applyReady(list: readonly unknown[]): void
    applyUpdate(update: unknown): void
    onReady(): void
  }
  readStates: {
    applyReady(
      entries: readonly ReadStateEntry[],
      guilds: readonly { id: string; channels?: readonly ChannelLike[] }[],
      privateChannels: readonly ChannelLike[],
    ): void
    trackChannel(guildId: string | null, channel: ChannelLike): void
    trackGuildChannels(guildId: string, channels: readonly ChannelLike[]): void
    untrackChannel(channelId: string): void
    untrackGuild(guildId: string): void
    applyMessage(message: MentionableMessage, context: MessageContext): void
    applyAck(channelId: string, messageId: string, mentions?: number): void
  }
}

export interface SocialDispatcherOptions extends SocialTargets {
  currentUserId: () => string | null
  /** The user's role ids in a server, for role mentions (empty when not loaded). */
  myRoleIds: (guildId: string) => readonly string[]
}

type Data = Record<string, unknown>

function isObject(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function stringField(data: Data, key: string): string | null {
  const value = data[key]
  return typeof value === 'string' && value !== '' ? value : null
}

function objects(value: unknown): Data[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

export function createSocialDispatcher(options: SocialDispatcherOptions) {
  const { relationships, dms, presence, readStates } = options

  function ready(data: Data): void {
    const privateChannels = objects(data.private_channels)
    relationships.applyReady(objects(data.relationships))
    dms.applyReady(privateChannels)
    presence.applyReady(objects(data.presences))
    const readState = isObject(data.read_state) ? data.read_state : {}
    const guilds = objects(data.guilds).filter((guild) => stringField(guild, 'id') !== null)
    readStates.applyReady(
      objects(readState.entries) as unknown as ReadStateEntry[],
      guilds as unknown as { id: string; channels?: ChannelLike[] }[],
      privateChannels as unknown as ChannelLike[],
    )
    // Last: the status goes out once everything it may show is in place.
    presence.onReady()
  }

  function handle(frame: GatewayFrame): void {
    const data = frame.d
    if (!isObject(data)) return
    const guildId = stringField(data, 'guild_id')
    switch (frame.t) {
      case 'READY':
        ready(data)
        break
      case 'RESUMED':
        // Nothing was missed (the server replayed it); the status goes out again in case it
        // changed while the connection was down.
        presence.onReady()
        break
      case 'RELATIONSHIP_ADD':
        relationships.applyAdd(data)
        break
      case 'RELATIONSHIP_REMOVE': {
        const id = stringField(data, 'id')
        const type = typeof data.type === 'number' ? (data.type as RelationshipTypeValue) : undefined
        if (id) relationships.applyRemove(id, type)
        break
      }
      case 'GUILD_CREATE':
      case 'GUILD_UPDATE': {
        const id = stringField(data, 'id')
        if (id && Array.isArray(data.channels)) readStates.trackGuildChannels(id, objects(data.channels) as unknown as ChannelLike[])
        break
      }
      case 'GUILD_DELETE': {
        const id = stringField(data, 'id')
        if (id && data.unavailable !== true) readStates.untrackGuild(id)
        break
      }
      case 'CHANNEL_CREATE':
      case 'CHANNEL_UPDATE':
        if (!stringField(data, 'id')) break
        if (!guildId) dms.applyChannel(data)
        readStates.trackChannel(guildId, data as unknown as ChannelLike)
        break
      case 'CHANNEL_DELETE': {
        const id = stringField(data, 'id')
        if (!id) break
        if (!guildId) dms.removeChannel(id)
        readStates.untrackChannel(id)
        break
      }
      case 'CHANNEL_RECIPIENT_ADD':
      case 'CHANNEL_RECIPIENT_REMOVE': {
        const channelId = stringField(data, 'channel_id')
        const user = data.user
        if (!channelId || !isObject(user) || !stringField(user, 'id')) break
        if (frame.t === 'CHANNEL_RECIPIENT_ADD') dms.addRecipient(channelId, user as unknown as PublicUser)
        else {
          dms.removeRecipient(channelId, user.id as string, options.currentUserId())
          if (user.id === options.currentUserId()) readStates.untrackChannel(channelId)
        }
        break
      }
      case 'PRESENCE_UPDATE':
        presence.applyUpdate(data)
        break
      case 'MESSAGE_CREATE': {
        const id = stringField(data, 'id')
        const channelId = stringField(data, 'channel_id')
        if (!id || !channelId || !isObject(data.author)) break
        if (!guildId) {
          if (dms.has(channelId)) dms.bumpLastMessage(channelId, id)
          else void dms.refresh()
        }
        readStates.applyMessage(data as unknown as MentionableMessage, {
          userId: options.currentUserId(),
          roleIds: guildId ? options.myRoleIds(guildId) : [],
        })
        break
      }
      case 'MESSAGE_ACK': {
        const channelId = stringField(data, 'channel_id')
        const messageId = stringField(data, 'message_id')
        const mentions = typeof data.mention_count === 'number' ? data.mention_count : 0
        if (channelId && messageId) readStates.applyAck(channelId, messageId, mentions)
        break
      }
      default:
        break
    }
  }

  return { handle }
}
