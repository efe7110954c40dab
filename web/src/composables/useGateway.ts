// Vue face of the gateway: one shared connection for the whole app and
// reactive state for whoever wants to show it.
import { readonly, ref, type Ref } from 'vue'
import {
  GatewayConnection,
  type ConnectionState,
  type GatewayConnectionOptions,
  type GatewayCredentials,
  type GatewayState,
} from '@/gateway/connection'
import { gatewayUrl, type GatewayFrame } from '@/gateway/protocol'

/** A drop that is mended within this time (a quick resume) shows nothing at all. */
export const RECONNECT_NOTICE_MS = 2000

/** How the connection signs in; see GatewayConnectionOptions. */
export interface GatewayAuth {
  /** IDENTIFY's `d`; null while signed out. */
  identify: () => unknown
  /** RESUME's token and its owner (the sign-in); null: never resume. */
  credentials?: () => GatewayCredentials | null
  /** Awaited before each new socket (a token about to expire is refreshed here). */
  prepare?: (context: { authFailed: boolean }) => Promise<void>
}

export interface UseGateway {
  /**
   * What the UI shows, the one source of it: 'connected' stays through a drop for
   * RECONNECT_NOTICE_MS, so a quick resume shows nothing; then 'reconnecting'.
   */
  state: Readonly<Ref<GatewayState>>
  /** The connection's own state: 'resuming' (the session goes on) or 'connecting' (a new READY). */
  connectionState: Readonly<Ref<ConnectionState>>
  /** Round trip of the last acknowledged heartbeat, null until one was acknowledged. */
  latencyMs: Readonly<Ref<number | null>>
  connect(): void
  disconnect(): void
  /** Connects again at once, e.g. to identify as a newly signed-in account. */
  restart(): void
  /** Calls `listener` with every DISPATCH (op 0) frame; returns the unsubscribe. */
  onDispatch(listener: (frame: GatewayFrame) => void): () => void
  /** How IDENTIFY and RESUME sign in (null: never, signed out); the last call wins. */
  setAuth(auth: GatewayAuth | null): void
  /** Sends a client frame on the open connection; false when there is none. */
  send(op: number, d: unknown): boolean
}

const state = ref<GatewayState>('offline')
const connectionState = ref<ConnectionState>('offline')
const latencyMs = ref<number | null>(null)
let connection: GatewayConnection | null = null
let removeNetworkListeners: (() => void) | null = null
const dispatchListeners = new Set<(frame: GatewayFrame) => void>()
let auth: GatewayAuth | null = null
/** Events flowed since connect(): a later drop is a "reconnecting", not a first "connecting". */
let everReady = false
let noticeTimer: ReturnType<typeof setTimeout> | null = null

function clearNoticeTimer(): void {
  if (noticeTimer !== null) clearTimeout(noticeTimer)
  noticeTimer = null
}

/** Derives what the UI shows from the connection's state. */
function showConnectionState(next: ConnectionState): void {
  connectionState.value = next
  clearNoticeTimer()
  if (next === 'ready') {
    everReady = true
    state.value = 'connected'
  } else if (next === 'offline') {
    state.value = 'offline'
  } else if (!everReady) {
    state.value = 'connecting'
  } else if (state.value === 'connected') {
    noticeTimer = setTimeout(() => {
      noticeTimer = null
      state.value = 'reconnecting'
    }, RECONNECT_NOTICE_MS)
  } else {
    state.value = 'reconnecting'
  }
}

function ensureConnection(overrides: Partial<GatewayConnectionOptions>): GatewayConnection {
  if (connection !== null) return connection
  connection = new GatewayConnection({
    url: gatewayUrl(window.location),
    ...overrides,
    onStateChange: (next) => {
      showConnectionState(next)
      if (next !== 'ready') latencyMs.value = null
    },
    onLatency: (ms) => {
      latencyMs.value = ms
    },
    onDispatch: (frame) => {
      overrides.onDispatch?.(frame)
      for (const listener of [...dispatchListeners]) listener(frame)
    },
    identify: () => (overrides.identify ?? auth?.identify)?.() ?? null,
    credentials: overrides.credentials ?? (() => (auth?.credentials ? auth.credentials() : null)),
    prepare: overrides.prepare ?? ((context) => auth?.prepare?.(context) ?? Promise.resolve()),
  })
  return connection
}

function listenToNetwork(target: GatewayConnection): void {
  if (removeNetworkListeners !== null) return
  const onOffline = () => target.networkOffline()
  const onOnline = () => target.networkOnline()
  window.addEventListener('offline', onOffline)
  window.addEventListener('online', onOnline)
  removeNetworkListeners = () => {
    window.removeEventListener('offline', onOffline)
    window.removeEventListener('online', onOnline)
    removeNetworkListeners = null
  }
}

/** `overrides` only matter on the first call, which creates the shared connection (tests inject sockets here). */
export function useGateway(overrides: Partial<GatewayConnectionOptions> = {}): UseGateway {
  return {
    state: readonly(state),
    connectionState: readonly(connectionState),
    latencyMs: readonly(latencyMs),
    connect() {
      const target = ensureConnection(overrides)
      listenToNetwork(target)
      target.start()
    },
    disconnect() {
      connection?.stop()
      removeNetworkListeners?.()
      everReady = false
    },
    restart() {
      connection?.restart()
    },
    onDispatch(listener) {
      dispatchListeners.add(listener)
      return () => dispatchListeners.delete(listener)
    },
    setAuth(next) {
      auth = next
    },
    send(op, d) {
      return connection?.send(op, d) ?? false
    },
  }
}

/** Forgets the shared connection; for tests only. */
export function resetGatewayForTests(): void {
  connection?.stop()
  removeNetworkListeners?.()
  connection = null
  dispatchListeners.clear()
  auth = null
  everReady = false
  clearNoticeTimer()
  state.value = 'offline'
  connectionState.value = 'offline'
  latencyMs.value = null
}
