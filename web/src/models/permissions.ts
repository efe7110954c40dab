// Discord's permission model as docs/permissions.md describes it (and src/domain/permissions.cpp
// computes it): the bits, the computation of a member's server-wide and per-channel permissions,
// and the role hierarchy. The client only uses the result to show or hide what the user may do;
// hearthd stays the authority. Bits are bigints: the highest (BYPASS_SLOWMODE, 2^52) is above
// what a JavaScript number holds exactly once bits are combined.

export const Permission = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  ADD_REACTIONS: 1n << 6n,
  VIEW_AUDIT_LOG: 1n << 7n,
  PRIORITY_SPEAKER: 1n << 8n,
  STREAM: 1n << 9n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  SEND_TTS_MESSAGES: 1n << 12n,
  MANAGE_MESSAGES: 1n << 13n,
  EMBED_LINKS: 1n << 14n,
  ATTACH_FILES: 1n << 15n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  USE_EXTERNAL_EMOJIS: 1n << 18n,
  VIEW_GUILD_INSIGHTS: 1n << 19n,
  CONNECT: 1n << 20n,
  SPEAK: 1n << 21n,
  MUTE_MEMBERS: 1n << 22n,
  DEAFEN_MEMBERS: 1n << 23n,
  MOVE_MEMBERS: 1n << 24n,
  USE_VAD: 1n << 25n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_WEBHOOKS: 1n << 29n,
  MANAGE_GUILD_EXPRESSIONS: 1n << 30n,
  USE_APPLICATION_COMMANDS: 1n << 31n,
  REQUEST_TO_SPEAK: 1n << 32n,
  MANAGE_EVENTS: 1n << 33n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  CREATE_PRIVATE_THREADS: 1n << 36n,
  USE_EXTERNAL_STICKERS: 1n << 37n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  USE_EMBEDDED_ACTIVITIES: 1n << 39n,
  MODERATE_MEMBERS: 1n << 40n,
  VIEW_CREATOR_MONETIZATION_ANALYTICS: 1n << 41n,
  USE_SOUNDBOARD: 1n << 42n,
  CREATE_GUILD_EXPRESSIONS: 1n << 43n,
  CREATE_EVENTS: 1n << 44n,
  USE_EXTERNAL_SOUNDS: 1n << 45n,
  SEND_VOICE_MESSAGES: 1n << 46n,
  SET_VOICE_CHANNEL_STATUS: 1n << 48n,
  SEND_POLLS: 1n << 49n,
  USE_EXTERNAL_APPS: 1n << 50n,
  PIN_MESSAGES: 1n << 51n,
  BYPASS_SLOWMODE: 1n << 52n,
} as const

export type PermissionName = keyof typeof Permission

/** Every defined bit together. */
export const ALL_PERMISSIONS = 8866461766385663n
/** Bits with no channel meaning: never in an overwrite, ignored there if present. */
export const SERVER_ONLY_PERMISSIONS = 12095903498414n
/** What a timed-out member keeps: VIEW_CHANNEL and READ_MESSAGE_HISTORY. */
export const TIMEOUT_ALLOWED = Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY
/** Gone with SEND_MESSAGES: MENTION_EVERYONE, SEND_TTS_MESSAGES, ATTACH_FILES, EMBED_LINKS. */
export const NEEDS_SEND_MESSAGES = 184320n
/** Gone with CONNECT in voice and stage channels: everything that happens inside a call. */
export const NEEDS_CONNECT = 321061755290384n

const VOICE_LIKE_CHANNEL_TYPES = new Set([2, 13])

/** A permission string from the server to bits; anything malformed reads as no permissions. */
export function parsePermissions(text: string | null | undefined): bigint {
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text)) return 0n
  return BigInt(text) & ALL_PERMISSIONS
}

export function formatPermissions(bits: bigint): string {
  return bits.toString()
}

export function hasPermission(bits: bigint, permission: bigint): boolean {
  return (bits & permission) === permission
}

export interface RoleLike {
  id: string
  position: number
  permissions: string
}

export interface OverwriteLike {
  id: string
  type: 0 | 1
  allow: string
  deny: string
}

/** Who is asking, in which server: everything the computation reads. */
export interface PermissionSubject {
  guildId: string
  ownerId: string
  userId: string
  /** The server's roles, @everyone (id = guildId) included. */
  roles: readonly RoleLike[]
  /** The member's roles, @everyone not included. */
  memberRoleIds: readonly string[]
  /** ISO time; in the future means timed out. */
  communicationDisabledUntil?: string | null
}

