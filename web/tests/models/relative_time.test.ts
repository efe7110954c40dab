import { describe, expect, it } from 'vitest'
import { formatRelativeTime } from '@/models/relative_time'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

describe('formatRelativeTime', () => {
  it.each([
    [ago(5), 'Just now'],
    [ago(-30), 'Just now'],
    [ago(60), '1 minute ago'],
    [ago(59 * 60), '59 minutes ago'],
    [ago(3 * 3600), '3 hours ago'],
    [ago(26 * 3600), 'Yesterday'],
    [ago(3 * 86400), '3 days ago'],
    [ago(15 * 86400), '2 weeks ago'],
    [ago(400 * 86400), 'Last year'],
    ['not a date', 'Unknown'],
  ])('%s -> %s', (iso, expected) => {
    expect(formatRelativeTime(iso, NOW)).toBe(expected)
  })
})
