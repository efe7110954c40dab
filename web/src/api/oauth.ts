// Sign-in providers (OAuth 2 / OpenID Connect) and the account's links to them. The browser
// itself travels to the provider and back (full-page navigations); the server finishes at
// /oauth/done with the outcome in the URL fragment (see models/fragment.ts).
import { API_BASE, api, type ApiClient } from './client'

export interface OAuthProvider {
  /** Stable id used in URLs (`github`, `google`, an operator's `keycloak`). */
  id: string
  /** What the button says: "Continue with <name>". */
  name: string
}

/** A provider identity linked to the account (Discord's connection object). */
export interface Connection {
  /** The provider id. */
  type: string
  /** The identity at the provider (its subject); may be absent. */
  id?: string
  /** The account name there, as the provider gave it. */
  name: string
  /** ISO 8601, when it was linked. */
  created_at?: string | null
}

export interface AuthorizeResponse {
  /** The provider's authorization URL to send the browser to. */
  url: string
}

// Listing providers must not bounce a guest through a refresh.
const noRefresh = { refreshOnUnauthorized: false } as const

export function listOAuthProviders(client: ApiClient = api): Promise<OAuthProvider[]> {
  return client.get<OAuthProvider[]>('/auth/oauth/providers', noRefresh)
}

/** Where the browser goes (a full page load) to sign in or sign up with `providerId`. */
export function oauthAuthorizeUrl(providerId: string): string {
  return `${API_BASE}/auth/oauth/${encodeURIComponent(providerId)}/authorize`
}

export function listConnections(client: ApiClient = api): Promise<Connection[]> {
  return client.get<Connection[]>('/users/@me/connections')
}

/** Unlinks a provider; the server refuses when it is the account's last way to sign in. */
export function removeConnection(type: string, client: ApiClient = api): Promise<void> {
  return client.delete<void>(`/users/@me/connections/${encodeURIComponent(type)}`)
}

/** Starts linking a provider to the signed-in account; the browser then goes to `url`. */
export function authorizeConnection(providerId: string, client: ApiClient = api): Promise<AuthorizeResponse> {
  return client.post<AuthorizeResponse>(`/users/@me/connections/${encodeURIComponent(providerId)}/authorize`)
}
