// One gateway connection, independent of Vue so its timing can be tested
// with fake timers and a fake socket.
import { CLOSE_ZOMBIE_CONNECTION, GatewayOp, parseFrame, type GatewayFrame } from './protocol'

export type GatewayState = 'connecting' | 'connected' | 'reconnecting' | 'offline'

/** The part of the browser WebSocket the connection uses. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface GatewayConnectionOptions {
  url: string
  createSocket?: (url: string) => SocketLike
  /** Uniform in [0, 1); injected so jitter is deterministic in tests. */
  random?: () => number
  now?: () => number
  /** Base of the exponential reconnect backoff. */
  backoffBaseMs?: number
  /** No reconnect waits longer than this, jitter included. */
  backoffCapMs?: number
  /** A socket that opens but sends no HELLO within this time is dropped. */
  helloTimeoutMs?: number
  onStateChange?: (state: GatewayState) => void
  onDispatch?: (frame: GatewayFrame) => void
  /** IDENTIFY's `d`, sent after HELLO; null (or no callback) sends none, e.g. while signed out. */
  identify?: () => unknown
  onLatency?: (latencyMs: number) => void
}

const SOCKET_OPEN = 1

export class GatewayConnection {
  // given
  private readonly url_: string
  private readonly createSocket_: (url: string) => SocketLike
  private readonly random_: () => number
  private readonly now_: () => number
  private readonly backoffBaseMs_: number
  private readonly backoffCapMs_: number
  private readonly helloTimeoutMs_: number
  private readonly options_: GatewayConnectionOptions

  // owned
  private socket_: SocketLike | null = null
  private state_: GatewayState = 'offline'
  private heartbeatIntervalMs_ = 0
  private heartbeatTimer_: ReturnType<typeof setTimeout> | null = null
  private helloTimer_: ReturnType<typeof setTimeout> | null = null
  private reconnectTimer_: ReturnType<typeof setTimeout> | null = null
  private ackPending_ = false
  private heartbeatSentAt_ = 0
  private lastSequence_: number | null = null
  private failedAttempts_ = 0
  private wanted_ = false

  constructor(options: GatewayConnectionOptions) {
    this.options_ = options
    this.url_ = options.url
    this.createSocket_ = options.createSocket ?? ((url) => new WebSocket(url))
    this.random_ = options.random ?? Math.random
    this.now_ = options.now ?? (() => performance.now())
    this.backoffBaseMs_ = options.backoffBaseMs ?? 1000
    this.backoffCapMs_ = options.backoffCapMs ?? 30_000
    this.helloTimeoutMs_ = options.helloTimeoutMs ?? 15_000
  }

  get state(): GatewayState {
    return this.state_
  }

  /** Sequence number of the last dispatch, sent with every heartbeat. */
  get lastSequence(): number | null {
    return this.lastSequence_
  }

  /** Number of reconnect attempts since the last successful HELLO. */
  get failedAttempts(): number {
    return this.failedAttempts_
  }

  start(): void {
    if (this.wanted_) return
    this.wanted_ = true
    this.failedAttempts_ = 0
    this.open_('connecting')
  }

  /** Closes for good; the state becomes 'offline' until start() is called again. */
  stop(): void {
    this.wanted_ = false
    this.clearTimers_()
    this.dropSocket_(1000, 'client stopped')
    this.setState_('offline')
  }

  /**
   * The browser reports the network gone: stop retrying until networkOnline(),
   * rather than burning through the backoff schedule.
   */
  networkOffline(): void {
    if (!this.wanted_) return
    this.clearTimers_()
    this.dropSocket_(1000, 'network offline')
    this.setState_('offline')
  }

  /** Drops the current socket and connects again at once (the signed-in account changed). */
  restart(): void {
    if (!this.wanted_) return
    this.clearTimers_()
    this.dropSocket_(1000, 'client restarting')
    this.failedAttempts_ = 0
    this.lastSequence_ = null
    this.open_('reconnecting')
  }

  networkOnline(): void {
    if (!this.wanted_ || this.state_ !== 'offline') return
    this.failedAttempts_ = 0
    this.open_('reconnecting')
  }

  /**
   * Sends a client frame (op 3 presence, op 8 member requests) on the open connection. Returns
   * false when there is none; the caller sends again after the next READY.
   */
  send(op: number, d: unknown): boolean {
    const socket = this.socket_
    if (socket === null || socket.readyState !== SOCKET_OPEN || this.state_ !== 'connected') return false
    socket.send(JSON.stringify({ op, d }))
    return true
  }

  /** Delay before reconnect attempt number `attempt` (0-based): exponential, half jittered, capped. */
  backoffDelay(attempt: number): number {
    const exponential = Math.min(this.backoffCapMs_, this.backoffBaseMs_ * 2 ** attempt)
    return Math.min(this.backoffCapMs_, exponential / 2 + (exponential / 2) * this.random_())
  }

