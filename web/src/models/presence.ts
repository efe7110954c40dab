// Presence: what others see of a user (online, idle, do not disturb, offline and a custom status),
// what the user chose for themselves (invisible looks offline to others), and the op 3 frame.
import type { Role } from './guild'
import { groupMembersByHoistedRole, memberDisplayName, type GuildMember, type MemberGroup, type PresenceStatus } from './member'
import { compareIds } from './guild'

export type { PresenceStatus }

/** What the user can choose; "invisible" shows them offline to everyone else. */
export type UserStatus = 'online' | 'idle' | 'dnd' | 'invisible'

export const USER_STATUSES: readonly UserStatus[] = ['online', 'idle', 'dnd', 'invisible']

/** Activity type 4 is a custom status; its text is `state`. */
export const CUSTOM_STATUS_ACTIVITY = 4
export const CUSTOM_STATUS_MAX_LENGTH = 128

/** Minutes without input before the client reports the user idle. */
export const IDLE_AFTER_MS = 10 * 60 * 1000

export interface Activity {
  type: number
  name: string
  state?: string | null
}

/** READY's `presences` items and PRESENCE_UPDATE. */
export interface PresenceUpdate {
  user: { id: string }
  guild_id?: string | null
  status: PresenceStatus
  activities?: Activity[]
  client_status?: Partial<Record<'web' | 'desktop' | 'mobile', PresenceStatus>>
}

/** Gateway op 3's `d`. */
export interface PresencePayload {
  since: number | null
  activities: Activity[]
  status: UserStatus
  afk: boolean
}

export function isPresenceStatus(value: unknown): value is PresenceStatus {
  return value === 'online' || value === 'idle' || value === 'dnd' || value === 'offline'
}

export function isUserStatus(value: unknown): value is UserStatus {
  return value === 'online' || value === 'idle' || value === 'dnd' || value === 'invisible'
}

/** The custom status text among the activities, or null. */
export function customStatusOf(activities: readonly Activity[] | undefined): string | null {
  const custom = activities?.find((activity) => activity.type === CUSTOM_STATUS_ACTIVITY)
  const text = custom?.state?.trim()
  return text ? text : null
}

/**
 * The op 3 frame for the chosen status. Auto-idle only applies to "online" (Discord keeps Do Not
 * Disturb and Invisible as they are), and reports `afk` with the time input stopped. A hidden
 * tab (`hidden`) is `afk` too without changing the status: the server then sends Web Push
 * notifications, since nobody is looking at this client.
 */
export function presencePayload(
  chosen: UserStatus,
  customStatus: string | null,
  idleSince: number | null,
  hidden = false,
): PresencePayload {
  const autoIdle = idleSince !== null && chosen === 'online'
  const text = customStatus?.trim()
  return {
    since: autoIdle ? idleSince : null,
    activities: text ? [{ type: CUSTOM_STATUS_ACTIVITY, name: 'Custom Status', state: text }] : [],
    status: autoIdle ? 'idle' : chosen,
    afk: autoIdle || hidden,
  }
}

/** The dot shown for the user's own avatar: invisible is drawn as offline. */
export function ownDotStatus(status: UserStatus): PresenceStatus {
  return status === 'invisible' ? 'offline' : status
}

export const STATUS_LABELS: Record<UserStatus | PresenceStatus, string> = {
  online: 'Online',
  idle: 'Idle',
  dnd: 'Do Not Disturb',
  invisible: 'Invisible',
  offline: 'Offline',
}

/** The status picker's line under each choice, in Discord's words. */
export const STATUS_DESCRIPTIONS: Partial<Record<UserStatus, string>> = {
  dnd: 'You will not receive desktop notifications',
  invisible: 'You will not appear online, but will have full access to Hearth',
}

/**
 * Discord's member list with presence: online members under their highest hoisted role, the
 * other online ones under "Online", then everyone offline under "Offline" (roles ignored).
 */
export function groupMembersByPresence(
  members: readonly GuildMember[],
  roles: readonly Role[],
  isOnline: (userId: string) => boolean,
): MemberGroup[] {
  const online = members.filter((member) => isOnline(member.user.id))
  const offline = members.filter((member) => !isOnline(member.user.id))
  const groups = groupMembersByHoistedRole(online, roles).map((group) =>
    group.role === null ? { ...group, title: 'Online' } : group,
  )
  if (offline.length > 0) {
    const sorted = [...offline].sort(
      (a, b) =>
        memberDisplayName(a).localeCompare(memberDisplayName(b), undefined, { sensitivity: 'base' }) ||
        compareIds(a.user.id, b.user.id),
    )
    groups.push({ role: null, title: 'Offline', members: sorted })
  }
  return groups
}
