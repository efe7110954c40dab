// One gateway connection, independent of Vue so its timing can be tested
// with fake timers and a fake socket.
//
// It keeps the session READY started (`session_id`, `resume_gateway_url`, the last sequence) and,
// after a drop that leaves the session alive (a resumable close code, a network error, a heartbeat
// that went unacknowledged, op 7 RECONNECT), connects again with backoff and sends RESUME: the
// server replays what was missed and says RESUMED, and nothing needs reloading. INVALID_SESSION or
// a close that ended the session (docs/gateway.md) start over with IDENTIFY after 1-5 s, which
// leads to a new READY (the stores reload everything from it).
import {
  CLOSE_CLIENT_RECONNECT,
  CLOSE_ZOMBIE_CONNECTION,
  GatewayOp,
  isResumableClose,
  parseFrame,
  resumeUrl,
  type GatewayFrame,
} from './protocol'

/**
 * What the connection is doing: 'connecting' until READY (a new session), 'resuming' until
 * RESUMED (the old session goes on), 'ready' once events flow, 'offline' when stopped or while
 * the browser reports no network.
 */
export type ConnectionState = 'connecting' | 'resuming' | 'ready' | 'offline'

/**
 * What the UI shows (derived from ConnectionState by `useGateway`, which hides a quick resume):
 * 'connecting' before the first READY, 'reconnecting' when events stopped for a while.
 */
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

/**
 * The token RESUME sends and whose sign-in it belongs to. A session is resumed only while the
 * owner is the one it was identified with: never after a logout or with another account's token.
 */
export interface GatewayCredentials {
  token: string
  owner: string
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
  onStateChange?: (state: ConnectionState) => void
  onDispatch?: (frame: GatewayFrame) => void
  /** IDENTIFY's `d`, sent after HELLO; null (or no callback) sends none, e.g. while signed out. */
  identify?: () => unknown
  /**
   * RESUME's token and its owner; null means "do not resume". Without it the IDENTIFY payload's
   * `token` is used, and only that same token resumes.
   */
  credentials?: () => GatewayCredentials | null
  /**
   * Awaited before each new socket, e.g. to refresh an access token about to expire;
   * `authFailed` is true after the server closed with 4004.
   */
  prepare?: (context: { authFailed: boolean }) => Promise<void>
  onLatency?: (latencyMs: number) => void
}

interface Session {
  id: string
  owner: string | null
  url: string | null
}