  private open_(state: 'connecting' | 'reconnecting'): void {
    this.setState_(state)
    let socket: SocketLike
    try {
      socket = this.createSocket_(this.url_)
    } catch {
      this.scheduleReconnect_()
      return
    }
    this.socket_ = socket
    socket.onmessage = (event) => this.handleMessage_(event.data)
    socket.onclose = () => {
      if (this.socket_ !== socket) return
      this.socket_ = null
      this.scheduleReconnect_()
    }
    // An error is always followed by close; reconnecting happens there.
    socket.onerror = () => {}
    socket.onopen = () => {
      this.helloTimer_ = setTimeout(() => this.reconnectNow_(CLOSE_ZOMBIE_CONNECTION, 'no hello'), this.helloTimeoutMs_)
    }
  }

  private handleMessage_(data: unknown): void {
    const frame = parseFrame(data)
    if (frame === null) return
    if (typeof frame.s === 'number') this.lastSequence_ = frame.s

    switch (frame.op) {
      case GatewayOp.Hello: {
        const interval = (frame.d as { heartbeat_interval?: unknown } | undefined)?.heartbeat_interval
        if (typeof interval !== 'number' || !(interval > 0)) return
        this.clearHelloTimer_()
        this.heartbeatIntervalMs_ = interval
        this.ackPending_ = false
        this.failedAttempts_ = 0
        this.setState_('connected')
        this.sendIdentify_()
        // The first beat is spread over one interval so a restarted server is
        // not hit by every client at once.
        this.scheduleHeartbeat_(interval * this.random_())
        break
      }
      case GatewayOp.HeartbeatAck:
        if (this.ackPending_) this.options_.onLatency?.(Math.round(this.now_() - this.heartbeatSentAt_))
        this.ackPending_ = false
        break
      case GatewayOp.Heartbeat:
        // The server asks for a beat right away; it does not move the schedule.
        this.sendHeartbeat_()
        break
      case GatewayOp.Reconnect:
        this.reconnectNow_(4000, 'server asked to reconnect')
        break
      case GatewayOp.Dispatch:
        this.options_.onDispatch?.(frame)
        break
      default:
        break
    }
  }

  private scheduleHeartbeat_(delayMs: number): void {
    this.clearHeartbeatTimer_()
    this.heartbeatTimer_ = setTimeout(() => this.beat_(), delayMs)
  }

  private beat_(): void {
    this.heartbeatTimer_ = null
    if (this.ackPending_) {
      // The previous beat was never acknowledged: the connection is a zombie.
      this.reconnectNow_(CLOSE_ZOMBIE_CONNECTION, 'heartbeat not acknowledged')
      return
    }
    this.sendHeartbeat_()
    this.scheduleHeartbeat_(this.heartbeatIntervalMs_)
  }

  private sendHeartbeat_(): void {
    const socket = this.socket_
    if (socket === null || socket.readyState !== SOCKET_OPEN) return
    socket.send(JSON.stringify({ op: GatewayOp.Heartbeat, d: this.lastSequence_ }))
    this.ackPending_ = true
    this.heartbeatSentAt_ = this.now_()
  }

  private sendIdentify_(): void {
    const payload = this.options_.identify?.()
    const socket = this.socket_
    if (payload === null || payload === undefined || socket === null || socket.readyState !== SOCKET_OPEN) return
    socket.send(JSON.stringify({ op: GatewayOp.Identify, d: payload }))
  }

  private reconnectNow_(code: number, reason: string): void {
    this.clearTimers_()
    this.dropSocket_(code, reason)
    this.scheduleReconnect_()
  }

  private scheduleReconnect_(): void {
    this.clearTimers_()
    if (!this.wanted_) {
      this.setState_('offline')
      return
    }
    const delay = this.backoffDelay(this.failedAttempts_)
    this.failedAttempts_ += 1
    this.setState_('reconnecting')
    this.reconnectTimer_ = setTimeout(() => {
      this.reconnectTimer_ = null
      this.open_('reconnecting')
    }, delay)
  }

  /** Detaches before closing so the old socket's late close event cannot trigger a second reconnect. */
  private dropSocket_(code: number, reason: string): void {
    const socket = this.socket_
    if (socket === null) return
    this.socket_ = null
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.onerror = null
    try {
      socket.close(code, reason)
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }

  private setState_(state: GatewayState): void {
    if (this.state_ === state) return
    this.state_ = state
    this.options_.onStateChange?.(state)
  }

  private clearHeartbeatTimer_(): void {
    if (this.heartbeatTimer_ !== null) clearTimeout(this.heartbeatTimer_)
    this.heartbeatTimer_ = null
  }

  private clearHelloTimer_(): void {
    if (this.helloTimer_ !== null) clearTimeout(this.helloTimer_)
    this.helloTimer_ = null
  }

  private clearTimers_(): void {
    this.clearHeartbeatTimer_()
    this.clearHelloTimer_()
    if (this.reconnectTimer_ !== null) clearTimeout(this.reconnectTimer_)
    this.reconnectTimer_ = null
  }
}
