// Server members: the wire shape, what the member list shows (name, colour, grouping by hoisted
// roles) and timeouts.
import { compareIds, rolesByRank, roleColour, type Role } from './guild'
import { avatarUrl } from './avatar'
import { isTimedOut } from './permissions'

export type PresenceStatus = 'online' | 'idle' | 'dnd' | 'offline'

export interface MemberSummary {
  id: string
  displayName: string
  avatarUrl?: string | null
  status: PresenceStatus
}

/** The public user object inside a member, ban or invite. */
export interface PublicUser {
  id: string
  username: string
  global_name: string | null
  avatar: string | null
}

/** `GET /guilds/{id}/members` items. */
export interface GuildMember {
  user: PublicUser
  nick: string | null
  /** Role ids; @everyone is implicit and never listed. */
  roles: string[]
  joined_at: string
  /** ISO time; in the future means timed out. */
  communication_disabled_until: string | null
  mute: boolean
  deaf: boolean
}

/** What a server calls the member: nickname, else display name, else username. */
export function memberDisplayName(member: Pick<GuildMember, 'user' | 'nick'>): string {
  return member.nick || member.user.global_name || member.user.username
}

export function memberAvatarUrl(member: Pick<GuildMember, 'user'>): string | null {
  return avatarUrl(member.user)
}

export function isMemberTimedOut(member: Pick<GuildMember, 'communication_disabled_until'>, now: number = Date.now()): boolean {
  return isTimedOut(member.communication_disabled_until, now)
}

/** The member's roles, highest first. */
export function memberRoles(member: Pick<GuildMember, 'roles'>, roles: readonly Role[]): Role[] {
  const held = new Set(member.roles)
  return rolesByRank(roles.filter((role) => held.has(role.id)))
}

/** The colour of the member's highest coloured role, as CSS; null for the default. */
export function memberColour(member: Pick<GuildMember, 'roles'>, roles: readonly Role[]): string | null {
  for (const role of memberRoles(member, roles)) {
    const colour = roleColour(role.color)
    if (colour !== null) return colour
  }
  return null
}

export interface MemberGroup {
  /** The hoisted role, or null for "Members" (everyone else). */
  role: Role | null
  title: string
  members: GuildMember[]
}

/**
 * Discord's member list: one group per hoisted role, highest first, each member under their
 * highest hoisted role only; everyone else under "Members". Names sort case-insensitively.
 */
export function groupMembersByHoistedRole(members: readonly GuildMember[], roles: readonly Role[]): MemberGroup[] {
  const hoisted = rolesByRank(roles.filter((role) => role.hoist))
  const byRole = new Map<string, GuildMember[]>()
  const rest: GuildMember[] = []
  for (const member of members) {
    const held = new Set(member.roles)
    const top = hoisted.find((role) => held.has(role.id))
    if (top) byRole.set(top.id, [...(byRole.get(top.id) ?? []), member])
    else rest.push(member)
  }
  const sortByName = (list: GuildMember[]) =>
    list.sort(
      (a, b) =>
        memberDisplayName(a).localeCompare(memberDisplayName(b), undefined, { sensitivity: 'base' }) ||
        compareIds(a.user.id, b.user.id),
    )
  const groups: MemberGroup[] = []
  for (const role of hoisted) {
    const list = byRole.get(role.id)
    if (list) groups.push({ role, title: role.name, members: sortByName(list) })
  }
  if (rest.length > 0) groups.push({ role: null, title: 'Members', members: sortByName(rest) })
  return groups
}

export interface TimeoutChoice {
  label: string
  seconds: number
}

/** Discord's timeout durations. */
export const TIMEOUT_CHOICES: readonly TimeoutChoice[] = [
  { label: '60 seconds', seconds: 60 },
  { label: '5 minutes', seconds: 5 * 60 },
  { label: '10 minutes', seconds: 10 * 60 },
  { label: '1 hour', seconds: 60 * 60 },
  { label: '1 day', seconds: 24 * 60 * 60 },
  { label: '1 week', seconds: 7 * 24 * 60 * 60 },
]

/** `communication_disabled_until` for a timeout of `seconds` from `now`. */
export function timeoutUntil(seconds: number, now: number = Date.now()): string {
  return new Date(now + seconds * 1000).toISOString()
}

/** Discord's "delete message history" choices when banning. */
export const BAN_DELETE_CHOICES: readonly TimeoutChoice[] = [
  { label: "Don't delete any", seconds: 0 },
  { label: 'Previous hour', seconds: 60 * 60 },
  { label: 'Previous 6 hours', seconds: 6 * 60 * 60 },
  { label: 'Previous 12 hours', seconds: 12 * 60 * 60 },
  { label: 'Previous 24 hours', seconds: 24 * 60 * 60 },
  { label: 'Previous 3 days', seconds: 3 * 24 * 60 * 60 },
  { label: 'Previous 7 days', seconds: 7 * 24 * 60 * 60 },
]
