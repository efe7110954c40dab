// Account rules the client checks before asking the server. The server is authoritative: these
// only catch the obvious mistakes early, with the same limits it enforces.

export const USERNAME_MIN = 2
export const USERNAME_MAX = 32
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128
export const DISPLAY_NAME_MAX = 32
/** The server lowercases usernames, so capitals are accepted here. */
const USERNAME_PATTERN = /^[a-z0-9_.]+$/i

export interface RegistrationFields {
  email: string
  username: string
  password: string
  displayName: string
}

export type RegistrationField = keyof RegistrationFields

/** The register body's field names, as the server reports errors against them. */
export const REGISTRATION_SERVER_FIELDS: Record<string, RegistrationField> = {
  email: 'email',
  username: 'username',
  password: 'password',
  display_name: 'displayName',
}

export function validateEmail(email: string): string | null {
  const trimmed = email.trim()
  if (trimmed === '') return 'Required'
  if (!trimmed.includes('@')) return 'Not a well formed email address.'
  return null
}

export function validateUsername(username: string): string | null {
  const trimmed = username.trim()
  if (trimmed === '') return 'Required'
  if (trimmed.length < USERNAME_MIN || trimmed.length > USERNAME_MAX) {
    return `Must be between ${USERNAME_MIN} and ${USERNAME_MAX} in length.`
  }
  if (!USERNAME_PATTERN.test(trimmed)) return 'Use only letters, numbers, underscores _ and periods .'
  if (trimmed.includes('..')) return 'Periods cannot be next to each other.'
  return null
}

export function validatePassword(password: string): string | null {
  if (password === '') return 'Required'
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    return `Must be between ${PASSWORD_MIN} and ${PASSWORD_MAX} in length.`
  }
  return null
}

/** One message per invalid field; an empty object means "send it". */
export function validateRegistration(fields: RegistrationFields): Partial<Record<RegistrationField, string>> {
  const errors: Partial<Record<RegistrationField, string>> = {}
  const email = validateEmail(fields.email)
  if (email) errors.email = email
  const username = validateUsername(fields.username)
  if (username) errors.username = username
  const password = validatePassword(fields.password)
  if (password) errors.password = password
  return errors
}

/** The display name as it would be sent: trimmed, inner line breaks collapsed (it is one line). */
export function normalizeDisplayName(name: string): string {
  return name.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}

export function validateDisplayName(name: string): string | null {
  if ([...normalizeDisplayName(name)].length > DISPLAY_NAME_MAX) return `Must be ${DISPLAY_NAME_MAX} or fewer in length.`
  return null
}

export function validateCurrentPassword(password: string): string | null {
  return password === '' ? 'Required' : null
}

export function validatePasswordConfirmation(password: string, confirmation: string): string | null {
  if (confirmation === '') return 'Required'
  return password === confirmation ? null : 'Passwords do not match.'
}

export const BIO_MAX = 190

/** Characters as the server counts them (code points, so an emoji is one). */
export function characterCount(text: string): number {
  return [...text].length
}

export function validateBio(bio: string): string | null {
  return characterCount(bio.trim()) > BIO_MAX ? `Must be ${BIO_MAX} or fewer in length.` : null
}
