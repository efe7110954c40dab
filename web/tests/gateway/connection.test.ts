import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GatewayConnection, type GatewayConnectionOptions, type ConnectionState } from '@/gateway/connection'
import { CLOSE_ZOMBIE_CONNECTION, gatewayUrl, parseFrame } from '@/gateway/protocol'
import { FakeSocket } from '../support/fake_socket'

const INTERVAL = 1000

function connect(options: Partial<GatewayConnectionOptions> = {}) {
  const states: ConnectionState[] = []
  const latencies: number[] = []
  const connection = new GatewayConnection({
    url: 'ws://hearth.test/api/v1/gateway',
    createSocket: (url) => new FakeSocket(url),
    random: () => 0.5,
    onStateChange: (state) => states.push(state),
    onLatency: (ms) => latencies.push(ms),
    ...options,
  })
  connection.start()
  return { connection, states, latencies }
}

/** Opens the newest socket and says HELLO. */
function handshake(interval = INTERVAL): FakeSocket {
  const socket = FakeSocket.latest()
  socket.open()
  socket.hello(interval)
  return socket
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.reset()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('GatewayConnection handshake and heartbeats', () => {
  it('is connecting until HELLO, then connected', () => {
    const { connection, states } = connect()
    expect(connection.state).toBe('connecting')
    expect(FakeSocket.latest().url).toBe('ws://hearth.test/api/v1/gateway')

    FakeSocket.latest().open()
    expect(connection.state).toBe('connecting')
    FakeSocket.latest().hello(INTERVAL)
    expect(connection.state).toBe('ready')
    expect(states).toEqual(['connecting', 'ready'])
  })

  it('sends the first heartbeat after interval x random, then one per interval', () => {
    connect({ random: () => 0.25 })
    const socket = handshake()

    vi.advanceTimersByTime(249)
    expect(socket.sent).toEqual([])
    vi.advanceTimersByTime(1)
    expect(socket.sent).toEqual([{ op: 1, d: null }])

    socket.receive({ op: 11 })
    vi.advanceTimersByTime(INTERVAL - 1)
    expect(socket.sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(socket.sent).toHaveLength(2)
  })

  it('sends the last dispatch sequence with each heartbeat', () => {
    const dispatches: unknown[] = []
    connect({ onDispatch: (frame) => dispatches.push(frame.t) })
    const socket = handshake()
    socket.receive({ op: 0, t: 'READY', s: 1, d: {} })
    socket.receive({ op: 0, t: 'MESSAGE_CREATE', s: 42, d: {} })

    vi.advanceTimersByTime(INTERVAL / 2)
    expect(socket.sent).toEqual([{ op: 1, d: 42 }])
    expect(dispatches).toEqual(['READY', 'MESSAGE_CREATE'])
  })

  it('keeps the connection while every heartbeat is acknowledged and reports latency', () => {
    let now = 0
    const { connection, latencies } = connect({ now: () => now })
    const socket = handshake()

    for (let beat = 0; beat < 5; beat++) {
      vi.advanceTimersByTime(beat === 0 ? INTERVAL / 2 : INTERVAL)
      now += 30
      socket.receive({ op: 11 })
    }
    expect(socket.sent).toHaveLength(5)
    expect(socket.closedWith).toBeNull()
    expect(connection.state).toBe('ready')
    expect(latencies).toEqual([30, 30, 30, 30, 30])
  })

  it('answers a server heartbeat request at once', () => {
    connect()
    const socket = handshake()
    socket.receive({ op: 1, d: null })
    expect(socket.sent).toEqual([{ op: 1, d: null }])
  })

  it('ignores malformed frames', () => {
    const { connection } = connect()
    const socket = FakeSocket.latest()
    socket.open()
    socket.onmessage?.(new MessageEvent('message', { data: 'not json' }))
    socket.receive({ op: 10, d: { heartbeat_interval: 'soon' } })
    socket.receive({ d: {} })
    expect(connection.state).toBe('connecting')
  })
})

describe('GatewayConnection zombie detection and reconnect', () => {
  it('closes with 4000 and reconnects when a heartbeat is not acknowledged', () => {
    const { connection, states } = connect()
    const socket = handshake()

    vi.advanceTimersByTime(INTERVAL / 2) // first beat, never acknowledged
    expect(socket.closedWith).toBeNull()
    vi.advanceTimersByTime(INTERVAL) // the next beat is due: zombie
    expect(socket.closedWith?.code).toBe(CLOSE_ZOMBIE_CONNECTION)
    expect(socket.sent).toHaveLength(1)
    expect(connection.state).toBe('connecting')
    expect(FakeSocket.instances).toHaveLength(1)

    // Attempt 0 waits between 500 and 1000 ms; random() = 0.5 gives 750.
    vi.advanceTimersByTime(749)
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeSocket.instances).toHaveLength(2)

    handshake()
    expect(connection.state).toBe('ready')
    // Signed out, so there is no session to resume: a plain new connection.
    expect(states).toEqual(['connecting', 'ready', 'connecting', 'ready'])
  })

  it('does not react to the closed socket once it was dropped', () => {
    connect()
    const socket = handshake()
    vi.advanceTimersByTime(INTERVAL * 1.5)
    expect(socket.onclose).toBeNull()
    expect(socket.onmessage).toBeNull()
  })

  it('reconnects when the server closes the socket', () => {
    const { connection } = connect()
    handshake().serverClose(1006)
    expect(connection.state).toBe('connecting')
    vi.advanceTimersByTime(750)
    expect(FakeSocket.instances).toHaveLength(2)
  })

  it('waits 1-5 s before connecting again after a close that ended the session', () => {
    const { connection } = connect()
    handshake().serverClose(1001)
    expect(connection.state).toBe('connecting')
    // random() = 0.5: 1000 + 0.5 x 4000.
    vi.advanceTimersByTime(2999)
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeSocket.instances).toHaveLength(2)
  })

  it('backs off exponentially with jitter, capped at 30 s, and resets once ready', () => {
    let roll = 0
    const { connection } = connect({ random: () => roll })
    const delays: number[] = []
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = FakeSocket.instances.length
      FakeSocket.latest().serverClose()
      let waited = 0
      while (FakeSocket.instances.length === before) {
        vi.advanceTimersByTime(50)
        waited += 50
      }
      delays.push(waited)
    }
    // random() = 0: the lower half of each window.
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000])

    roll = 0.999999
    expect(connection.backoffDelay(3)).toBeCloseTo(8000, -1)
    expect(connection.backoffDelay(10)).toBeLessThanOrEqual(30_000)
    expect(connection.backoffDelay(50)).toBeLessThanOrEqual(30_000)

    handshake()
    expect(connection.failedAttempts).toBe(0)
  })

  it('keeps every jittered delay inside its window', () => {
    for (const roll of [0, 0.3, 0.7, 0.999]) {
      const connection = new GatewayConnection({ url: 'ws://x', random: () => roll })
      for (let attempt = 0; attempt < 10; attempt++) {
        const window = Math.min(30_000, 1000 * 2 ** attempt)
        const delay = connection.backoffDelay(attempt)
        expect(delay).toBeGreaterThanOrEqual(window / 2)
        expect(delay).toBeLessThanOrEqual(window)
      }
    }
  })

  it('drops a socket that opens but never says HELLO', () => {
    const { connection } = connect({ helloTimeoutMs: 5000 })
    const socket = FakeSocket.latest()
    socket.open()
    vi.advanceTimersByTime(5000)
    expect(socket.closedWith?.code).toBe(CLOSE_ZOMBIE_CONNECTION)
    expect(connection.state).toBe('connecting')
  })

  it('reconnects at once when the server sends RECONNECT', () => {
    const { connection } = connect()
    const socket = handshake()
    socket.receive({ op: 7 })
    expect(socket.closedWith).not.toBeNull()
    expect(connection.state).toBe('connecting')
  })
})

