// Account endpoints, Discord v10 shapes where they exist. The refresh token lives in an HttpOnly
// cookie (`hearth_refresh`, Path=/api/v1/auth) that the browser sends by itself; this code never
// sees it.
import { api, type ApiClient } from './client'

export interface LoginRequest {
  /** Email address or username. */
  login: string
  password: string
}

export interface RegisterRequest {
  email: string
  username: string
  password: string
  display_name?: string
}

export interface ForgotPasswordRequest {
  login: string
}

export interface AuthResponse {
  /** Short-lived access token (15 minutes); kept in memory only. */
  token: string
  user_id?: string
}

// A 401 from these means "not signed in", never "refresh and retry".
const noRefresh = { refreshOnUnauthorized: false } as const

export function login(body: LoginRequest, client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/login', body, noRefresh)
}

export function register(body: RegisterRequest, client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/register', body, noRefresh)
}

/** Trades the refresh cookie for a new access token (and a rotated cookie); 401 when there is no session. */
export function refreshSession(client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/refresh', undefined, noRefresh)
}

/** Ends the current session on the server and clears the cookie. */
export function logout(client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/logout')
}

export function forgotPassword(body: ForgotPasswordRequest, client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/forgot', body, noRefresh)
}
