// What the signed-in user may do to one member, by the rules hearthd applies: kick, ban and
// timeout need the permission and a member ranked below you (never yourself, never the owner; an
// administrator can't be timed out); roles need Manage Roles, and only roles below your highest.
import type { Role } from '@/models/guild'
import { rolesByRank, roleColour } from '@/models/guild'
import { isMemberTimedOut, type GuildMember } from '@/models/member'
import {
  Permission,
  basePermissions,
  canManageRole,
  hasPermission,
  outranks,
  type PermissionSubject,
} from '@/models/permissions'

export interface MemberRoleChoice {
  role: Role
  colour: string | null
  held: boolean
  /** false: shown (held) but at or above your highest role. */
  editable: boolean
}

export interface MemberActions {
  kick: boolean
  ban: boolean
  timeout: boolean
  removeTimeout: boolean
  /** Roles to give or take; empty without Manage Roles. */
  roles: MemberRoleChoice[]
  any: boolean
}

const NONE: MemberActions = { kick: false, ban: false, timeout: false, removeTimeout: false, roles: [], any: false }

export function memberActions(
  subject: PermissionSubject | null,
  roles: readonly Role[],
  member: GuildMember,
  now: number = Date.now(),
): MemberActions {
  if (subject === null) return NONE
  const mine = basePermissions(subject, now)
  const above = outranks(subject, member.user.id, member.roles)
  const targetIsAdmin =
    member.user.id === subject.ownerId ||
    hasPermission(basePermissions({ ...subject, userId: member.user.id, memberRoleIds: member.roles, communicationDisabledUntil: null }, now), Permission.ADMINISTRATOR)
  const moderate = above && hasPermission(mine, Permission.MODERATE_MEMBERS)
  const timedOut = isMemberTimedOut(member, now)

  const held = new Set(member.roles)
  // Your own roles you may change too, within your rank; others' only when you outrank them.
  const mayChangeRoles = hasPermission(mine, Permission.MANAGE_ROLES) && (above || member.user.id === subject.userId)
  const roleChoices = mayChangeRoles
    ? rolesByRank(roles)
        .filter((role) => role.id !== subject.guildId && !role.managed)
        .map((role) => ({ role, colour: roleColour(role.color), held: held.has(role.id), editable: canManageRole(subject, role, now) }))
        .filter((choice) => choice.editable || choice.held)
    : []

  const actions: MemberActions = {
    kick: above && hasPermission(mine, Permission.KICK_MEMBERS),
    ban: above && hasPermission(mine, Permission.BAN_MEMBERS),
    timeout: moderate && !timedOut && !targetIsAdmin,
    removeTimeout: moderate && timedOut,
    roles: roleChoices.some((choice) => choice.editable) ? roleChoices : [],
    any: false,
  }
  actions.any = actions.kick || actions.ban || actions.timeout || actions.removeTimeout || actions.roles.length > 0
  return actions
}
