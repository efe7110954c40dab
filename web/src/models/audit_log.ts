// Audit log entries in words: Discord's action numbers, what each did, and which kind of change it
// was (for the icon's colour). Names come from what the client knows (channels, roles, members seen
// this visit) and, for things since deleted, from the entry's own changes.
import type { AuditLogChange, AuditLogEntry } from '@/api/guilds'

export const AuditAction = {
  GuildUpdate: 1,
  ChannelCreate: 10,
  ChannelUpdate: 11,
  ChannelDelete: 12,
  OverwriteCreate: 13,
  OverwriteUpdate: 14,
  OverwriteDelete: 15,
  MemberKick: 20,
  MemberBanAdd: 22,
  MemberBanRemove: 23,
  MemberUpdate: 24,
  MemberRoleUpdate: 25,
  RoleCreate: 30,
  RoleUpdate: 31,
  RoleDelete: 32,
  InviteCreate: 40,
  InviteUpdate: 41,
  InviteDelete: 42,
} as const

export type AuditKind = 'create' | 'update' | 'delete'

interface ActionInfo {
  label: string
  kind: AuditKind
  /** What the target is, to look its name up. */
  target: 'guild' | 'channel' | 'user' | 'role' | 'invite'
  /** "created the channel", followed by the target's name. */
  verb: string
}

const ACTIONS: Record<number, ActionInfo> = {
  1: { label: 'Update Server', kind: 'update', target: 'guild', verb: 'updated the server' },
  10: { label: 'Create Channel', kind: 'create', target: 'channel', verb: 'created the channel' },
  11: { label: 'Update Channel', kind: 'update', target: 'channel', verb: 'updated the channel' },
  12: { label: 'Delete Channel', kind: 'delete', target: 'channel', verb: 'deleted the channel' },
  13: { label: 'Create Channel Permissions', kind: 'create', target: 'channel', verb: 'created channel permissions in' },
  14: { label: 'Update Channel Permissions', kind: 'update', target: 'channel', verb: 'updated channel permissions in' },
  15: { label: 'Delete Channel Permissions', kind: 'delete', target: 'channel', verb: 'deleted channel permissions in' },
  20: { label: 'Kick Member', kind: 'delete', target: 'user', verb: 'kicked' },
  22: { label: 'Ban Member', kind: 'delete', target: 'user', verb: 'banned' },
  23: { label: 'Unban Member', kind: 'create', target: 'user', verb: 'removed the ban for' },
  24: { label: 'Update Member', kind: 'update', target: 'user', verb: 'updated' },
  25: { label: 'Update Member Roles', kind: 'update', target: 'user', verb: 'updated the roles of' },
  30: { label: 'Create Role', kind: 'create', target: 'role', verb: 'created the role' },
  31: { label: 'Update Role', kind: 'update', target: 'role', verb: 'updated the role' },
  32: { label: 'Delete Role', kind: 'delete', target: 'role', verb: 'deleted the role' },
  40: { label: 'Create Invite', kind: 'create', target: 'invite', verb: 'created the invite' },
  41: { label: 'Update Invite', kind: 'update', target: 'invite', verb: 'updated the invite' },
  42: { label: 'Delete Invite', kind: 'delete', target: 'invite', verb: 'deleted the invite' },
}

/** For the action filter: every action Hearth records, in Discord's order. */
export const AUDIT_ACTION_CHOICES = Object.entries(ACTIONS).map(([value, info]) => ({ value: Number(value), label: info.label }))

export interface AuditNames {
  guild: string
  channel: (id: string) => string | null
  role: (id: string) => string | null
  user: (id: string) => string | null
}

function changeValue(changes: readonly AuditLogChange[] | null, key: string): unknown {
  const change = changes?.find((candidate) => candidate.key === key)
  return change?.new_value ?? change?.old_value
}

function isTimeout(entry: AuditLogEntry): 'on' | 'off' | null {
  const change = entry.changes?.find((candidate) => candidate.key === 'communication_disabled_until')
  if (!change) return null
  return change.new_value ? 'on' : 'off'
}

export interface AuditDescription {
  kind: AuditKind
  verb: string
  /** The target's name, or null when there is nothing to name. */
  target: string | null
}

export function describeAuditEntry(entry: AuditLogEntry, names: AuditNames): AuditDescription {
  const info = ACTIONS[entry.action_type] ?? { label: 'Unknown', kind: 'update', target: 'guild', verb: `did action ${entry.action_type} to` }
  const id = entry.target_id
  const named = changeValue(entry.changes, 'name')
  const fromChanges = typeof named === 'string' ? named : null
  let target: string | null = null
  switch (info.target) {
    case 'guild':
      target = null
      break
    case 'channel':
      target = (id && names.channel(id)) ?? (fromChanges ? `#${fromChanges}` : id ? 'a deleted channel' : null)
      break
    case 'role':
      target = (id && names.role(id)) ?? fromChanges ?? (id ? 'a deleted role' : null)
      break
    case 'user':
      target = (id && names.user(id)) ?? (id ? `user ${id}` : null)
      break
    case 'invite': {
      const code = changeValue(entry.changes, 'code')
      target = typeof code === 'string' ? code : null
      break
    }
  }
  let verb = info.verb
  if (entry.action_type === AuditAction.MemberUpdate) {
    const timeout = isTimeout(entry)
    if (timeout === 'on') verb = 'timed out'
    if (timeout === 'off') verb = 'removed the timeout of'
  }
  return { kind: info.kind, verb, target }
}

/** A change's value as text: role lists by name, strings as they are, the rest as JSON. */
export function formatAuditValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'none'
  if (typeof value === 'string') {
    // Timeouts and other times arrive as ISO 8601: shown in the reader's own terms.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && Number.isFinite(Date.parse(value))) {
      return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(value))
    }
    return value
  }
  if (Array.isArray(value) && value.every((item) => item && typeof item === 'object' && 'name' in item)) {
    return value.map((item) => String((item as { name: unknown }).name)).join(', ')
  }
  return JSON.stringify(value)
}

/** Change keys as Discord's client words them. */
export function auditChangeLabel(key: string): string {
  const labels: Record<string, string> = {
    $add: 'Added roles',
    $remove: 'Removed roles',
    name: 'Name',
    topic: 'Topic',
    description: 'Description',
    icon_hash: 'Icon',
    icon: 'Icon',
    owner_id: 'Owner',
    permissions: 'Permissions',
    color: 'Colour',
    hoist: 'Display separately',
    mentionable: 'Mentionable',
    nick: 'Nickname',
    communication_disabled_until: 'Timed out until',
    rate_limit_per_user: 'Slowmode',
    parent_id: 'Category',
    permission_overwrites: 'Permission overwrites',
    allow: 'Allowed',
    deny: 'Denied',
    max_age: 'Expires after (s)',
    max_uses: 'Max uses',
    code: 'Code',
    channel_id: 'Channel',
    delete_message_seconds: 'Messages deleted (s)',
  }
  return labels[key] ?? key
}
