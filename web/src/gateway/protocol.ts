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

/** Close code the client uses when the server stopped acknowledging heartbeats. */
export const CLOSE_ZOMBIE_CONNECTION = 4000

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
