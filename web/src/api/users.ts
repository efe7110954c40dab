// The signed-in user and their sessions (one per signed-in browser or client).
import { api, type ApiClient } from './client'

export interface CurrentUser {
  id: string
  username: string
  global_name: string | null
  email: string
  verified: boolean
  avatar: string | null
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
 * PATCH /users/@me. `password` (the current one) is required with `username` or `new_password`;
 * a new password signs out every other session of the user.
 */
export interface UpdateCurrentUserRequest {
  /** null or "" clears the display name. */
  global_name?: string | null
  username?: string
  new_password?: string
  password?: string
}

export function updateCurrentUser(body: UpdateCurrentUserRequest, client: ApiClient = api): Promise<CurrentUser> {
  return client.patch<CurrentUser>('/users/@me', body)
}
