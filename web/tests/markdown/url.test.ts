import { describe, expect, it } from 'vitest'
import { isSafeHref, linkHost, safeHref } from '@/markdown'

describe('safeHref', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['http://example.com/a?b=c#d', 'http://example.com/a?b=c#d'],
    ['HTTPS://EXAMPLE.COM/Path', 'https://example.com/Path'],
    ['https://example.com/wiki/Conway%27s', 'https://example.com/wiki/Conway%27s'],
    ["https://example.com/wiki/Conway's", "https://example.com/wiki/Conway's"],
    ['https://127.0.0.1:8080/x', 'https://127.0.0.1:8080/x'],
    ['https://xn--nxasmq6b.example/', 'https://xn--nxasmq6b.example/'],
  ])('accepts %j as %j', (raw, href) => {
    expect(safeHref(raw, 'masked')).toBe(href)
    expect(safeHref(raw, 'auto')).toBe(href)
  })

  it('accepts mailto only for bare and <…> links', () => {
    expect(safeHref('mailto:ada@example.com', 'auto')).toBe('mailto:ada@example.com')
    expect(safeHref('mailto:ada@example.com', 'masked')).toBeNull()
  })

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java%09script:alert(1)',
    'javascript&#58;alert(1)',
    '&#106;avascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'file:///etc/passwd',
    'ftp://example.com',
    '//evil.example',
    '/relative',
    '#fragment',
    'https:evil.example',
    'https:/evil.example',
    'https:\\\\evil.example',
    'https://',
    'https:// evil.example',
    'https://exa mple.com',
    '\u0001https://example.com',
    'https://example.com\u0000',
    'https://example.com/\u2028x',
    'https://user:pass@example.com',
    'https://good.example@evil.example',
    'https://"onmouseover="alert(1)',
    'https://example.com/<script>',
    `https://example.com/${'a'.repeat(3000)}`,
    '',
  ])('refuses %j', (raw) => {
    expect(safeHref(raw, 'auto')).toBeNull()
    expect(safeHref(raw, 'masked')).toBeNull()
  })
})

describe('isSafeHref and linkHost', () => {
  it('accepts only hrefs already in their checked form', () => {
    expect(isSafeHref('https://example.com/')).toBe(true)
    expect(isSafeHref('https://example.com')).toBe(false)
    expect(isSafeHref('javascript:alert(1)')).toBe(false)
  })

  it('names the host of http(s) links only', () => {
    expect(linkHost('https://sub.example.com:8443/x')).toBe('sub.example.com')
    expect(linkHost('mailto:ada@example.com')).toBeNull()
    expect(linkHost('not a url')).toBeNull()
  })
})
