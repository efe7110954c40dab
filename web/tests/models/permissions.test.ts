import { describe, expect, it } from 'vitest'
import {
  ALL_PERMISSIONS,
  Permission,
  SERVER_ONLY_PERMISSIONS,
  basePermissions,
  canManageRole,
  channelPermissionGroups,
  channelPermissions,
  formatPermissions,
  highestRolePosition,
  outranks,
  parsePermissions,
  PERMISSION_GROUPS,
  type OverwriteLike,
  type PermissionSubject,
} from '@/models/permissions'

// docs/permissions.md, "Worked examples": the server "Book Club" (id 100).
const GUILD = '100'
const OWNER = '1'
const ROLES = [
  { id: '100', position: 0, permissions: '36949568' },
  { id: '201', position: 3, permissions: '1099532607490' },
  { id: '202', position: 2, permissions: '0' },
  { id: '203', position: 1, permissions: '0' },
]
const NOW = Date.parse('2026-03-01T12:00:00Z')
const LATER = '2026-03-01T13:00:00Z'
const EARLIER = '2026-03-01T11:00:00Z'

function member(userId: string, roleIds: string[], timeout: string | null = null): PermissionSubject {
  return { guildId: GUILD, ownerId: OWNER, userId, roles: ROLES, memberRoleIds: roleIds, communicationDisabledUntil: timeout }
}

const ada = member('ada', [])
const mo = member('mo', ['201'])
const hal = member('hal', ['203', '202'])
const max = member('max', ['203'])

const text = (overwrites: OverwriteLike[] = []) => ({ type: 0, permission_overwrites: overwrites })
const voice = (overwrites: OverwriteLike[] = []) => ({ type: 2, permission_overwrites: overwrites })
const bits = (value: bigint) => formatPermissions(value)

describe('the permission port (docs/permissions.md)', () => {
  it('example 1: no overwrites give the base permissions', () => {
    expect(bits(channelPermissions(ada, text(), NOW))).toBe('36949568')
    expect(bits(channelPermissions(mo, text(), NOW))).toBe('1099569557058')
    expect(bits(basePermissions(mo, NOW))).toBe('1099569557058')
  })

  it('example 2: a private channel hides itself from @everyone, a role allow brings it back', () => {
    const mods = text([
      { id: '100', type: 0, allow: '0', deny: '1024' },
      { id: '201', type: 0, allow: '1024', deny: '0' },
    ])
    expect(channelPermissions(ada, mods, NOW)).toBe(0n)
    expect(bits(channelPermissions(mo, mods, NOW))).toBe('1099569557058')
  })

  it('example 3: role overwrites are one layer, allows beat denies whatever the positions', () => {
    const general = text([
      { id: '203', type: 0, allow: '0', deny: '2112' },
      { id: '202', type: 0, allow: '2048', deny: '0' },
    ])
    expect(bits(channelPermissions(max, general, NOW))).toBe('36767232')
    expect(bits(channelPermissions(hal, general, NOW))).toBe('36949504')
    const withOwn = text([...general.permission_overwrites, { id: 'max', type: 1, allow: '2048', deny: '0' }])
    expect(bits(channelPermissions(max, withOwn, NOW))).toBe('36949504')
    // The order of the list does not matter.
    const reversed = text([...withOwn.permission_overwrites].reverse())
    expect(channelPermissions(max, reversed, NOW)).toBe(channelPermissions(max, withOwn, NOW))
  })

  it('example 4: without CONNECT a voice channel drops everything inside a call, a text channel only CONNECT', () => {
    const lounge = [{ id: '100', type: 0 as const, allow: '0', deny: '1048576' }]
    expect(bits(channelPermissions(ada, voice(lounge), NOW))).toBe('248896')
    expect(bits(channelPermissions(ada, text(lounge), NOW))).toBe('35900992')
  })

  it('example 5: a timeout leaves only View Channel and Read Message History', () => {
    const timedOut = member('mo', ['201'], LATER)
    expect(bits(basePermissions(timedOut, NOW))).toBe('66560')
    expect(bits(channelPermissions(timedOut, text(), NOW))).toBe('66560')
    const mods = text([
      { id: '100', type: 0, allow: '0', deny: '1024' },
      { id: '201', type: 0, allow: '1024', deny: '0' },
    ])
    expect(bits(channelPermissions(timedOut, mods, NOW))).toBe('66560')
    // An expired timeout no longer counts.
    expect(bits(basePermissions(member('mo', ['201'], EARLIER), NOW))).toBe('1099569557058')
  })

  it('gives administrators and the owner everything, timed out or not, overwrites or not', () => {
    const roles = ROLES.map((role) => (role.id === '201' ? { ...role, permissions: '8' } : role))
    const admin = { ...member('mo', ['201'], LATER), roles }
    const hidden = text([{ id: '100', type: 0, allow: '0', deny: '1024' }])
    expect(basePermissions(admin, NOW)).toBe(ALL_PERMISSIONS)
    expect(channelPermissions(admin, hidden, NOW)).toBe(ALL_PERMISSIONS)
    const owner = member(OWNER, [], LATER)
    expect(bits(basePermissions(owner, NOW))).toBe('8866461766385663')
    expect(channelPermissions(owner, hidden, NOW)).toBe(ALL_PERMISSIONS)
  })

  it('ignores server-only bits in overwrites, and overwrites for roles the member lacks or for others', () => {
    const overwrites = text([
      { id: '100', type: 0, allow: String(Permission.KICK_MEMBERS), deny: String(Permission.ADMINISTRATOR) },
      { id: '202', type: 0, allow: '0', deny: '1024' },
      { id: 'someone', type: 1, allow: '0', deny: '1024' },
    ])
    expect(bits(channelPermissions(ada, overwrites, NOW))).toBe('36949568')
  })

  it('a member layer overrides the role layer', () => {
    const overwrites = text([
      { id: '201', type: 0, allow: '0', deny: '2048' },
      { id: 'mo', type: 1, allow: '2048', deny: '0' },
    ])
    expect(channelPermissions(mo, overwrites, NOW) & Permission.SEND_MESSAGES).toBe(Permission.SEND_MESSAGES)
  })

  it('gives new servers what Discord gives @everyone (minus bit 47)', () => {
    const fresh = { ...ada, roles: [{ id: '100', position: 0, permissions: '2107735977479745' }] }
    const base = basePermissions(fresh, NOW)
    expect(base & Permission.VIEW_CHANNEL).toBeTruthy()
    expect(base & (Permission.KICK_MEMBERS | Permission.MANAGE_GUILD | Permission.MANAGE_ROLES)).toBe(0n)
  })

  it('reads permission strings strictly', () => {
    expect(parsePermissions('2112')).toBe(2112n)
    expect(parsePermissions('8866461766385663')).toBe(ALL_PERMISSIONS)
    for (const bad of ['', '-1', ' 1', '0x10', '1e3', null, undefined, '1'.repeat(21)]) expect(parsePermissions(bad)).toBe(0n)
    // Undefined bits (47, 53 and up) are dropped.
    expect(parsePermissions(String(1n << 47n))).toBe(0n)
    expect(parsePermissions(String(1n << 53n))).toBe(0n)
  })

  it('has the documented bit table', () => {
    const all = Object.values(Permission).reduce((sum, bit) => sum | bit, 0n)
    expect(all).toBe(ALL_PERMISSIONS)
    expect(Object.keys(Permission)).toHaveLength(52)
    const grouped = PERMISSION_GROUPS.flatMap((group) => group.permissions.map((info) => info.bit))
    expect(new Set(grouped).size).toBe(52)
    const serverOnly = PERMISSION_GROUPS.flatMap((group) => group.permissions).filter((info) => info.scopes.length === 0)
    expect(serverOnly.reduce((sum, info) => sum | info.bit, 0n)).toBe(SERVER_ONLY_PERMISSIONS)
  })
})

