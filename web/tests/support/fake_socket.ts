// A stand-in for the browser WebSocket: records what the client sends and
// lets a test play the server's part.
import type { SocketLike } from '@/gateway/connection'

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = []

  readonly url: string
  readyState = 0
  sent: unknown[] = []
  closedWith: { code?: number; reason?: string } | null = null
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null

  constructor(url: string) {
    this.url = url
    FakeSocket.instances.push(this)
  }

  static reset(): void {
    FakeSocket.instances = []
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances.at(-1)
    if (!socket) throw new Error('no socket was created')
    return socket
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open')
    this.sent.push(JSON.parse(data))
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 3
  }

  // --- the server's side ---

  open(): void {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  receive(frame: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }))
  }

  hello(heartbeatInterval: number): void {
    this.receive({ op: 10, d: { heartbeat_interval: heartbeatInterval } })
  }

  serverClose(code = 1006): void {
    this.readyState = 3
    this.onclose?.(new CloseEvent('close', { code }))
  }
}
