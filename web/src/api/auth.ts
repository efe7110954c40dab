// Account endpoints, Discord v10 shapes where they exist.
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
}

export interface ForgotPasswordRequest {
  login: string
}

export interface AuthResponse {
  token: string
  user_id?: string
}

export function login(body: LoginRequest, client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/login', body)
}

export function register(body: RegisterRequest, client: ApiClient = api): Promise<AuthResponse> {
  return client.post<AuthResponse>('/auth/register', body)
}

export function forgotPassword(body: ForgotPasswordRequest, client: ApiClient = api): Promise<void> {
  return client.post<void>('/auth/forgot', body)
}
