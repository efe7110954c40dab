// The URL fragment carries what must never reach a server or a Referer: mailed link tokens
// (`/verify#token=...`, `/reset#token=...`) and the outcome of a provider sign-in
// (`/oauth/done#status=...`). It is read as form-encoded pairs, like OAuth's own fragments.

/** The fragment's pairs; a missing `#`, an empty fragment or junk give an empty map. */
export function parseFragment(hash: string): Map<string, string> {
  const pairs = new Map<string, string>()
  const body = hash.startsWith('#') ? hash.slice(1) : hash
  if (body === '') return pairs
  for (const [key, value] of new URLSearchParams(body)) {
    // The first wins: a link that someone appended to cannot override what the server wrote.
    if (!pairs.has(key)) pairs.set(key, value)
  }
  return pairs
}

/** The `token` of a mailed link, or null when there is none. */
export function fragmentToken(hash: string): string | null {
  const token = parseFragment(hash).get('token')?.trim() ?? ''
  return token === '' ? null : token
}

/** Where a provider round trip ended, as the server reports it on /oauth/done. */
export type OAuthOutcome =
  | { status: 'signed_in' }
  | { status: 'mfa'; ticket: string }
  | { status: 'linked'; provider: string }
  | { status: 'error'; message: string }

export const OAUTH_FALLBACK_ERROR = 'Signing in with that provider did not work. Please try again.'

/** Anything malformed (unknown status, a missing ticket) becomes an error outcome, never a throw. */
export function parseOAuthOutcome(hash: string): OAuthOutcome {
  const pairs = parseFragment(hash)
  const status = pairs.get('status')
  if (status === 'signed_in') return { status }
  if (status === 'mfa') {
    const ticket = pairs.get('ticket') ?? ''
    if (ticket !== '') return { status, ticket }
  }
  if (status === 'linked') return { status, provider: pairs.get('provider') ?? '' }
  const message = status === 'error' ? (pairs.get('message')?.trim() ?? '') : ''
  return { status: 'error', message: message === '' ? OAUTH_FALLBACK_ERROR : message }
}
