// Vue face of the gateway: one shared connection for the whole app and
// reactive state for whoever wants to show it.
import { readonly, ref, type Ref } from 'vue'
import { GatewayConnection, type GatewayConnectionOptions, type GatewayState } from '@/gateway/connection'
import { gatewayUrl, type GatewayFrame } from '@/gateway/protocol'

export interface UseGateway {
  state: Readonly<Ref<GatewayState>>
  /** Round trip of the last acknowledged heartbeat, null until one was acknowledged. */
  latencyMs: Readonly<Ref<number | null>>
  connect(): void
  disconnect(): void
  /** Connects again at once, e.g. to identify as a newly signed-in account. */
  restart(): void
  /** Calls `listener` with every DISPATCH (op 0) frame; returns the unsubscribe. */
  onDispatch(listener: (frame: GatewayFrame) => void): () => void
  /** What IDENTIFY sends (null: nothing, while signed out); the last call wins. */
  setIdentify(provider: (() => unknown) | null): void
  /** Sends a client frame on the open connection; false when there is none. */
  send(op: number, d: unknown): boolean
}

const state = ref<GatewayState>('offline')
const latencyMs = ref<number | null>(null)
let connection: GatewayConnection | null = null
let removeNetworkListeners: (() => void) | null = null
const dispatchListeners = new Set<(frame: GatewayFrame) => void>()
let identifyProvider: (() => unknown) | null = null

function ensureConnection(overrides: Partial<GatewayConnectionOptions>): GatewayConnection {
  if (connection !== null) return connection
  connection = new GatewayConnection({
    url: gatewayUrl(window.location),
    ...overrides,
    onStateChange: (next) => {
      state.value = next
      if (next !== 'connected') latencyMs.value = null
    },
    onLatency: (ms) => {
      latencyMs.value = ms
    },
    onDispatch: (frame) => {
      overrides.onDispatch?.(frame)
      for (const listener of [...dispatchListeners]) listener(frame)
    },
    identify: () => (overrides.identify ?? identifyProvider)?.() ?? null,
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
    latencyMs: readonly(latencyMs),
    connect() {
      const target = ensureConnection(overrides)
      listenToNetwork(target)
      target.start()
    },
    disconnect() {
      connection?.stop()
      removeNetworkListeners?.()
    },
    restart() {
      connection?.restart()
    },
    onDispatch(listener) {
      dispatchListeners.add(listener)
      return () => dispatchListeners.delete(listener)
    },
    setIdentify(provider) {
      identifyProvider = provider
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
  identifyProvider = null
  state.value = 'offline'
  latencyMs.value = null
}
