import { describe, expect, it } from 'vitest'
import { describeAuditEntry, formatAuditValue, type AuditNames } from '@/models/audit_log'

const names: AuditNames = {
  guild: 'Book Club',
  channel: (id) => (id === '11' ? '#general' : null),
  role: (id) => (id === '201' ? 'Moderator' : null),
  user: (id) => (id === '302' ? 'Hal' : null),
}

const entry = (action_type: number, target_id: string | null, changes: { key: string; old_value?: unknown; new_value?: unknown }[] = []) => ({
  id: '1',
  user_id: '1',
  target_id,
  action_type,
  reason: null,
  changes,
})

describe('describeAuditEntry', () => {
  it('names what was done and to what', () => {
    expect(describeAuditEntry(entry(10, '11'), names)).toEqual({ kind: 'create', verb: 'created the channel', target: '#general' })
    expect(describeAuditEntry(entry(20, '302'), names)).toEqual({ kind: 'delete', verb: 'kicked', target: 'Hal' })
    expect(describeAuditEntry(entry(31, '201'), names).target).toBe('Moderator')
    expect(describeAuditEntry(entry(1, '900'), names)).toEqual({ kind: 'update', verb: 'updated the server', target: null })
  })

  it('falls back to the name in the changes for deleted things', () => {
    expect(describeAuditEntry(entry(12, '99', [{ key: 'name', old_value: 'old-chat' }]), names).target).toBe('#old-chat')
    expect(describeAuditEntry(entry(32, '98', [{ key: 'name', old_value: 'Gone' }]), names).target).toBe('Gone')
  })

  it('tells timeouts apart from other member updates', () => {
    const on = entry(24, '302', [{ key: 'communication_disabled_until', new_value: '2026-03-01T12:05:00Z' }])
    const off = entry(24, '302', [{ key: 'communication_disabled_until', old_value: '2026-03-01T12:05:00Z' }])
    expect(describeAuditEntry(on, names).verb).toBe('timed out')
    expect(describeAuditEntry(off, names).verb).toBe('removed the timeout of')
  })

  it('formats values, role lists by name', () => {
    expect(formatAuditValue([{ id: '1', name: 'Staff' }, { id: '2', name: 'Mods' }])).toBe('Staff, Mods')
    expect(formatAuditValue(null)).toBe('none')
    expect(formatAuditValue(true)).toBe('true')
  })
})
