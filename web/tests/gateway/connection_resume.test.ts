// Sessions across drops: RESUME after a drop the session survives, IDENTIFY afresh when it did not.
// The fake socket plays the server's part (tests/integration/gateway_sessions.test.mjs has the real one).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  GatewayConnection,
  type ConnectionState,
  type GatewayConnectionOptions,
  type GatewayCredentials,
} from '@/gateway/connection'
import { createMessageDispatcher, type MessageDispatchTarget } from '@/gateway/message_dispatcher'
import { isResumableClose, resumeUrl, type GatewayFrame } from '@/gateway/protocol'
import { FakeSocket } from '../support/fake_socket'

const URL = 'ws://hearth.test/api/v1/gateway'
const INTERVAL = 40_000
const SESSION = '0123456789abcdef0123456789abcdef'

function message(id: string, s: number) {
  return {
    op: 0,
    t: 'MESSAGE_CREATE',
    s,
    d: { id, channel_id: '7', content: `message ${id}`, author: { id: '2', username: 'ada' } },
  }
}

interface Harness {
  connection: GatewayConnection
  states: ConnectionState[]
  frames: GatewayFrame[]
  /** What the messages store was asked to do. */
  created: string[]
  resyncs: () => number
  /** The account signed in now; null: signed out. */
  account: { token: string; owner: string } | null
}

function connect(options: Partial<GatewayConnectionOptions> = {}): Harness {
  const created: string[] = []
  let resyncs = 0
  const messages = {
    applyCreate: (m: { id: string }) => created.push(m.id),
    resync: () => {
      resyncs += 1
    },
  } as unknown as MessageDispatchTarget
  const dispatcher = createMessageDispatcher({
    messages,
    typing: { applyTypingStart: () => {}, stop: () => {} },
    currentUserId: () => '1',
  })
  const harness: Harness = {
    connection: null as unknown as GatewayConnection,
    states: [],
    frames: [],
    created,
    resyncs: () => resyncs,
    account: { token: 'token-a', owner: 'sign-in-1' },
  }
  harness.connection = new GatewayConnection({
    url: URL,
    createSocket: (url) => new FakeSocket(url),
    random: () => 0.5,
    onStateChange: (state) => harness.states.push(state),
    onDispatch: (frame) => {
      harness.frames.push(frame)
      dispatcher.handle(frame)
    },
    identify: () => (harness.account ? { token: harness.account.token, properties: {} } : null),
    credentials: (): GatewayCredentials | null => harness.account,
    ...options,
  })
  harness.connection.start()
  return harness
}

/** Opens the newest socket and says HELLO. */
function hello(): FakeSocket {
  const socket = FakeSocket.latest()
  socket.open()
  socket.hello(INTERVAL)
  return socket
}

/** HELLO, IDENTIFY, READY (s 1) and three messages (s 2-4). */
function identified(harness: Harness): FakeSocket {
  const socket = hello()
  expect(socket.sent).toEqual([{ op: 2, d: { token: 'token-a', properties: {} } }])
  socket.receive({ op: 0, t: 'READY', s: 1, d: { session_id: SESSION, resume_gateway_url: URL } })
  for (const s of [2, 3, 4]) socket.receive(message(`m${s}`, s))
  expect(harness.connection.state).toBe('ready')
  return socket
}

