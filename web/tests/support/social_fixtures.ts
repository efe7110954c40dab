// Users, relationships and DM channels shared by the friends, DM, presence and read-state tests.
import type { DmChannel } from '@/models/dm'
import type { PublicUser } from '@/models/member'
import type { Relationship } from '@/models/relationship'

export const BOB: PublicUser = { id: '200', username: 'bob', global_name: 'Bob Builder', avatar: null }
export const CAROL: PublicUser = { id: '300', username: 'carol', global_name: null, avatar: null }
export const DAVE: PublicUser = { id: '400', username: 'dave', global_name: 'Dave', avatar: null }

export function relationship(user: PublicUser, type: Relationship['type']): Relationship {
  return { id: user.id, type, user, since: '2026-01-05T10:00:00Z' }
}

export function dm(id: string, user: PublicUser, lastMessageId: string | null = null): DmChannel {
  return { id, type: 1, last_message_id: lastMessageId, recipients: [user] }
}

export function group(id: string, users: PublicUser[], lastMessageId: string | null = null, name: string | null = null): DmChannel {
  return { id, type: 3, last_message_id: lastMessageId, recipients: users, name, icon: null, owner_id: '100' }
}

/** A MESSAGE_CREATE payload. */
export function message(
  id: string,
  channelId: string,
  authorId: string,
  extra: Partial<{ guild_id: string; mention_everyone: boolean; mentions: { id: string }[]; mention_roles: string[] }> = {},
) {
  return {
    id,
    channel_id: channelId,
    author: { id: authorId, username: `user${authorId}`, global_name: null, avatar: null },
    content: 'hello',
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    ...extra,
  }
}
