// The signed-in user: profile, sessions (one per signed-in browser or client), two-factor and
// account deletion.
import { api, type ApiClient } from './client'

export interface CurrentUser {
  id: string
  username: string
  global_name: string | null
  /** null when the account came from a provider that gave no address. */
  email: string | null
  verified: boolean
  /** The image's content hash; the file is at avatarUrl(). null: initials are shown instead. */
  avatar: string | null
  /** "About me", at most 190 characters; empty (or null) when there is none. */
  bio: string | null
  mfa_enabled: boolean
  /** false for accounts made through a sign-in provider that never set a password. */
  has_password: boolean
  /** ISO 8601. */
  created_at: string
}

export interface UserSession {
  id: string
  /** The User-Agent the server saw when the session was created. */
  client: string
  ip: string
  /** ISO 8601. */
  created_at: string
  /** ISO 8601. */
  last_used_at: string
  /** The session this browser is using. */
  current: boolean
}

export interface BackupCode {
  /** `xxxx-xxxx`. */
  code: string
  consumed: boolean
}

export interface TotpSetup {
  /** Base32, for typing into an authenticator by hand. */
  secret: string
  /** `otpauth://totp/...`, for the QR code. */
  uri: string
}

export interface BackupCodesResponse {
  backup_codes: BackupCode[]
}

/** The current password plus a TOTP or recovery code: what removing 2FA or new codes take. */
export interface PasswordAndCode {
  password: string
  code: string
}

/** Accounts with a password confirm with it (and a code with two-factor on); others type their username. */
export type DeleteAccountRequest = { password: string; code?: string } | { confirm: string }

export function getCurrentUser(client: ApiClient = api): Promise<CurrentUser> {
  return client.get<CurrentUser>('/users/@me')
}

export function listSessions(client: ApiClient = api): Promise<UserSession[]> {
  return client.get<UserSession[]>('/users/@me/sessions')
}

/** Revokes one session; revoking the current one signs this browser out. */
export function revokeSession(sessionId: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/users/@me/sessions/${encodeURIComponent(sessionId)}`)
}

/**
 * PATCH /users/@me. `password` (the current one) is required with `username`, `email` or
 * `new_password`, and `code` too for the last two when two-factor is on. A new password signs
 * out every other session; a new email is unverified until its link is used.
 */
export interface UpdateCurrentUserRequest {
  /** null or "" clears the display name. */
  global_name?: string | null
  /** null clears it. */
  bio?: string | null
  /** A `data:image/...;base64,` URI (PNG, JPEG, GIF or WebP, at most 8 MiB), or null to remove it. */
  avatar?: string | null
  username?: string
  email?: string
  new_password?: string
  password?: string
  code?: string
}

export function updateCurrentUser(body: UpdateCurrentUserRequest, client: ApiClient = api): Promise<CurrentUser> {
  return client.patch<CurrentUser>('/users/@me', body)
}

/** Starts two-factor set-up: a pending secret, active once enableTotp() confirms a code from it. */
export function setupTotp(body: { password: string }, client: ApiClient = api): Promise<TotpSetup> {
  return client.post<TotpSetup>('/users/@me/mfa/totp/setup', body)
}

/** Turns two-factor on; the answer's recovery codes are shown once. */
export function enableTotp(body: { code: string }, client: ApiClient = api): Promise<BackupCodesResponse> {
  return client.post<BackupCodesResponse>('/users/@me/mfa/totp/enable', body)
}

export function disableTotp(body: PasswordAndCode, client: ApiClient = api): Promise<void> {
  return client.post<void>('/users/@me/mfa/totp/disable', body)
}

/** A new set of recovery codes; the old set stops working. */
export function regenerateBackupCodes(body: PasswordAndCode, client: ApiClient = api): Promise<BackupCodesResponse> {
  return client.post<BackupCodesResponse>('/users/@me/mfa/codes', body)
}

/** Deletes the account for good; every session ends. */
export function deleteAccount(body: DeleteAccountRequest, client: ApiClient = api): Promise<void> {
  return client.post<void>('/users/@me/delete', body)
}
