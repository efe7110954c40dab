import { describe, expect, it } from 'vitest'
import { describeExpiry, inviteLink, parseInviteCode } from '@/models/invite'

describe('parseInviteCode', () => {
  it.each([
    ['hTKzmak', 'hTKzmak'],
    ['  hTKzmak  ', 'hTKzmak'],
    ['https://hearth.example/invite/hTKzmak', 'hTKzmak'],
    ['http://127.0.0.1:8080/invite/AB12cd34', 'AB12cd34'],
    ['https://hearth.example/invite/hTKzmak/', 'hTKzmak'],
    ['https://hearth.example/invite/hTKzmak?utm=x#y', 'hTKzmak'],
    ['hearth.example/invite/hTKzmak', 'hTKzmak'],
    ['/invite/hTKzmak', 'hTKzmak'],
  ])('finds the code in %j', (input, code) => {
    expect(parseInviteCode(input)).toBe(code)
  })

  it.each(['', '   ', 'not a code', 'https://hearth.example/app/1/2', 'https://hearth.example/invite/', 'https://x/invite/a-b', 'a'.repeat(33), 'javascript:alert(1)'])(
    'refuses %j',
    (input) => {
      expect(parseInviteCode(input)).toBeNull()
    },
  )
})

describe('invite links and expiry', () => {
  it('builds the link on this origin', () => {
    expect(inviteLink('abc', 'https://hearth.example')).toBe('https://hearth.example/invite/abc')
  })

  it('says when an invite expires', () => {
    const now = Date.parse('2026-03-01T12:00:00Z')
    expect(describeExpiry(null, now)).toBe('Never expires')
    expect(describeExpiry('2026-03-01T11:00:00Z', now)).toBe('Expired')
    expect(describeExpiry('2026-03-01T12:30:00Z', now)).toBe('Expires in 30 minutes')
    expect(describeExpiry('2026-03-01T13:00:00Z', now)).toBe('Expires in 1 hour')
    expect(describeExpiry('2026-03-08T12:00:00Z', now)).toBe('Expires in 7 days')
  })
})
