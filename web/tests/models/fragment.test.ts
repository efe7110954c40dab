import { describe, expect, it } from 'vitest'
import { fragmentToken, OAUTH_FALLBACK_ERROR, parseFragment, parseOAuthOutcome } from '@/models/fragment'

describe('parseFragment', () => {
  it('reads form-encoded pairs with or without the #', () => {
    expect([...parseFragment('#token=abc&x=1')]).toEqual([
      ['token', 'abc'],
      ['x', '1'],
    ])
    expect(parseFragment('token=abc').get('token')).toBe('abc')
  })

  it('decodes percent escapes and plus signs as spaces', () => {
    expect(parseFragment('#message=No%20such%20user+here').get('message')).toBe('No such user here')
  })

  it('keeps the first value when a key repeats', () => {
    expect(parseFragment('#status=error&status=signed_in').get('status')).toBe('error')
  })

  it('is empty for an empty or missing fragment', () => {
    expect(parseFragment('').size).toBe(0)
    expect(parseFragment('#').size).toBe(0)
  })
})

describe('fragmentToken', () => {
  it('returns the token of a mailed link', () => {
    expect(fragmentToken('#token=q1w2-e3_r4')).toBe('q1w2-e3_r4')
  })

  it('is null without a token or with an empty one', () => {
    expect(fragmentToken('')).toBeNull()
    expect(fragmentToken('#token=')).toBeNull()
    expect(fragmentToken('#other=1')).toBeNull()
  })
})

describe('parseOAuthOutcome', () => {
  it('recognises each status the server sends', () => {
    expect(parseOAuthOutcome('#status=signed_in')).toEqual({ status: 'signed_in' })
    expect(parseOAuthOutcome('#status=mfa&ticket=t-1')).toEqual({ status: 'mfa', ticket: 't-1' })
    expect(parseOAuthOutcome('#status=linked&provider=github')).toEqual({ status: 'linked', provider: 'github' })
    expect(parseOAuthOutcome('#status=error&message=Access%20denied')).toEqual({
      status: 'error',
      message: 'Access denied',
    })
  })

  it('turns anything malformed into an error with a fallback message', () => {
    expect(parseOAuthOutcome('')).toEqual({ status: 'error', message: OAUTH_FALLBACK_ERROR })
    expect(parseOAuthOutcome('#status=mfa')).toEqual({ status: 'error', message: OAUTH_FALLBACK_ERROR })
    expect(parseOAuthOutcome('#status=owned&message=ignored')).toEqual({ status: 'error', message: OAUTH_FALLBACK_ERROR })
    expect(parseOAuthOutcome('#status=error&message=%20')).toEqual({ status: 'error', message: OAUTH_FALLBACK_ERROR })
  })
})