describe('the role hierarchy', () => {
  it('ranks by the highest role; the owner above all, nobody above the owner or on themselves', () => {
    expect(highestRolePosition(ROLES, ['203', '202'])).toBe(2)
    expect(highestRolePosition(ROLES, [])).toBe(0)
    expect(outranks(mo, 'hal', ['203', '202'])).toBe(true)
    expect(outranks(hal, 'mo', ['201'])).toBe(false)
    expect(outranks(hal, 'max', ['203'])).toBe(true)
    expect(outranks(max, 'hal2', ['203'])).toBe(false)
    expect(outranks(mo, 'mo', ['201'])).toBe(false)
    expect(outranks(mo, OWNER, [])).toBe(false)
    expect(outranks(member(OWNER, []), 'mo', ['201'])).toBe(true)
  })

  it('lets a member manage only roles below their highest, with Manage Roles', () => {
    const roles = ROLES.map((role) => (role.id === '202' ? { ...role, permissions: String(Permission.MANAGE_ROLES) } : role))
    const manager = { ...hal, roles }
    expect(canManageRole(manager, roles[3]!, NOW)).toBe(true)
    expect(canManageRole(manager, roles[2]!, NOW)).toBe(false)
    expect(canManageRole(manager, roles[1]!, NOW)).toBe(false)
    expect(canManageRole(hal, ROLES[3]!, NOW)).toBe(false)
    expect(canManageRole(member(OWNER, []), ROLES[1]!, NOW)).toBe(true)
  })
})

describe('channelPermissionGroups', () => {
  it('lists only channel bits that apply to the channel type', () => {
    const names = (type: number) => channelPermissionGroups(type).flatMap((group) => group.permissions.map((info) => info.name))
    expect(names(0)).toContain('SEND_MESSAGES')
    expect(names(0)).not.toContain('CONNECT')
    expect(names(0)).not.toContain('KICK_MEMBERS')
    expect(names(2)).toContain('CONNECT')
    expect(names(2)).not.toContain('MANAGE_THREADS')
    expect(names(4)).toEqual(expect.arrayContaining(['CONNECT', 'MANAGE_THREADS', 'VIEW_CHANNEL']))
    expect(names(4)).not.toContain('ADMINISTRATOR')
  })
})
