// Two-factor codes as people type them: 6 digits from an authenticator (often pasted with a
// space in the middle), or a single-use recovery code `xxxx-xxxx`.

export const TOTP_DIGITS = 6
const TOTP_PATTERN = /^\d{6}$/
/** Eight letters or digits, the dash optional when typed. */
const RECOVERY_PATTERN = /^[a-z0-9]{4}-?[a-z0-9]{4}$/i

export type MfaCodeKind = 'totp' | 'recovery'

/** The code as it is sent: spaces dropped, and a recovery code typed without its dash given one. */
export function normalizeMfaCode(input: string, kind: MfaCodeKind): string {
  const compact = input.replace(/\s+/g, '')
  if (kind === 'totp') return compact
  return /^[a-z0-9]{8}$/i.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4)}` : compact
}

/** null when the code looks right; else what to say under the field. */
export function validateMfaCode(input: string, kind: MfaCodeKind): string | null {
  const code = normalizeMfaCode(input, kind)
  if (code === '') return 'Required'
  if (kind === 'totp') return TOTP_PATTERN.test(code) ? null : `Enter the ${TOTP_DIGITS}-digit code from your app.`
  return RECOVERY_PATTERN.test(code) ? null : 'Recovery codes look like abcd-1234.'
}

/** Where either kind is welcome (removing 2FA, password reset): which one was typed. */
export function guessMfaCodeKind(input: string): MfaCodeKind {
  // Recovery codes may be all digits too, but they have eight.
  const compact = input.replace(/\s+/g, '')
  return /^\d{0,6}$/.test(compact) ? 'totp' : 'recovery'
}

/** The base32 secret in groups of four, for typing into an authenticator by hand. */
export function groupSecret(secret: string): string[] {
  const compact = secret.replace(/[\s=]+/g, '').toUpperCase()
  const groups: string[] = []
  for (let start = 0; start < compact.length; start += 4) groups.push(compact.slice(start, start + 4))
  return groups
}

/** The text file a user keeps their recovery codes in. */
export function backupCodesFile(codes: readonly { code: string; consumed: boolean }[], username: string, host: string): string {
  const lines = codes.filter((entry) => !entry.consumed).map((entry) => `* ${entry.code}`)
  return [
    `Hearth recovery codes for ${username} on ${host}`,
    '',
    'Each code works once, in place of a code from your authenticator app.',
    'Keep them somewhere safe. Getting new codes makes these stop working.',
    '',
    ...lines,
    '',
  ].join('\n')
}
