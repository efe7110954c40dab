// What the client reads of its access token (a JWT signed by the server; never verified here):
// the sign-in session it belongs to and when it expires.

/** The claims of an access token (a JWT) the client uses; null when it is not one. */
export function accessTokenClaims(token: string): { sid?: string; exp?: number } | null {
  const part = token.split('.')[1]
  if (part === undefined) return null
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='))
    const claims = JSON.parse(json) as { sid?: unknown; exp?: unknown }
    return {
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    }
  } catch {
    return null
  }
}
