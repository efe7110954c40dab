import { describe, expect, it } from 'vitest'
import { safeRedirectPath } from '@/router/redirect'

const ORIGIN = 'https://hearth.example'

describe('safeRedirectPath', () => {
  it.each([
    ['/app/1/2', '/app/1/2'],
    ['/app?x=1#y', '/app?x=1#y'],
    ['/', '/'],
  ])('keeps the same-site path %s', (value, expected) => {
    expect(safeRedirectPath(value, ORIGIN)).toBe(expected)
  })

  it.each([
    ['https://evil.example/app'],
    ['//evil.example/app'],
    ['/\\evil.example'],
    ['javascript:alert(1)'],
    ['app'],
    [''],
    [undefined],
    [['/app']],
  ])('refuses %j', (value) => {
    expect(safeRedirectPath(value, ORIGIN)).toBeNull()
  })
})
