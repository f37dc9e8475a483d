/**
 * One open `text/event-stream` response: the framing (https://html.spec.whatwg.org/multipage/server-sent-events.html),
 * the keep-alive comments and the optional server-side close.
 */
import type { ServerResponse } from 'node:http'
import type { SseMessage } from './sse-store.ts'

/**
 * Timing of a stream.
 *
 * @example
 * const timing: StreamTiming = { retryMs: 1000, heartbeatMs: 15_000, closeAfterMs: 0, maxQueuedBytes: 1 << 20 }
 */
export interface StreamTiming {
  /** Sent as `retry:` at the start: the reconnection delay a client should not go below. */
  retryMs: number
  /** A comment this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs: number
  /** End the stream after this long (like `nchan_subscriber_timeout`); 0 = never. */
  closeAfterMs: number
  /** A client that lets this much pile up unread is cut; it resumes from its last id. */
  maxQueuedBytes: number
}

/**
 * Frame one message: `id:`, then one `data:` line per line of the payload.
 *
 * @example
 * frame({ seq: 1, id: 'lx2k-1', channel: 'a', data: 'x\ny' }) // 'id: lx2k-1\ndata: x\ndata: y\n\n'
 */
export function frame(message: SseMessage): string {
  const data = message.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`)
  return `id: ${message.id}\n${data.join('')}\n`
}

/**
 * A stream over a response whose headers this class writes.
 *
 * @example
 * const stream = new SseStream(res, timing, () => unsubscribe())
 * stream.start(replay, { "access-control-allow-origin": origin })
 */
export class SseStream {
  readonly #res: ServerResponse
  readonly #timing: StreamTiming
  readonly #onClose: () => void
  #timers: Array<ReturnType<typeof setTimeout>> = []
  #isClosed = false

  constructor(res: ServerResponse, timing: StreamTiming, onClose: () => void) {
    this.#res = res
    this.#timing = timing
    this.#onClose = onClose
    // The client went away (tab closed, fetch aborted): release the subscription at once.
    res.once('close', () => this.#finish())
  }

  /**
   * Write the headers, the `retry:` line and the replayed messages, then start the timers.
   *
   * @example
   * stream.start([], {})
   */
  start(replay: readonly SseMessage[], headers: Record<string, string>): void {
    this.#res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx in front of this must not buffer the stream.
      'x-accel-buffering': 'no',
    })
    this.#res.flushHeaders()
    this.#write(`: hi\nretry: ${this.#timing.retryMs}\n\n${replay.map(frame).join('')}`)
    const { heartbeatMs, closeAfterMs } = this.#timing
    if (heartbeatMs > 0) this.#timers.push(setInterval(() => this.#write(': ping\n\n'), heartbeatMs).unref())
    if (closeAfterMs > 0) this.#timers.push(setTimeout(() => this.close('timeout'), closeAfterMs).unref())
  }

  /**
   * Send one live message.
   *
   * @example
   * stream.send(message)
   */
  send(message: SseMessage): void {
    this.#write(frame(message))
  }

  /**
   * End the stream from the server side with a comment saying why.
   *
   * @example
   * stream.close('server shutting down')
   */
  close(reason: string): void {
    if (this.#isClosed) return
    if (!this.#res.writableEnded) this.#res.end(`: ${reason}\n\n`)
    this.#finish()
  }

  #write(text: string): void {
    if (this.#isClosed) return
    this.#res.write(text)
    if (this.#res.writableLength > this.#timing.maxQueuedBytes) this.close('client too slow')
  }

  #finish(): void {
    if (this.#isClosed) return
    this.#isClosed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers = []
    this.#onClose()
  }
}