/** Waits out the reconnect delay and returns the new socket. */
function nextSocket(previous: FakeSocket): FakeSocket {
  for (let waited = 0; FakeSocket.latest() === previous; waited += 50) {
    if (waited > 60_000) throw new Error('no new socket')
    vi.advanceTimersByTime(50)
  }
  return FakeSocket.latest()
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.reset()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('GatewayConnection sequence tracking', () => {
  it('keeps the session from READY and the last sequence of every dispatch', () => {
    const harness = connect()
    const socket = identified(harness)
    expect(harness.connection.sessionId).toBe(SESSION)
    expect(harness.connection.lastSequence).toBe(4)
    // Frames that are not dispatches carry no sequence and change nothing.
    socket.receive({ op: 11, s: 99 })
    expect(harness.connection.lastSequence).toBe(4)

    vi.advanceTimersByTime(INTERVAL / 2) // first beat: interval x 0.5
    expect(socket.sent.at(-1)).toEqual({ op: 1, d: 4 })
    socket.receive({ op: 11 })
    socket.receive(message('m5', 5))
    vi.advanceTimersByTime(INTERVAL)
    expect(socket.sent.at(-1)).toEqual({ op: 1, d: 5 })
  })
})

describe('GatewayConnection resume', () => {
  it('resumes after a network drop: the missed events arrive in order and nothing is reloaded', () => {
    const harness = connect()
    const first = identified(harness)
    expect(harness.resyncs()).toBe(1) // READY: the stores load what is on screen

    first.serverClose(1006) // no close frame: the network went away
    expect(harness.connection.state).toBe('resuming')
    const second = nextSocket(first)
    expect(second.url).toBe(URL)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } }])
    // Until RESUMED, op 3 waits: the server would not know the session yet.
    expect(harness.connection.send(3, { status: 'online' })).toBe(false)

    second.receive(message('m5', 5))
    second.receive(message('m6', 6))
    second.receive({ op: 0, t: 'RESUMED', s: 7, d: {} })
    expect(harness.connection.state).toBe('ready')
    expect(harness.created).toEqual(['m2', 'm3', 'm4', 'm5', 'm6'])
    expect(harness.frames.map((frame) => frame.t)).toEqual([
      'READY',
      'MESSAGE_CREATE',
      'MESSAGE_CREATE',
      'MESSAGE_CREATE',
      'MESSAGE_CREATE',
      'MESSAGE_CREATE',
      'RESUMED',
    ])
    expect(harness.resyncs()).toBe(1)
    expect(harness.states).toEqual(['connecting', 'ready', 'resuming', 'ready'])
    expect(harness.connection.lastSequence).toBe(7)
    expect(harness.connection.send(3, { status: 'online' })).toBe(true)
    expect(harness.connection.failedAttempts).toBe(0)
  })

  it('resumes after a server restart (1012) and keeps resuming through failed attempts', () => {
    const harness = connect()
    const first = identified(harness)
    first.serverClose(1012)
    const second = nextSocket(first)
    second.serverClose(1006) // the server is not back yet
    expect(harness.connection.state).toBe('resuming')
    const third = nextSocket(second)
    third.open()
    third.hello(INTERVAL)
    expect(third.sent).toEqual([{ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } }])
  })

  it('resumes at once after op 7 RECONNECT, closing without ending the session', () => {
    const harness = connect()
    const first = identified(harness)
    first.receive({ op: 7, d: null })
    expect(first.closedWith?.code).toBe(4000)
    expect(isResumableClose(first.closedWith!.code!)).toBe(true)
    expect(harness.connection.state).toBe('resuming')
    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } }])
  })

  it('treats a missed heartbeat ACK as a dead connection: closes with 4000 and resumes', () => {
    const harness = connect()
    const first = identified(harness)
    vi.advanceTimersByTime(INTERVAL / 2) // beat, never acknowledged
    expect(first.sent.at(-1)).toEqual({ op: 1, d: 4 })
    vi.advanceTimersByTime(INTERVAL) // next beat due: zombie
    expect(first.closedWith?.code).toBe(4000)
    expect(harness.connection.state).toBe('resuming')

    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } }])
    second.receive({ op: 0, t: 'RESUMED', s: 5, d: {} })
    vi.advanceTimersByTime(INTERVAL / 2)
    expect(second.sent.at(-1)).toEqual({ op: 1, d: 5 })
  })

  it('keeps the session when the browser goes offline, and resumes when it is back', () => {
    const harness = connect()
    const first = identified(harness)
    harness.connection.networkOffline()
    expect(first.closedWith?.code).toBe(4000) // not 1000, which would end the session
    expect(harness.connection.state).toBe('offline')
    vi.advanceTimersByTime(120_000)
    expect(FakeSocket.instances).toHaveLength(1)
    harness.connection.networkOnline()
    expect(harness.connection.state).toBe('resuming')
    const second = FakeSocket.latest()
    second.open()
    second.hello(INTERVAL)
    expect(second.sent[0]).toEqual({ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } })
  })

  it('resumes with the current token of the same sign-in (a refreshed access token)', () => {
    const harness = connect()
    const first = identified(harness)
    harness.account = { token: 'token-a2', owner: 'sign-in-1' }
    first.serverClose(1006)
    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token-a2', session_id: SESSION, seq: 4 } }])
  })

  it('connects to resume_gateway_url when it is on the same host, with the page scheme', () => {
    expect(resumeUrl('ws://hearth.test/api/v1/gateway?resume=1', 'wss://hearth.test/api/v1/gateway')).toBe(
      'wss://hearth.test/api/v1/gateway?resume=1',
    )
    expect(resumeUrl('ws://evil.test/api/v1/gateway', URL)).toBeNull()
    expect(resumeUrl('https://hearth.test/x', URL)).toBeNull()
    expect(resumeUrl(42, URL)).toBeNull()

    const harness = connect()
    const socket = hello()
    socket.receive({ op: 0, t: 'READY', s: 1, d: { session_id: SESSION, resume_gateway_url: 'ws://hearth.test/api/v1/gateway?v=10' } })
    expect(harness.connection.state).toBe('ready')
    socket.serverClose(1006)
    expect(nextSocket(socket).url).toBe('ws://hearth.test/api/v1/gateway?v=10')
  })
})

