// The one place that decides whether text from a message may become a link.

/** Where a link came from: `[text](url)` accepts only http(s); bare and `<…>` links also mailto. */
export type LinkSource = 'masked' | 'auto'

// The scheme must be typed plainly at the very start: no leading spaces or control characters,
// no entity or percent escapes (markdown-it has already decoded entities and percent-encoded
// anything odd by the time a destination reaches us, so `java&#115;cript:` arrives as
// `javascript:` and `java\tscript:` as `java%09script:`, and neither passes).
const PLAIN_SCHEME = /^(?:https?:\/\/[^/\\?#@\s]|mailto:[^\s])/i
// C0 and C1 controls, spaces, and characters with no business in a URL.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f\u00a0\u2028\u2029\ufeff"<>\\]/

const MAX_URL_LENGTH = 2048

/**
 * The URL to put in an `href`, or null when the text must stay text. Only `http:`, `https:`
 * (with a host) and, outside masked links, `mailto:` pass; the answer is the URL as the
 * browser serialises it, which is also what the tooltip and the confirm dialog show.
 */
export function safeHref(raw: string, source: LinkSource = 'auto'): string | null {
  if (raw.length === 0 || raw.length > MAX_URL_LENGTH) return null
  if (!PLAIN_SCHEME.test(raw) || FORBIDDEN.test(raw)) return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.hostname === '' || url.username !== '' || url.password !== '') return null
    return url.href
  }
  if (url.protocol === 'mailto:' && source === 'auto') return url.href
  return null
}

/** True for an href the renderer may emit (a second check on whatever reaches the DOM). */
export function isSafeHref(href: string): boolean {
  return safeHref(href, 'auto') === href
}

/** The host a link leads to ("example.com"), or null for mailto and anything unparsable. */
export function linkHost(href: string): string | null {
  try {
    const url = new URL(href)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname : null
  } catch {
    return null
  }
}
