import { describe, expect, it } from 'vitest'
import { memberActions } from '@/composables/useMemberActions'
import {
  groupMembersByHoistedRole,
  isMemberTimedOut,
  memberColour,
  memberDisplayName,
  timeoutUntil,
} from '@/models/member'
import type { PermissionSubject } from '@/models/permissions'
import { GUILD_ID, MEMBERS, ROLES, member } from '../support/guild_fixtures'

const NOW = Date.parse('2026-03-01T12:00:00Z')

function subject(userId: string, roleIds: string[], ownerId = 'owner'): PermissionSubject {
  return { guildId: GUILD_ID, ownerId, userId, roles: ROLES, memberRoleIds: roleIds, communicationDisabledUntil: null }
}

describe('members', () => {
  it('names a member by nickname, display name, then username', () => {
    expect(memberDisplayName(member('1', 'Ada'))).toBe('Ada')
    expect(memberDisplayName({ ...member('1', 'Ada'), nick: 'Countess' })).toBe('Countess')
    expect(memberDisplayName({ ...member('1', 'Ada'), user: { id: '1', username: 'ada', global_name: null, avatar: null } })).toBe('ada')
  })

  it('groups members under their highest hoisted role, everyone else under Members', () => {
    const roles = ROLES.map((role) => (role.id === '202' ? { ...role, hoist: true } : role))
    const groups = groupMembersByHoistedRole([...MEMBERS, member('304', 'Bea', ['202', '201'])], roles)
    expect(groups.map((group) => [group.title, group.members.map(memberDisplayName)])).toEqual([
      ['Moderator', ['Bea', 'Mo']],
      ['Helper', ['Hal']],
      ['Members', ['Ada Lovelace', 'Max']],
    ])
  })

  it('colours a name with the highest coloured role', () => {
    expect(memberColour(member('1', 'A', ['203', '202']), ROLES)).toBe('#2ecc71')
    expect(memberColour(member('1', 'A', ['203']), ROLES)).toBeNull()
  })

  it('knows a timeout from its end time', () => {
    expect(isMemberTimedOut(member('1', 'A', [], { communication_disabled_until: timeoutUntil(60, NOW) }), NOW)).toBe(true)
    expect(isMemberTimedOut(member('1', 'A', [], { communication_disabled_until: '2026-03-01T11:00:00Z' }), NOW)).toBe(false)
    expect(timeoutUntil(300, NOW)).toBe('2026-03-01T12:05:00.000Z')
  })
})

describe('memberActions', () => {
  it('gives the owner everything on anyone but themselves', () => {
    const owner = subject('owner', [], 'owner')
    const actions = memberActions(owner, ROLES, member('301', 'Mo', ['201']), NOW)
    expect(actions).toMatchObject({ kick: true, ban: true, timeout: true, removeTimeout: false, any: true })
    expect(actions.roles.map((choice) => [choice.role.name, choice.held, choice.editable])).toEqual([
      ['Moderator', true, true],
      ['Helper', false, true],
      ['Muted', false, true],
    ])
    expect(memberActions(owner, ROLES, member('owner', 'Me'), NOW).kick).toBe(false)
  })

  it('lets a moderator act only below their highest role, with roles below it', () => {
    const mo = subject('301', ['201'])
    const onHal = memberActions(mo, ROLES, member('302', 'Hal', ['203', '202']), NOW)
    expect(onHal).toMatchObject({ kick: true, ban: false, timeout: true })
    expect(onHal.roles.map((choice) => choice.role.name)).toEqual(['Helper', 'Muted'])
    const onPeer = memberActions(mo, ROLES, member('305', 'Peer', ['201']), NOW)
    expect(onPeer.any).toBe(false)
    expect(memberActions(mo, ROLES, member('owner', 'Owner'), NOW).any).toBe(false)
  })

  it('offers to lift a timeout instead of setting one, and nothing to plain members', () => {
    const mo = subject('301', ['201'])
    const timedOut = member('303', 'Max', ['203'], { communication_disabled_until: '2026-03-01T13:00:00Z' })
    expect(memberActions(mo, ROLES, timedOut, NOW)).toMatchObject({ timeout: false, removeTimeout: true })
    expect(memberActions(subject('303', ['203']), ROLES, member('304', 'Bea'), NOW).any).toBe(false)
    expect(memberActions(null, ROLES, member('304', 'Bea'), NOW).any).toBe(false)
  })

  it('never offers a timeout for administrators', () => {
    const roles = ROLES.map((role) => (role.id === '202' ? { ...role, permissions: '8' } : role))
    const owner = subject('owner', [], 'owner')
    expect(memberActions({ ...owner, roles }, roles, member('302', 'Hal', ['202']), NOW)).toMatchObject({ timeout: false, kick: true })
  })
})
