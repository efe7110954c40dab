// Invite links and codes: what "Join a Server" accepts, the link to share, and the choices of the
// invite dialog (Discord's).

/** Codes are letters and digits (hearthd makes 8; up to 32 are looked up). */
const CODE = /^[A-Za-z0-9]{1,32}$/

/**
 * The code in what someone pasted: a bare code, `https://host/invite/CODE` (any host, with or
 * without the scheme, a trailing slash, a query or a fragment), or `/invite/CODE`. null otherwise.
 */
export function parseInviteCode(input: string): string | null {
  const text = input.trim()
  if (text === '') return null
  if (CODE.test(text)) return text
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^/?#\s]+)?\/invite\/([^/?#\s]+)\/?(?:[?#]\S*)?$/i.exec(text)
  const code = match?.[1]
  return code !== undefined && CODE.test(code) ? code : null
}

/** The link to share: this Hearth's origin, so it opens the invite page here. */
export function inviteLink(code: string, origin: string = window.location.origin): string {
  return `${origin}/invite/${code}`
}

export interface InviteChoice {
  label: string
  value: number
}

/** `max_age` in seconds; 0 never expires. hearthd allows up to 7 days. */
export const INVITE_EXPIRY_CHOICES: readonly InviteChoice[] = [
  { label: '30 minutes', value: 30 * 60 },
  { label: '1 hour', value: 60 * 60 },
  { label: '6 hours', value: 6 * 60 * 60 },
  { label: '12 hours', value: 12 * 60 * 60 },
  { label: '1 day', value: 24 * 60 * 60 },
  { label: '7 days', value: 7 * 24 * 60 * 60 },
  { label: 'Never', value: 0 },
]

/** `max_uses`; 0 is unlimited. */
export const INVITE_USES_CHOICES: readonly InviteChoice[] = [
  { label: 'No limit', value: 0 },
  { label: '1 use', value: 1 },
  { label: '5 uses', value: 5 },
  { label: '10 uses', value: 10 },
  { label: '25 uses', value: 25 },
  { label: '50 uses', value: 50 },
  { label: '100 uses', value: 100 },
]

export const DEFAULT_INVITE_EXPIRY = 7 * 24 * 60 * 60
export const DEFAULT_INVITE_USES = 0

/** "Expires in 7 days", "Never expires", "Expired", for an invite's `expires_at`. */
export function describeExpiry(expiresAt: string | null, now: number = Date.now()): string {
  if (expiresAt === null) return 'Never expires'
  const left = Date.parse(expiresAt) - now
  if (!Number.isFinite(left) || left <= 0) return 'Expired'
  const minutes = Math.ceil(left / 60_000)
  if (minutes < 60) return `Expires in ${minutes} minute${minutes === 1 ? '' : 's'}`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `Expires in ${hours} hour${hours === 1 ? '' : 's'}`
  const days = Math.round(hours / 24)
  return `Expires in ${days} day${days === 1 ? '' : 's'}`
}
