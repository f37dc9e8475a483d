/**
 * A small SSE client for tests: `fetch` + `eventsource-parser`, the way the worker transport reads
 * streams (native EventSource cannot set headers, and Node 20 has none). It records everything and
 * lets a test wait for a condition with a bounded timeout instead of sleeping.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser'

/**
 * How to open a stream.
 *
 * @example
 * await SseReader.open(`${url}/sub/a`, { lastEventId: id, via: 'query' })
 */
export interface OpenOptions {
  /** Resume after this id. */
  lastEventId?: string
  /** Send the id as the `Last-Event-ID` header (default) or as `?last_event_id=`. */
  via?: 'header' | 'query'
  headers?: Record<string, string>
}

/**
 * One open (or ended) stream and everything it received.
 *
 * @example
 * const reader = await SseReader.open(`${url}/sub/room`)
 * const [event] = await reader.waitEvents(1)
 * reader.close()
 */
export class SseReader {
  readonly status: number
  readonly headers: Headers
  readonly events: EventSourceMessage[] = []
  readonly comments: string[] = []
  retryMs: number | undefined
  isEnded = false
  readonly #abort: AbortController
  readonly #waiters = new Set<() => void>()

  private constructor(response: Response, abort: AbortController) {
    this.status = response.status
    this.headers = response.headers
    this.#abort = abort
  }

  /**
   * Open a stream; resolves with the response status and headers, and for a 200 only after the
   * server's first bytes (nchan's `: hi`), so the subscription exists before the test publishes.
   *
   * @example
   * const reader = await SseReader.open(`${url}/sub/a,b`)
   */
  static async open(url: string, options: OpenOptions = {}, timeoutMs = 5000): Promise<SseReader> {
    const target = new URL(url)
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers }
    if (options.lastEventId !== undefined) {
      if (options.via === 'query') target.searchParams.set('last_event_id', options.lastEventId)
      else headers['last-event-id'] = options.lastEventId
    }
    const abort = new AbortController()
    const response = await fetch(target, { headers, signal: abort.signal })
    const reader = new SseReader(response, abort)
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel()
      reader.isEnded = true
      return reader
    }
    void reader.#pump(response.body)
    await reader.until(() => reader.comments.length + reader.events.length > 0 || reader.isEnded, timeoutMs, 'first bytes')
    return reader
  }

  /**
   * Wait until `count` events arrived; returns them all.
   *
   * @example
   * const events = await reader.waitEvents(2)
   */
  async waitEvents(count: number, timeoutMs = 5000): Promise<EventSourceMessage[]> {
    await this.until(() => this.events.length >= count, timeoutMs, `${count} events (have ${this.events.length})`)
    return this.events
  }

  /**
   * Wait until the server ends the stream.
   *
   * @example
   * await reader.waitEnded(5000)
   */
  waitEnded(timeoutMs = 5000): Promise<void> {
    return this.until(() => this.isEnded, timeoutMs, 'the stream to end')
  }

  /**
   * Wait for any condition on what arrived; rejects after `timeoutMs`.
   *
   * @example
   * await reader.until(() => reader.comments.includes('ping'), 3000, 'a ping')
   */
  until(condition: () => boolean, timeoutMs: number, label: string): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(check)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`))
      }, timeoutMs)
      this.#waiters.add(check)
    })
  }

  /** The id of the last event received, what a client sends back to resume. */
  get lastId(): string | undefined {
    return this.events.at(-1)?.id
  }

  /** The data of every event, in order. */
  get data(): string[] {
    return this.events.map((e) => e.data)
  }

  /** Close from the client side. */
  close(): void {
    this.#abort.abort()
  }

  async #pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createParser({
      onEvent: (event) => this.events.push(event),
      onComment: (comment) => this.comments.push(comment.trim()),
      onRetry: (ms) => (this.retryMs = ms),
    })
    const decoder = new TextDecoder()
    const reader = body.getReader()
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        parser.feed(decoder.decode(read.value, { stream: true }))
        this.#notify()
      }
    } catch {
      // Aborted by close(), or the connection was cut: both end the stream.
    }
    this.isEnded = true
    this.#notify()
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check()
  }
}
