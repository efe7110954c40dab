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

/** The password was right but the account has two-factor on: finish with a code and this ticket. */
export interface MfaChallenge {
  user_id: null
  mfa: true
  /** Exchanged for a session by POST /auth/mfa/totp; 5 minutes, 5 tries. */
  ticket: string
  totp?: boolean
  backup?: boolean
}

export type LoginResponse = AuthResponse | MfaChallenge

export function isMfaChallenge(response: LoginResponse): response is MfaChallenge {
  return (response as Partial<MfaChallenge>).mfa === true && typeof (response as Partial<MfaChallenge>).ticket === 'string'
}

export interface MfaLoginRequest {
  ticket: string
  /** A 6-digit TOTP code or a recovery code (`xxxx-xxxx`). */
  code: string
}

export interface VerifyEmailResponse {
  user_id: string
  email: string
  verified: true
}

export interface ResetPasswordRequest {
  /** From the mailed link's fragment. */
  token: string
  password: string
  /** Required when the account has two-factor on (the server answers MFA_REQUIRED without it). */
  code?: string
}

// A 401 from these means "not signed in", never "refresh and retry".
const noRefresh = { refreshOnUnauthorized: false } as const

export function login(body: LoginRequest, client: ApiClient = api): Promise<LoginResponse> {
  return client.post<LoginResponse>('/auth/login', body, noRefresh)
}

/** The second step of a two-factor login. */
export function loginWithMfa(body: MfaLoginRequest, client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/mfa/totp', body, noRefresh)
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

/** Ends every session of the account, this one included. */
export function logoutAll(client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/logout-all')
}

/** 204 whether or not the account exists, so the answer says nothing about who has one. */
export function forgotPassword(body: ForgotPasswordRequest, client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/forgot', body, noRefresh)
}

/** Sets a new password from a mailed link; every session of the account ends. */
export function resetPassword(body: ResetPasswordRequest, client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/reset', body, noRefresh)
}

/** Uses a mailed verification link; works signed in or out. */
export function verifyEmail(body: { token: string }, client: ApiClient = api): Promise<VerifyEmailResponse> {
  return client.post<VerifyEmailResponse>('/auth/verify', body, noRefresh)
}

/** Mails a new verification link to the signed-in account's address (5 per hour). */
export function resendVerification(client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/verify/resend')
}
