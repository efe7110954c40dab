// Vue face of the gateway: one shared connection for the whole app and
// reactive state for whoever wants to show it.
import { readonly, ref, type Ref } from 'vue'
import { GatewayConnection, type GatewayConnectionOptions, type GatewayState } from '@/gateway/connection'
import { gatewayUrl } from '@/gateway/protocol'

export interface UseGateway {
  state: Readonly<Ref<GatewayState>>
  /** Round trip of the last acknowledged heartbeat, null until one was acknowledged. */
  latencyMs: Readonly<Ref<number | null>>
  connect(): void
  disconnect(): void
}

const state = ref<GatewayState>('offline')
const latencyMs = ref<number | null>(null)
let connection: GatewayConnection | null = null
let removeNetworkListeners: (() => void) | null = null

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
  }
}

/** Forgets the shared connection; for tests only. */
export function resetGatewayForTests(): void {
  connection?.stop()
  removeNetworkListeners?.()
  connection = null
  state.value = 'offline'
  latencyMs.value = null
}
