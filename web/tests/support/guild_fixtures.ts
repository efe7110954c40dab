// A server to test against, shaped like docs/permissions.md's "Book Club": @everyone, Moderator
// (kick, timeout, manage roles), Helper and Muted; Ada (from fake_api) owns it unless told otherwise.
import type { Channel, Guild, Role } from '@/models/guild'
import type { GuildMember } from '@/models/member'
import { ADA } from './fake_api'

export const GUILD_ID = '900'

export const ROLES: Role[] = [
  { id: GUILD_ID, name: '@everyone', color: 0, hoist: false, position: 0, permissions: '36949568', managed: false, mentionable: false },
  // KICK_MEMBERS, MANAGE_MESSAGES, MUTE_MEMBERS, MOVE_MEMBERS, MODERATE_MEMBERS, MANAGE_ROLES
  { id: '201', name: 'Moderator', color: 0x3498db, hoist: true, position: 3, permissions: String(1099532607490n | 268435456n), managed: false, mentionable: false },
  { id: '202', name: 'Helper', color: 0x2ecc71, hoist: false, position: 2, permissions: '0', managed: false, mentionable: false },
  { id: '203', name: 'Muted', color: 0, hoist: false, position: 1, permissions: '0', managed: false, mentionable: false },
]

export function guild(ownerId: string = ADA.id): Guild {
  return { id: GUILD_ID, name: 'Book Club', icon: null, description: null, owner_id: ownerId, roles: ROLES, approximate_member_count: 3 }
}

export const CHANNELS: Channel[] = [
  { id: '10', type: 4, name: 'Text Channels', position: 0, parent_id: null, permission_overwrites: [] },
  { id: '11', type: 0, name: 'general', position: 0, parent_id: '10', topic: 'Say hi', rate_limit_per_user: 0, permission_overwrites: [] },
  {
    id: '12',
    type: 0,
    name: 'mods',
    position: 1,
    parent_id: '10',
    topic: null,
    rate_limit_per_user: 0,
    permission_overwrites: [
      { id: GUILD_ID, type: 0, allow: '0', deny: '1024' },
      { id: '201', type: 0, allow: '1024', deny: '0' },
    ],
  },
  { id: '20', type: 4, name: 'Voice Channels', position: 1, parent_id: null, permission_overwrites: [] },
  { id: '21', type: 2, name: 'Lounge', position: 0, parent_id: '20', permission_overwrites: [] },
]

export function member(id: string, name: string, roles: string[] = [], extra: Partial<GuildMember> = {}): GuildMember {
  return {
    user: { id, username: name.toLowerCase(), global_name: name, avatar: null },
    nick: null,
    roles,
    joined_at: '2026-01-05T10:00:00Z',
    communication_disabled_until: null,
    mute: false,
    deaf: false,
    ...extra,
  }
}

export const MEMBERS: GuildMember[] = [
  member(ADA.id, 'Ada Lovelace'),
  member('301', 'Mo', ['201']),
  member('302', 'Hal', ['203', '202']),
  member('303', 'Max', ['203']),
]

/** The routes of one loaded server, for installFakeApi. */
export function guildRoutes(overrides: { guild?: Guild; channels?: Channel[]; members?: GuildMember[] } = {}) {
  return {
    'GET /users/@me/guilds': new Response(
      JSON.stringify([{ id: GUILD_ID, name: 'Book Club', icon: null, owner: true, permissions: '8866461766385663' }]),
      { status: 200, headers: { 'Content-Type': 'application/json' } },
    ),
    [`GET /guilds/${GUILD_ID}`]: json(overrides.guild ?? guild()),
    [`GET /guilds/${GUILD_ID}/channels`]: json(overrides.channels ?? CHANNELS),
    [`GET /guilds/${GUILD_ID}/members`]: json(overrides.members ?? MEMBERS),
    // The text channels have no messages yet.
    'GET /channels/11/messages': json([]),
    'GET /channels/12/messages': json([]),
  }
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}
