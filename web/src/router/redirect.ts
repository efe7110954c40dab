// Where to go after signing in: the `redirect` query parameter, but only a path on this site.

/** The path to return to, or null when `value` is missing or points anywhere but this origin. */
export function safeRedirectPath(value: unknown, origin: string = window.location.origin): string | null {
  if (typeof value !== 'string' || !value.startsWith('/')) return null
  // `//host` and `/\host` are protocol-relative URLs to another site.
  if (value.startsWith('//') || value.startsWith('/\\')) return null
  let url: URL
  try {
    url = new URL(value, origin)
  } catch {
    return null
  }
  if (url.origin !== origin) return null
  return `${url.pathname}${url.search}${url.hash}`
}