export function isTimedOut(until: string | null | undefined, now: number = Date.now()): boolean {
  if (!until) return false
  const end = Date.parse(until)
  return Number.isFinite(end) && end > now
}

function isAdministrator(subject: PermissionSubject, base: bigint): boolean {
  return subject.userId === subject.ownerId || hasPermission(base, Permission.ADMINISTRATOR)
}

/** @everyone's bits OR the member's roles' bits, before the owner/admin rules and the timeout. */
function rawBase(subject: PermissionSubject): bigint {
  const memberRoles = new Set(subject.memberRoleIds)
  let bits = 0n
  for (const role of subject.roles) {
    if (role.id === subject.guildId || memberRoles.has(role.id)) bits |= parsePermissions(role.permissions)
  }
  return bits
}

/** Server-wide permissions: what kick, ban, manage server, manage roles and so on check. */
export function basePermissions(subject: PermissionSubject, now: number = Date.now()): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS
  const base = rawBase(subject)
  if (hasPermission(base, Permission.ADMINISTRATOR)) return ALL_PERMISSIONS
  return isTimedOut(subject.communicationDisabledUntil, now) ? base & TIMEOUT_ALLOWED : base
}

/** Permissions in one channel: overwrites in three layers, implicit denies, then the timeout. */
export function channelPermissions(
  subject: PermissionSubject,
  channel: { type: number; permission_overwrites?: readonly OverwriteLike[] },
  now: number = Date.now(),
): bigint {
  const base = rawBase(subject)
  if (isAdministrator(subject, base)) return ALL_PERMISSIONS
  let bits = base
  const overwrites = channel.permission_overwrites ?? []
  const channelBits = (text: string) => parsePermissions(text) & ~SERVER_ONLY_PERMISSIONS

  const everyone = overwrites.find((overwrite) => overwrite.type === 0 && overwrite.id === subject.guildId)
  if (everyone) bits = (bits & ~channelBits(everyone.deny)) | channelBits(everyone.allow)

  const memberRoles = new Set(subject.memberRoleIds)
  let roleDeny = 0n
  let roleAllow = 0n
  for (const overwrite of overwrites) {
    if (overwrite.type !== 0 || overwrite.id === subject.guildId || !memberRoles.has(overwrite.id)) continue
    roleDeny |= channelBits(overwrite.deny)
    roleAllow |= channelBits(overwrite.allow)
  }
  bits = (bits & ~roleDeny) | roleAllow

  const own = overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === subject.userId)
  if (own) bits = (bits & ~channelBits(own.deny)) | channelBits(own.allow)

  if (!hasPermission(bits, Permission.VIEW_CHANNEL)) return 0n
  if (!hasPermission(bits, Permission.SEND_MESSAGES)) bits &= ~NEEDS_SEND_MESSAGES
  if (VOICE_LIKE_CHANNEL_TYPES.has(channel.type) && !hasPermission(bits, Permission.CONNECT)) bits &= ~NEEDS_CONNECT
  if (isTimedOut(subject.communicationDisabledUntil, now)) bits &= TIMEOUT_ALLOWED
  return bits
}

// --- the role hierarchy ------------------------------------------------------------------

/** The greatest position among these roles; 0 (@everyone's) when there are none. */
export function highestRolePosition(roles: readonly RoleLike[], roleIds: readonly string[]): number {
  const wanted = new Set(roleIds)
  let highest = 0
  for (const role of roles) if (wanted.has(role.id)) highest = Math.max(highest, role.position)
  return highest
}

/**
 * Whether the subject may kick, ban, time out or rename the member with `targetRoleIds`: the owner
 * ranks above everyone, nobody acts on the owner or on themselves, everyone else only on members
 * whose highest role is below their own (administrators too).
 */
export function outranks(subject: PermissionSubject, targetUserId: string, targetRoleIds: readonly string[]): boolean {
  if (targetUserId === subject.userId || targetUserId === subject.ownerId) return false
  if (subject.userId === subject.ownerId) return true
  return highestRolePosition(subject.roles, subject.memberRoleIds) > highestRolePosition(subject.roles, targetRoleIds)
}

/** Whether the subject may edit, delete, move, give or take away this role. */
export function canManageRole(subject: PermissionSubject, role: RoleLike, now: number = Date.now()): boolean {
  if (subject.userId === subject.ownerId) return true
  if (!hasPermission(basePermissions(subject, now), Permission.MANAGE_ROLES)) return false
  return role.position < highestRolePosition(subject.roles, subject.memberRoleIds)
}