describe('GatewayConnection stop and network changes', () => {
  it('goes offline on stop() and never reconnects', () => {
    const { connection } = connect()
    const socket = handshake()
    connection.stop()
    expect(connection.state).toBe('offline')
    expect(socket.closedWith?.code).toBe(1000)
    vi.advanceTimersByTime(120_000)
    expect(FakeSocket.instances).toHaveLength(1)
    expect(socket.sent).toEqual([])
  })

  it('waits for the network instead of retrying while offline', () => {
    const { connection } = connect()
    handshake()
    connection.networkOffline()
    expect(connection.state).toBe('offline')
    vi.advanceTimersByTime(120_000)
    expect(FakeSocket.instances).toHaveLength(1)

    connection.networkOnline()
    expect(connection.state).toBe('connecting')
    expect(FakeSocket.instances).toHaveLength(2)
    handshake()
    expect(connection.state).toBe('ready')
  })
})

describe('gateway protocol helpers', () => {
  it('builds the gateway URL on the page origin', () => {
    expect(gatewayUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/gateway')
    expect(gatewayUrl({ protocol: 'https:', host: 'chat.example.org' })).toBe('wss://chat.example.org/api/v1/gateway')
  })

  it('parses frames defensively', () => {
    expect(parseFrame('{"op":11}')).toEqual({ op: 11, d: undefined, s: null, t: null })
    expect(parseFrame('{"op":"11"}')).toBeNull()
    expect(parseFrame('null')).toBeNull()
    expect(parseFrame(new ArrayBuffer(2))).toBeNull()
  })
})

describe('GatewayConnection identify and restart', () => {
  it('sends IDENTIFY right after HELLO when there is a payload, none otherwise', () => {
    let payload: unknown = null
    connect({ identify: () => payload })
    const anonymous = handshake()
    expect(anonymous.sent).toEqual([])

    payload = { token: 't', properties: {} }
    const { connection } = connect({ identify: () => payload })
    const socket = handshake()
    expect(socket.sent).toEqual([{ op: 2, d: { token: 't', properties: {} } }])
    connection.stop()
  })

  it('restart drops the socket and connects again at once', () => {
    const { connection, states } = connect({ identify: () => ({ token: 't' }) })
    const first = handshake()
    connection.restart()
    expect(first.closedWith).toEqual({ code: 1000, reason: 'client restarting' })
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    expect(states.at(-1)).toBe('connecting')
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 2, d: { token: 't' } }])
    expect(connection.state).toBe('connecting')
    second.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 'b', resume_gateway_url: 'ws://hearth.test/api/v1/gateway' } })
    expect(connection.state).toBe('ready')
    connection.stop()
    // Stopped: restart does nothing.
    connection.restart()
    expect(FakeSocket.latest()).toBe(second)
  })
})
