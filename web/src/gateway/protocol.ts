// Gateway wire format (Discord v10 opcodes where they exist).

export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const

export type GatewayOpcode = (typeof GatewayOp)[keyof typeof GatewayOp]

export interface GatewayFrame {
  op: number
  d?: unknown
  s?: number | null
  t?: string | null
}

/** Close code the client uses when the server stopped acknowledging heartbeats (not 1000: the session stays resumable). */
export const CLOSE_ZOMBIE_CONNECTION = 4000
/** Close code of every other client-side drop that means to resume (op 7, network gone). */
export const CLOSE_CLIENT_RECONNECT = 4000

/**
 * Close codes after which the session is gone (docs/gateway.md, `gateway::resumable`): a normal
 * close, 4004 authentication failed, 4007 invalid seq, and Discord's 4010-4014. Every other code,
 * 1006 (no close frame: the network) and 1012 (server restart) included, leaves it resumable.
 */
const SESSION_ENDING_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, 4004, 4007, 4010, 4011, 4012, 4013, 4014])

export function isResumableClose(code: number): boolean {
  return !SESSION_ENDING_CLOSE_CODES.has(code)
}

/**
 * Where to RESUME: READY's `resume_gateway_url` when it is on the gateway's own host (a page may
 * only connect to its origin under the CSP, and an https page never to ws://), with the gateway's
 * scheme; null means "the usual gateway URL".
 */
export function resumeUrl(candidate: unknown, gateway: string): string | null {
  if (typeof candidate !== 'string') return null
  try {
    const given = new URL(candidate)
    const base = new URL(gateway)
    if ((given.protocol !== 'ws:' && given.protocol !== 'wss:') || given.host !== base.host) return null
    return `${base.protocol}//${base.host}${given.pathname}${given.search}`
  } catch {
    return null
  }
}

/** Gateway URL on the page's own origin, so it stays inside `connect-src 'self'`. */
export function gatewayUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/api/v1/gateway`
}

/** Parses one text frame; null for anything that is not a well-formed frame. */
export function parseFrame(data: unknown): GatewayFrame | null {
  if (typeof data !== 'string') return null
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return null
  }
  if (value === null || typeof value !== 'object') return null
  const frame = value as Record<string, unknown>
  if (typeof frame.op !== 'number') return null
  return {
    op: frame.op,
    d: frame.d,
    s: typeof frame.s === 'number' ? frame.s : null,
    t: typeof frame.t === 'string' ? frame.t : null,
  }
}