// --- labels for the editors ----------------------------------------------------------------

/** T text-like channels, V voice, S stage: where a permission means something in an overwrite. */
export type ChannelScope = 'T' | 'V' | 'S'

export interface PermissionInfo {
  name: PermissionName
  bit: bigint
  label: string
  description: string
  /** Empty for server-only permissions. */
  scopes: readonly ChannelScope[]
}

export interface PermissionGroup {
  title: string
  permissions: PermissionInfo[]
}

type Entry = [PermissionName, string, string, string]

// [name, label, description, scopes]: Discord's wording where it has one.
const GROUPS: [string, Entry[]][] = [
  [
    'General Server Permissions',
    [
      ['VIEW_CHANNEL', 'View Channels', 'Allows members to view channels by default (excluding private channels).', 'TVS'],
      ['MANAGE_CHANNELS', 'Manage Channels', 'Allows members to create, edit or delete channels.', 'TVS'],
      ['MANAGE_ROLES', 'Manage Roles', 'Allows members to create new roles and edit or delete roles lower than their highest role.', 'TVS'],
      ['CREATE_GUILD_EXPRESSIONS', 'Create Expressions', 'Allows members to add custom emoji, stickers and sounds in this server.', ''],
      ['MANAGE_GUILD_EXPRESSIONS', 'Manage Expressions', 'Allows members to edit or remove custom emoji, stickers and sounds in this server.', ''],
      ['VIEW_AUDIT_LOG', 'View Audit Log', 'Allows members to view a record of who made which changes in this server.', ''],
      ['MANAGE_WEBHOOKS', 'Manage Webhooks', 'Allows members to create, edit or delete webhooks.', 'TVS'],
      ['MANAGE_GUILD', 'Manage Server', "Allows members to change this server's name and icon, and to see all invites.", ''],
      ['CREATE_EVENTS', 'Create Events', 'Allows members to create events.', 'VS'],
      ['MANAGE_EVENTS', 'Manage Events', 'Allows members to edit and cancel events.', 'VS'],
    ],
  ],
  [
    'Membership Permissions',
    [
      ['CREATE_INSTANT_INVITE', 'Create Invite', 'Allows members to invite new people to this server.', 'TVS'],
      ['CHANGE_NICKNAME', 'Change Nickname', 'Allows members to change their own nickname, a custom name for just this server.', ''],
      ['MANAGE_NICKNAMES', 'Manage Nicknames', 'Allows members to change the nicknames of other members.', ''],
      ['KICK_MEMBERS', 'Kick Members', 'Allows members to remove other members from this server. They can rejoin with a new invite.', ''],
      ['BAN_MEMBERS', 'Ban Members', 'Allows members to permanently ban and delete the message history of other members.', ''],
      ['MODERATE_MEMBERS', 'Timeout Members', 'Allows members to stop others from sending messages, reacting or speaking for a while.', ''],
    ],
  ],
  [
    'Text Channel Permissions',
    [
      ['SEND_MESSAGES', 'Send Messages', 'Allows members to send messages in text channels.', 'TVS'],
      ['SEND_MESSAGES_IN_THREADS', 'Send Messages in Threads', 'Allows members to send messages in threads.', 'T'],
      ['CREATE_PUBLIC_THREADS', 'Create Public Threads', 'Allows members to create threads everyone in a channel can view.', 'T'],
      ['CREATE_PRIVATE_THREADS', 'Create Private Threads', 'Allows members to create invite-only threads.', 'T'],
      ['EMBED_LINKS', 'Embed Links', 'Allows links that members share to show embedded content.', 'TVS'],
      ['ATTACH_FILES', 'Attach Files', 'Allows members to upload files or media.', 'TVS'],
      ['ADD_REACTIONS', 'Add Reactions', 'Allows members to add new emoji reactions to a message.', 'TVS'],
      ['USE_EXTERNAL_EMOJIS', 'Use External Emoji', 'Allows members to use emoji from other servers.', 'TVS'],
      ['USE_EXTERNAL_STICKERS', 'Use External Stickers', 'Allows members to use stickers from other servers.', 'TVS'],
      ['MENTION_EVERYONE', 'Mention @everyone, @here and All Roles', 'Allows members to notify everyone in the channel, or all members of a role.', 'TVS'],
      ['MANAGE_MESSAGES', 'Manage Messages', 'Allows members to delete messages by other members.', 'TVS'],
      ['PIN_MESSAGES', 'Pin Messages', 'Allows members to pin and unpin messages.', 'T'],
      ['BYPASS_SLOWMODE', 'Bypass Slowmode', 'Allows members to send messages without waiting for slowmode.', 'TVS'],
      ['MANAGE_THREADS', 'Manage Threads', 'Allows members to rename, delete, close and archive threads.', 'T'],
      ['READ_MESSAGE_HISTORY', 'Read Message History', 'Allows members to read messages sent before they arrived.', 'TVS'],
      ['SEND_TTS_MESSAGES', 'Send Text-to-Speech Messages', 'Allows members to send messages read aloud to everyone viewing the channel.', 'TVS'],
      ['SEND_VOICE_MESSAGES', 'Send Voice Messages', 'Allows members to send voice messages.', 'TVS'],
      ['SEND_POLLS', 'Create Polls', 'Allows members to create polls.', 'TVS'],
      ['USE_APPLICATION_COMMANDS', 'Use Application Commands', "Allows members to use apps' commands.", 'TVS'],
      ['USE_EXTERNAL_APPS', 'Use External Apps', 'Allows apps that members have added to their account to post in the server.', 'TVS'],
    ],
  ],
  [
    'Voice Channel Permissions',
    [
      ['CONNECT', 'Connect', 'Allows members to join voice channels and hear others.', 'VS'],
      ['SPEAK', 'Speak', 'Allows members to talk in voice channels.', 'V'],
      ['STREAM', 'Video', 'Allows members to share their video, screen share, or stream a game.', 'VS'],
      ['USE_EMBEDDED_ACTIVITIES', 'Use Activities', 'Allows members to use activities.', 'TV'],
      ['USE_SOUNDBOARD', 'Use Soundboard', 'Allows members to send sounds from the server soundboard.', 'V'],
      ['USE_EXTERNAL_SOUNDS', 'Use External Sounds', 'Allows members to use sounds from other servers.', 'V'],
      ['USE_VAD', 'Use Voice Activity', 'Allows members to speak by simply talking; otherwise push-to-talk is required.', 'V'],
      ['PRIORITY_SPEAKER', 'Priority Speaker', 'Allows members to be more easily heard in voice channels.', 'V'],
      ['MUTE_MEMBERS', 'Mute Members', 'Allows members to mute other members in voice channels for everyone.', 'VS'],
      ['DEAFEN_MEMBERS', 'Deafen Members', 'Allows members to deafen other members in voice channels.', 'V'],
      ['MOVE_MEMBERS', 'Move Members', 'Allows members to disconnect or move other members between voice channels.', 'VS'],
      ['SET_VOICE_CHANNEL_STATUS', 'Set Voice Channel Status', 'Allows members to set a status for a voice channel.', 'V'],
      ['REQUEST_TO_SPEAK', 'Request to Speak', 'Allows members to ask to speak in stage channels.', 'S'],
    ],
  ],
  [
    'Advanced Permissions',
    [
      ['ADMINISTRATOR', 'Administrator', 'Members with this permission have every permission and bypass all channel permissions. This is a dangerous permission to grant.', ''],
      ['VIEW_GUILD_INSIGHTS', 'View Server Insights', "Allows members to view the server's insights.", ''],
      ['VIEW_CREATOR_MONETIZATION_ANALYTICS', 'View Creator Monetization Analytics', 'Allows members to view monetization analytics.', ''],
    ],
  ],
]

export const PERMISSION_GROUPS: readonly PermissionGroup[] = GROUPS.map(([title, entries]) => ({
  title,
  permissions: entries.map(([name, label, description, scopes]) => ({
    name,
    bit: Permission[name],
    label,
    description,
    scopes: scopes.split('') as ChannelScope[],
  })),
}))

function scopeOf(channelType: number): ChannelScope {
  if (channelType === 2) return 'V'
  if (channelType === 13) return 'S'
  return 'T'
}

/**
 * The groups an overwrite editor shows for this channel type: only channel bits, and for a
 * category (type 4) those of every channel kind, since its channels copy its overwrites.
 */
export function channelPermissionGroups(channelType: number): PermissionGroup[] {
  const fits = (info: PermissionInfo) =>
    info.scopes.length > 0 && (channelType === 4 || info.scopes.includes(scopeOf(channelType)))
  return PERMISSION_GROUPS.map((group) => ({ title: group.title, permissions: group.permissions.filter(fits) })).filter(
    (group) => group.permissions.length > 0,
  )
}
