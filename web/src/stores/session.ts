// The signed-in session. The access token lives only in this store's memory (never in
// localStorage): a reload gets a new one from POST /auth/refresh, which the browser
// authenticates with the HttpOnly refresh cookie. The API client asks this store for the token
// on every request and calls refresh() when a request answers 401.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { logout, refreshSession } from '@/api/auth'
import { api, ApiError } from '@/api/client'
import { getCurrentUser, type CurrentUser } from '@/api/users'
import { avatarUrl as avatarUrlOf } from '@/models/avatar'
import { accessTokenClaims } from '@/models/access_token'

/**
 * 'unknown' until restore() ran (tests that never restore see a guest); 'restoring' while the
 * start-up refresh is in flight, when the app shows a loading screen instead of a guest flash.
 */
export type SessionStatus = 'unknown' | 'restoring' | 'signed-in' | 'signed-out'

/** Why the last session ended: 'expired' means a refresh failed mid-session, so send the user to sign in. */
export type SignOutReason = 'expired' | 'logged-out' | 'revoked'

/**
 * Set while this browser probably holds a refresh cookie. Not a secret: it only spares a guest's
 * every page load a refresh request that can only answer 401.
 */
export const SESSION_HINT_KEY = 'hearth.session'

function readHint(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT_KEY) === '1'
  } catch {
    return false
  }
}

function writeHint(present: boolean): void {
  try {
    if (present) localStorage.setItem(SESSION_HINT_KEY, '1')
    else localStorage.removeItem(SESSION_HINT_KEY)
  } catch {
    // Storage can be unavailable (privacy modes); the next load then starts signed out.
  }
}

function isSessionGone(error: ApiError): boolean {
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
}

/** How long before its expiry the token is renewed, and the shortest wait for that. */
export const RENEW_MARGIN_MS = 60_000
const RENEW_MIN_DELAY_MS = 5_000

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null)
  const user = ref<CurrentUser | null>(null)
  const status = ref<SessionStatus>('unknown')
  const signOutReason = ref<SignOutReason | null>(null)

  const isSignedIn = computed(() => token.value !== null)
  /** What the UI calls the user: the display name, else the username; null while signed out or loading. */
  const displayName = computed(() => (user.value ? user.value.global_name || user.value.username : null))
  /** The uploaded avatar's URL; null means initials. */
  const avatarUrl = computed(() => avatarUrlOf(user.value))

  let restoring: Promise<void> | null = null
  let refreshing: Promise<boolean> | null = null
  let renewTimer: ReturnType<typeof setTimeout> | null = null

  /**
   * Renews the token a minute before it expires while the app is open: besides API calls, the
   * browser's own requests for attachments (`<img src>`) are authorised by the `hearth_media`
   * cookie that comes with each token and lives as long (docs/files.md), and no 401 of theirs
   * can trigger a refresh.
   */
  function scheduleRenewal(newToken: string): void {
    if (renewTimer !== null) clearTimeout(renewTimer)
    renewTimer = null
    const expiresAt = accessTokenClaims(newToken)?.exp
    if (typeof expiresAt !== 'number') return
    const delay = Math.max(RENEW_MIN_DELAY_MS, expiresAt * 1000 - Date.now() - RENEW_MARGIN_MS)
    renewTimer = setTimeout(() => {
      renewTimer = null
      if (token.value === newToken) void refresh()
    }, delay)
  }

  api.setTokenGetter(() => token.value)
  api.setSessionRefresher(() => refresh())

  function adopt(newToken: string): void {
    token.value = newToken
    scheduleRenewal(newToken)
    status.value = 'signed-in'
    signOutReason.value = null
    writeHint(true)
  }

  /** Forgets the session locally (the server side is the caller's business). */
  function clear(reason: SignOutReason | null): void {
    if (renewTimer !== null) clearTimeout(renewTimer)
    renewTimer = null
    token.value = null
    user.value = null
    status.value = 'signed-out'
    signOutReason.value = reason
    writeHint(false)
  }

  async function loadUser(): Promise<void> {
    try {
      user.value = await getCurrentUser()
    } catch {
      // A 401 has already been through refresh() (and signed out if that failed); on anything
      // else the panel shows a placeholder until the next load.
    }
  }

  /** After login or register: keep the token, then fetch who we are. */
  async function signIn(newToken: string): Promise<void> {
    adopt(newToken)
    await loadUser()
  }

  /**
   * One refresh at a time: the server rotates the cookie on every refresh, so two racing
   * requests would present the same cookie twice. Resolves true when a new token is in place.
   */
  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        const answer = await refreshSession()
        adopt(answer.token)
        return true
      } catch (error) {
        // A 4xx means the session is gone; a rate limit, a timeout, a network or server failure
        // may pass, so they keep the state (and the hint, so the next load tries again).
        if (error instanceof ApiError && isSessionGone(error)) {
          clear(token.value !== null ? 'expired' : null)
        }
        return false
      } finally {
        refreshing = null
      }
    })()
    return refreshing
  }

  /**
   * After a provider sign-in, whose server response set a fresh refresh cookie: the same refresh
   * a reload does, whatever the hint says. Resolves true when signed in with the user loaded.
   */
  async function resumeFromCookie(): Promise<boolean> {
    await restore()
    if (token.value === null && !(await refresh())) return false
    await loadUser()
    return user.value !== null
  }

  /** A verification link was used: if it was this user's, the banner can go. */
  function markVerified(userId: string, email: string): void {
    if (user.value !== null && user.value.id === userId) user.value = { ...user.value, email, verified: true }
  }

  /** On start-up: get a token from the refresh cookie, silently. Runs once; later calls share it. */
  function restore(): Promise<void> {
    restoring ??= (async () => {
      // Already signed in (or out) by hand: nothing to restore.
      if (status.value !== 'unknown') return
      if (!readHint()) {
        status.value = 'signed-out'
        return
      }
      status.value = 'restoring'
      if (await refresh()) await loadUser()
      else if (token.value === null) status.value = 'signed-out'
    })()
    return restoring
  }

  /** Ends the session on the server (best effort) and here (always). */
  async function logOut(): Promise<void> {
    try {
      await logout()
    } catch {
      // Signed out locally either way; the server session then ends when its cookie expires.
    }
    clear('logged-out')
  }

  return {
    token,
    user,
    status,
    signOutReason,
    isSignedIn,
    displayName,
    avatarUrl,
    signIn,
    refresh,
    restore,
    resumeFromCookie,
    markVerified,
    logOut,
    clear,
  }
})
