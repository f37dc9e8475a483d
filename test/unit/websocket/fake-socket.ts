/**
 * A hand-driven WebSocket for unit tests of the transport: the test opens it, feeds it frames and
 * closes it with a code, and reads what the transport wrote.
 */
import type { Json } from '../../../src/contract/protocol.ts'

type Listener = (event: { data?: unknown; code?: number; reason?: string }) => void

/** One socket; `FakeSocket.all` lists every socket constructed, newest last. */
export class FakeSocket {
  static all: FakeSocket[] = []
  readonly url: string
  readonly protocols: string | string[] | undefined
  readonly sent: Json[] = []
  readyState = 0
  binaryType = 'blob'
  closedWith: number | null = null
  readonly #listeners = new Map<string, Listener[]>()

  constructor(url: string, protocols?: string | string[]) {
    this.url = url
    this.protocols = protocols
    FakeSocket.all.push(this)
  }

  static get latest(): FakeSocket {
    const socket = FakeSocket.all.at(-1)
    if (!socket) throw new Error('no socket was opened')
    return socket
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send() on a socket that is not open')
    this.sent.push(JSON.parse(data) as Json)
  }

  close(code = 1000): void {
    this.closedWith = code
    this.readyState = 2
  }

  /** Server side: the handshake completed. */
  open(): void {
    this.readyState = 1
    this.#emit('open', {})
  }

  /** Server side: a frame arrives. */
  receive(frame: Json | string): void {
    this.#emit('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) })
  }

  /** The close event, with the server's code. */
  closed(code: number, reason = ''): void {
    this.readyState = 3
    this.#emit('close', { code, reason })
  }

  #emit(type: string, event: { data?: unknown; code?: number; reason?: string }): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event)
  }
}

/** The fake as the transport's `WebSocket` option. */
export const FakeWebSocket = FakeSocket as unknown as typeof globalThis.WebSocket
