import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GatewayConnection } from '@/gateway/connection'
import { GatewayOp } from '@/gateway/protocol'
import { FakeSocket } from '../support/fake_socket'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.reset()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('GatewayConnection.send', () => {
  it('sends a client frame only once the session is ready', () => {
    const connection = new GatewayConnection({
      url: 'ws://hearth.test/api/v1/gateway',
      createSocket: (url) => new FakeSocket(url),
      random: () => 0.5,
      identify: () => ({ token: 't' }),
    })
    const presence = { since: null, activities: [], status: 'dnd', afk: false }
    expect(connection.send(GatewayOp.PresenceUpdate, presence)).toBe(false)
    connection.start()
    const socket = FakeSocket.latest()
    socket.open()
    expect(connection.send(GatewayOp.PresenceUpdate, presence)).toBe(false)
    socket.hello(60_000)
    // Identified but not READY yet: the server would refuse op 3 before the session exists.
    expect(connection.send(GatewayOp.PresenceUpdate, presence)).toBe(false)
    socket.receive({ op: 0, t: 'READY', s: 1, d: { session_id: 's' } })
    expect(connection.send(GatewayOp.PresenceUpdate, presence)).toBe(true)
    expect(socket.sent).toEqual([
      { op: GatewayOp.Identify, d: { token: 't' } },
      { op: 3, d: presence },
    ])
    socket.serverClose()
    expect(connection.send(GatewayOp.PresenceUpdate, presence)).toBe(false)
    connection.stop()
  })
})