const SOCKET_OPEN = 1
/** Discord waits a random 1-5 s before identifying again after INVALID_SESSION. */
const REIDENTIFY_MIN_MS = 1000
const REIDENTIFY_SPREAD_MS = 4000

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
  private state_: ConnectionState = 'offline'
  private session_: Session | null = null
  /** Owner of the credentials the last IDENTIFY went with; READY's session gets it. */
  private identifiedOwner_: string | null = null
  private heartbeatIntervalMs_ = 0
  private heartbeatTimer_: ReturnType<typeof setTimeout> | null = null
  private helloTimer_: ReturnType<typeof setTimeout> | null = null
  private reconnectTimer_: ReturnType<typeof setTimeout> | null = null
  private authTimer_: ReturnType<typeof setTimeout> | null = null
  private ackPending_ = false
  private heartbeatSentAt_ = 0
  private lastSequence_: number | null = null
  private failedAttempts_ = 0
  private wanted_ = false
  private authFailed_ = false
  /** Moves on whenever timers are cleared, so a late `prepare` cannot open a socket nobody wants. */
  private generation_ = 0

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

  get state(): ConnectionState {
    return this.state_
  }

  /** Sequence number of the last dispatch, sent with every heartbeat and RESUME. */
  get lastSequence(): number | null {
    return this.lastSequence_
  }

  /** The session a drop would resume; null before READY and after it ended. */
  get sessionId(): string | null {
    return this.session_?.id ?? null
  }

  /** Number of reconnect attempts since events last flowed. */
  get failedAttempts(): number {
    return this.failedAttempts_
  }

  start(): void {
    if (this.wanted_) return
    this.wanted_ = true
    this.failedAttempts_ = 0
    this.open_()
  }

  /** Closes for good (1000 ends the session on the server); 'offline' until start() again. */
  stop(): void {
    this.wanted_ = false
    this.clearTimers_()
    this.forgetSession_()
    this.dropSocket_(1000, 'client stopped')
    this.setState_('offline')
  }

  /**
   * The browser reports the network gone: stop retrying until networkOnline(), rather than
   * burning through the backoff schedule. The session is kept (a non-1000 close) for a resume.
   */
  networkOffline(): void {
    if (!this.wanted_) return
    this.clearTimers_()
    this.dropSocket_(CLOSE_CLIENT_RECONNECT, 'network offline')
    this.setState_('offline')
  }

  networkOnline(): void {
    if (!this.wanted_ || this.state_ !== 'offline') return
    this.failedAttempts_ = 0
    this.open_()
  }

  /**
   * Ends the session and connects again at once with a fresh IDENTIFY (the signed-in account
   * changed, or signed out: nothing of the old session may be resumed).
   */
  restart(): void {
    if (!this.wanted_) return
    this.clearTimers_()
    this.forgetSession_()
    this.dropSocket_(1000, 'client restarting')
    this.failedAttempts_ = 0
    this.open_()
  }

  /**
   * Sends a client frame (op 3 presence, op 8 member requests) once events flow (after READY or
   * RESUMED). Returns false otherwise; the caller sends again when the connection is ready.
   */
  send(op: number, d: unknown): boolean {
    const socket = this.socket_
    if (socket === null || socket.readyState !== SOCKET_OPEN || this.state_ !== 'ready') return false
    socket.send(JSON.stringify({ op, d }))
    return true
  }

  /** Delay before reconnect attempt number `attempt` (0-based): exponential, half jittered, capped. */
  backoffDelay(attempt: number): number {
    const exponential = Math.min(this.backoffCapMs_, this.backoffBaseMs_ * 2 ** attempt)
    return Math.min(this.backoffCapMs_, exponential / 2 + (exponential / 2) * this.random_())
  }

  /** 1-5 s: how long to wait before a fresh IDENTIFY once the session is gone. */
  private reidentifyDelay_(): number {
    return REIDENTIFY_MIN_MS + REIDENTIFY_SPREAD_MS * this.random_()
  }

  private open_(): void {
    this.clearTimers_()
    this.setState_(this.session_ !== null ? 'resuming' : 'connecting')
    const prepare = this.options_.prepare
    if (prepare === undefined) {
      this.connectSocket_()
      return
    }
    const generation = this.generation_
    const authFailed = this.authFailed_
    this.authFailed_ = false
    const go = () => {
      if (generation === this.generation_ && this.wanted_ && this.socket_ === null) this.connectSocket_()
    }
    prepare({ authFailed }).then(go, go)
  }

  private connectSocket_(): void {
    const url = this.session_?.url ?? this.url_
    let socket: SocketLike
    try {
      socket = this.createSocket_(url)
    } catch {
      this.scheduleReconnect_()
      return
    }
    this.socket_ = socket
    socket.onmessage = (event) => this.handleMessage_(event.data)
    socket.onclose = (event) => {
      if (this.socket_ !== socket) return
      this.socket_ = null
      this.handleClose_(event.code)
    }
    // An error is always followed by close; reconnecting happens there.
    socket.onerror = () => {}
    socket.onopen = () => {
      this.helloTimer_ = setTimeout(() => this.reconnectNow_(CLOSE_ZOMBIE_CONNECTION, 'no hello'), this.helloTimeoutMs_)
    }
  }

  private handleClose_(code: number): void {
    if (isResumableClose(code)) {
      this.scheduleReconnect_()
      return
    }
    // The server ended the session (4004: the token or its sign-in is no longer valid).
    this.forgetSession_()
    if (code === 4004) this.authFailed_ = true
    this.scheduleReconnect_(Math.max(this.reidentifyDelay_(), this.backoffDelay(this.failedAttempts_)))
  }

  private handleMessage_(data: unknown): void {
    const frame = parseFrame(data)
    if (frame === null) return

    switch (frame.op) {
      case GatewayOp.Hello: {
        const interval = (frame.d as { heartbeat_interval?: unknown } | undefined)?.heartbeat_interval
        if (typeof interval !== 'number' || !(interval > 0)) return
        this.clearHelloTimer_()
        this.heartbeatIntervalMs_ = interval
        this.ackPending_ = false
        this.authenticate_()
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
        // Not 1000: the session stays resumable.
        this.reconnectNow_(CLOSE_CLIENT_RECONNECT, 'server asked to reconnect')
        break
      case GatewayOp.InvalidSession:
        this.handleInvalidSession_(frame.d === true)
        break
      case GatewayOp.Dispatch:
        this.handleDispatch_(frame)
        break
      default:
        break
    }
  }

  private handleDispatch_(frame: GatewayFrame): void {
    if (typeof frame.s === 'number') this.lastSequence_ = frame.s
    if (frame.t === 'READY') {
      const d = frame.d as { session_id?: unknown; resume_gateway_url?: unknown } | null | undefined
      const id = d?.session_id
      this.session_ =
        typeof id === 'string' && id !== ''
          ? { id, owner: this.identifiedOwner_, url: resumeUrl(d?.resume_gateway_url, this.url_) }
          : null
      this.becomeReady_()
    } else if (frame.t === 'RESUMED') {
      this.becomeReady_()
    }
    // The state is 'ready' before READY's handlers run, so what they send (op 3) goes out.
    this.options_.onDispatch?.(frame)
  }

  private becomeReady_(): void {
    this.failedAttempts_ = 0
    this.setState_('ready')
  }

  /** After HELLO: RESUME the session if there is one this account may resume, else IDENTIFY. */
  private authenticate_(): void {
    const session = this.session_
    if (session !== null) {
      const credentials = this.credentials_()
      if (credentials !== null && credentials.owner === session.owner && this.lastSequence_ !== null) {
        this.setState_('resuming')
        this.sendFrame_(GatewayOp.Resume, { token: credentials.token, session_id: session.id, seq: this.lastSequence_ })
        return
      }
      this.forgetSession_()
    }
    this.identify_()
  }

  private identify_(): void {
    const payload = this.options_.identify?.()
    if (payload === null || payload === undefined) {
      // Signed out: no session to wait for, the connection is as ready as it gets.
      this.identifiedOwner_ = null
      this.becomeReady_()
      return
    }
    this.identifiedOwner_ = this.credentials_(payload)?.owner ?? null
    this.setState_('connecting')
    this.sendFrame_(GatewayOp.Identify, payload)
  }

  private credentials_(identifyPayload?: unknown): GatewayCredentials | null {
    if (this.options_.credentials) return this.options_.credentials()
    const payload = identifyPayload === undefined ? this.options_.identify?.() : identifyPayload
    const token = (payload as { token?: unknown } | null | undefined)?.token
    return typeof token === 'string' ? { token, owner: token } : null
  }

  /** op 9: `d` true means the session may still be resumed; false means identify afresh. */
  private handleInvalidSession_(resumable: boolean): void {
    if (!resumable) this.forgetSession_()
    this.setState_(this.session_ !== null ? 'resuming' : 'connecting')
    this.clearAuthTimer_()
    this.authTimer_ = setTimeout(() => {
      this.authTimer_ = null
      if (this.socket_ !== null) this.authenticate_()
    }, this.reidentifyDelay_())
  }

  private scheduleHeartbeat_(delayMs: number): void {
    this.clearHeartbeatTimer_()
    this.heartbeatTimer_ = setTimeout(() => this.beat_(), delayMs)
  }

  private beat_(): void {
    this.heartbeatTimer_ = null
    if (this.ackPending_) {
      // The previous beat was never acknowledged: the connection is a zombie. Not 1000, so the
      // session stays resumable.
      this.reconnectNow_(CLOSE_ZOMBIE_CONNECTION, 'heartbeat not acknowledged')
      return
    }
    this.sendHeartbeat_()
    this.scheduleHeartbeat_(this.heartbeatIntervalMs_)
  }

  private sendHeartbeat_(): void {
    if (!this.sendFrame_(GatewayOp.Heartbeat, this.lastSequence_)) return
    this.ackPending_ = true
    this.heartbeatSentAt_ = this.now_()
  }

  private sendFrame_(op: number, d: unknown): boolean {
    const socket = this.socket_
    if (socket === null || socket.readyState !== SOCKET_OPEN) return false
    socket.send(JSON.stringify({ op, d }))
    return true
  }

  private reconnectNow_(code: number, reason: string): void {
    this.clearTimers_()
    this.dropSocket_(code, reason)
    this.scheduleReconnect_()
  }

  private scheduleReconnect_(delayMs?: number): void {
    this.clearTimers_()
    if (!this.wanted_) {
      this.setState_('offline')
      return
    }
    const delay = delayMs ?? this.backoffDelay(this.failedAttempts_)
    this.failedAttempts_ += 1
    this.setState_(this.session_ !== null ? 'resuming' : 'connecting')
    this.reconnectTimer_ = setTimeout(() => {
      this.reconnectTimer_ = null
      this.open_()
    }, delay)
  }

  private forgetSession_(): void {
    this.session_ = null
    this.lastSequence_ = null
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

  private setState_(state: ConnectionState): void {
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

  private clearAuthTimer_(): void {
    if (this.authTimer_ !== null) clearTimeout(this.authTimer_)
    this.authTimer_ = null
  }

  private clearTimers_(): void {
    this.generation_ += 1
    this.clearHeartbeatTimer_()
    this.clearHelloTimer_()
    this.clearAuthTimer_()
    if (this.reconnectTimer_ !== null) clearTimeout(this.reconnectTimer_)
    this.reconnectTimer_ = null
  }
}
