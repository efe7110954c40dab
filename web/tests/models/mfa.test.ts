import { describe, expect, it } from 'vitest'
import { backupCodesFile, groupSecret, guessMfaCodeKind, normalizeMfaCode, validateMfaCode } from '@/models/mfa'

describe('two-factor codes', () => {
  it('drops the spaces people paste with a TOTP code', () => {
    expect(normalizeMfaCode(' 123 456 ', 'totp')).toBe('123456')
    expect(validateMfaCode('123 456', 'totp')).toBeNull()
  })

  it('asks for exactly six digits from an authenticator', () => {
    expect(validateMfaCode('', 'totp')).toBe('Required')
    expect(validateMfaCode('12345', 'totp')).toMatch(/6-digit/)
    expect(validateMfaCode('1234567', 'totp')).toMatch(/6-digit/)
    expect(validateMfaCode('12a456', 'totp')).toMatch(/6-digit/)
  })

  it('gives a recovery code typed without its dash one, keeping its case', () => {
    expect(normalizeMfaCode('abcd2345', 'recovery')).toBe('abcd-2345')
    expect(normalizeMfaCode('ABCD-2345', 'recovery')).toBe('ABCD-2345')
    expect(validateMfaCode('abcd-2345', 'recovery')).toBeNull()
    expect(validateMfaCode('abc-2345', 'recovery')).toMatch(/abcd-1234/)
  })

  it('tells the kinds apart where either is welcome', () => {
    expect(guessMfaCodeKind('123456')).toBe('totp')
    expect(guessMfaCodeKind('123 456')).toBe('totp')
    expect(guessMfaCodeKind('abcd-2345')).toBe('recovery')
    // Recovery codes can be all digits, but they have eight.
    expect(guessMfaCodeKind('23456789')).toBe('recovery')
  })
})

describe('groupSecret', () => {
  it('splits the base32 secret in fours, upper-cased, without padding', () => {
    expect(groupSecret('jbswy3dpehpk3pxpa===')).toEqual(['JBSW', 'Y3DP', 'EHPK', '3PXP', 'A'])
    expect(groupSecret('')).toEqual([])
  })
})

describe('backupCodesFile', () => {
  it('lists the unused codes with a word on how to use them', () => {
    const text = backupCodesFile(
      [
        { code: 'aaaa-bbbb', consumed: false },
        { code: 'cccc-dddd', consumed: true },
        { code: 'eeee-ffff', consumed: false },
      ],
      'ada',
      'chat.example.org',
    )
    expect(text).toContain('Hearth recovery codes for ada on chat.example.org')
    expect(text).toContain('* aaaa-bbbb\n* eeee-ffff')
    expect(text).not.toContain('cccc-dddd')
  })
})
