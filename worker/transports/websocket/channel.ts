/**
 * One hub topic on one socket: sends encoded into frames, routed frames handed to the hub's
 * handlers, and nothing after `close()`.
 */
import type { Json, SendResult } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, StatusDetail, TransportChannel } from '../transport.ts'

/** What a channel needs from its attempt. */
export interface ChannelHost {
  /** Encodes and writes a tab's send; `'timed out'` when the socket is not open. */
  write(topic: string, event: string, payload: Json): SendResult
  /** The channel leaves: the last one of its topic sends the unsubscribe frame. */
  release(channel: WebSocketChannel): void
}

/**
 * A topic of one WebSocket attempt.
 * @example
 * const channel = new WebSocketChannel('conversation:42', handlers, { write: (topic, event, payload) => attempt.write(topic, event, payload), release })
 * await channel.send('TEXT', { message: 'hi' }, false)   // 'ok' once written
 */
export class WebSocketChannel implements TransportChannel {
  readonly topic: string
  readonly #handlers: ChannelHandlers
  readonly #host: ChannelHost
  #isClosed = false
  #isSubscribed = false

  constructor(topic: string, handlers: ChannelHandlers, host: ChannelHost) {
    this.topic = topic
    this.#handlers = handlers
    this.#host = host
  }

  /**
   * The socket is open and the topic's subscribe frame (if any) was written, or its replay ended
   * (`detail.isContinuous`: it covered what the last attempt missed).
   */
  subscribed(detail?: StatusDetail): void {
    if (this.#isClosed || this.#isSubscribed) return
    this.#isSubscribed = true
    if (detail) this.#handlers.status('SUBSCRIBED', undefined, detail)
    else this.#handlers.status('SUBSCRIBED')
  }

  deliver(event: string, payload: Json): void {
    if (!this.#isClosed) this.#handlers.broadcast(event, payload)
  }

  async send(event: string, payload: Json): Promise<SendResult> {
    if (this.#isClosed) return 'error'
    return this.#host.write(this.topic, event, payload)
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#host.release(this)
  }

  /** The socket is gone: no handler call follows, and no frame is written. */
  drop(): void {
    this.#isClosed = true
  }
}