describe('GatewayConnection starting over', () => {
  it('identifies afresh 1-5 s after INVALID_SESSION (d false), on the same socket, and READY reloads', () => {
    const harness = connect()
    const first = identified(harness)
    first.serverClose(1006)
    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 6, d: { token: 'token-a', session_id: SESSION, seq: 4 } }])

    second.receive({ op: 9, d: false })
    expect(harness.connection.state).toBe('connecting')
    expect(harness.connection.sessionId).toBeNull()
    expect(harness.connection.lastSequence).toBeNull()
    vi.advanceTimersByTime(2999) // random() = 0.5: 1000 + 0.5 x 4000
    expect(second.sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(second.sent.at(-1)).toEqual({ op: 2, d: { token: 'token-a', properties: {} } })
    expect(FakeSocket.instances).toHaveLength(2)

    second.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 'another', resume_gateway_url: URL } })
    expect(harness.connection.state).toBe('ready')
    expect(harness.connection.sessionId).toBe('another')
    expect(harness.resyncs()).toBe(2) // the full reload of a new session
    expect(harness.states).toEqual(['connecting', 'ready', 'resuming', 'connecting', 'ready'])
  })

  it('asks to resume again after INVALID_SESSION with d true', () => {
    const harness = connect()
    const first = identified(harness)
    first.serverClose(1006)
    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    second.receive({ op: 9, d: true })
    expect(harness.connection.state).toBe('resuming')
    vi.advanceTimersByTime(3000)
    expect(second.sent.filter((frame) => (frame as { op: number }).op === 6)).toHaveLength(2)
  })

  for (const code of [4004, 4007, 1000]) {
    it(`identifies afresh on a new socket after a close with ${code}, which ended the session`, () => {
      const prepared: boolean[] = []
      const harness = connect({
        prepare: async ({ authFailed }) => {
          prepared.push(authFailed)
        },
      })
      return (async () => {
        await vi.advanceTimersByTimeAsync(0)
        const first = identified(harness)
        first.serverClose(code)
        expect(isResumableClose(code)).toBe(false)
        expect(harness.connection.state).toBe('connecting')
        expect(harness.connection.sessionId).toBeNull()
        await vi.advanceTimersByTimeAsync(2999) // 1-5 s, not the 0.5-1 s of a resume
        expect(FakeSocket.instances).toHaveLength(1)
        await vi.advanceTimersByTimeAsync(1)
        const second = FakeSocket.latest()
        expect(second).not.toBe(first)
        second.open()
        second.hello(INTERVAL)
        expect(second.sent).toEqual([{ op: 2, d: { token: 'token-a', properties: {} } }])
        // A 4004 makes the next attempt fetch a new token first.
        expect(prepared).toEqual([false, code === 4004])
      })()
    })
  }

  it('never resumes after logout: restart() ends the session with 1000 and the next socket sends nothing', () => {
    const harness = connect()
    const first = identified(harness)
    harness.account = null
    harness.connection.restart()
    expect(first.closedWith?.code).toBe(1000)
    expect(harness.connection.sessionId).toBeNull()
    expect(harness.connection.lastSequence).toBeNull()
    const second = hello()
    expect(second.sent).toEqual([])
    expect(harness.connection.state).toBe('ready')
  })

  it('never resumes with a token of another sign-in, even after a drop', () => {
    const harness = connect()
    const first = identified(harness)
    first.serverClose(1006)
    harness.account = { token: 'token-b', owner: 'sign-in-2' }
    const second = nextSocket(first)
    second.open()
    second.hello(INTERVAL)
    expect(second.sent).toEqual([{ op: 2, d: { token: 'token-b', properties: {} } }])
    expect(harness.connection.state).toBe('connecting')
  })

  it('forgets the session on stop()', () => {
    const harness = connect()
    const first = identified(harness)
    harness.connection.stop()
    expect(first.closedWith?.code).toBe(1000)
    expect(harness.connection.sessionId).toBeNull()
    harness.connection.start()
    const second = hello()
    expect(second.sent[0]).toMatchObject({ op: 2 })
  })
})

describe('GatewayConnection prepare', () => {
  it('opens the socket only once prepare() settled, and not at all when stopped meanwhile', async () => {
    let release: () => void = () => {}
    const harness = connect({ prepare: () => new Promise<void>((resolve) => (release = resolve)) })
    expect(FakeSocket.instances).toHaveLength(0)
    expect(harness.connection.state).toBe('connecting')
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeSocket.instances).toHaveLength(1)

    const first = identified(harness)
    first.serverClose(1006)
    await vi.advanceTimersByTimeAsync(750)
    expect(FakeSocket.instances).toHaveLength(1) // waiting for prepare
    harness.connection.stop()
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('still connects when prepare() fails', async () => {
    connect({ prepare: () => Promise.reject(new Error('refresh failed')) })
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeSocket.instances).toHaveLength(1)
  })
})
