/**
 * One joined topic of an SSE attempt: it reports SUBSCRIBED once a stream carrying it is live, hands
 * the stream's events to the hub, and publishes sends one after another (two POSTs in flight could
 * reach the server out of order; a socket never reorders).
 */
import type { Json, SendResult } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, TransportChannel } from '../transport.ts'

/**
 * A topic's channel on an SSE attempt.
 * @example
 * const channel = new SseChannel('room:1', handlers, (event, payload) => post(event, payload), () => forget())
 */
export class SseChannel implements TransportChannel {
  readonly topic: string
  readonly #handlers: ChannelHandlers
  readonly #publish: (event: string, payload: Json) => Promise<SendResult>
  readonly #onClose: (channel: SseChannel) => void
  #queue: Promise<unknown> = Promise.resolve()
  #isSubscribed = false
  #isClosed = false

  constructor(topic: string, handlers: ChannelHandlers, publish: (event: string, payload: Json) => Promise<SendResult>, onClose: (channel: SseChannel) => void) {
    this.topic = topic
    this.#handlers = handlers
    this.#publish = publish
    this.#onClose = onClose
  }

  get isSubscribed(): boolean {
    return this.#isSubscribed
  }

  /**
   * A stream carrying the topic is live. `isGap`: that stream could not resume where the last one
   * stopped, so SUBSCRIBED is reported again and the hub sends the tabs a `resync`.
   */
  subscribed(isGap = false): void {
    if (this.#isClosed || (this.#isSubscribed && !isGap)) return
    this.#isSubscribed = true
    this.#handlers.status('SUBSCRIBED')
  }

  /** An event of the topic arrived on a live stream. */
  deliver(event: string, payload: Json): void {
    if (!this.#isClosed && this.#isSubscribed) this.#handlers.broadcast(event, payload)
  }

  send(event: string, payload: Json): Promise<SendResult> {
    const sent = this.#queue.then(() => this.#publish(event, payload))
    this.#queue = sent.catch(() => undefined)
    return sent
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#onClose(this)
  }
}
