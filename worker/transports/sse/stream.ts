/**
 * One `text/event-stream` request, read with `fetch` + eventsource-parser rather than the native
 * EventSource: EventSource cannot send headers, cannot start a fresh stream with a Last-Event-ID,
 * and reconnects by itself with its own policy, which would run beside the hub's. This reader
 * never reconnects: it reports how the stream ended, once.
 * Format: https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
import { createParser } from 'eventsource-parser'
import type { Clock } from '../../../src/contract/clock.ts'
import type { CloseReason } from '../transport.ts'
import type { StreamEvent } from './codec.ts'
import { isHtml, refusal, type AuthPolicy } from './http.ts'

/**
 * What a stream reports. Nothing is reported after `ended`, or after `abort()`.
 * @example
 * const events: StreamEvents = { live, message: (m) => route(m), retry: (ms) => (floor = ms), comment: () => undefined, ended: (reason) => stop(reason) }
 */
export interface StreamEvents {
  /** The first bytes of a 200 arrived: the server holds the subscription (nchan starts with `: hi`). */
  live(): void
  message(message: StreamEvent): void
  /** The server's `retry:` field. */
  retry(ms: number): void
  /** A comment line (`: hi`, `: ping`, nchan's `:408: 408 Request Timeout`), without the colon. */
  comment(text: string): void
  /** `status` is the HTTP status of a refused request. */
  ended(reason: CloseReason, status?: number): void
}

/**
 * One stream request.
 * @example
 * const request: StreamRequest = { url, lastEventId: null, resumeVia: 'query', headers: {}, credentials: 'same-origin', fetch, clock, keepAliveMs: 45_000, maxFrameBytes: 4 << 20, auth }
 */
export interface StreamRequest {
  url: string
  /** The last id seen on this stream's earlier requests, `null` for a fresh stream. */
  lastEventId: string | null
  resumeVia: 'query' | 'header'
  headers: Record<string, string>
  credentials: RequestCredentials
  fetch: typeof fetch
  clock: Clock
  /** No byte for this long ends the stream with `retry` (0 = never). Counted from the request. */
  keepAliveMs: number
  /** Largest event in characters: a larger one ends the stream (never buffered without end). */
  maxFrameBytes: number
  auth: AuthPolicy
}

const retry = (code: string, message: string): CloseReason => ({ kind: 'retry', error: { code, message } })

/**
 * Opens the stream at once.
 * @example
 * const stream = new EventStream(request, events); stream.abort()
 */
export class EventStream {
  readonly #request: StreamRequest
  readonly #events: StreamEvents
  readonly #abort = new AbortController()
  #cancelWatchdog: () => void = () => undefined
  #isDone = false

  constructor(request: StreamRequest, events: StreamEvents) {
    this.#request = request
    this.#events = events
    void this.#run()
  }

  /** Stops reading; no event follows. */
  abort(): void {
    this.#isDone = true
    this.#cancelWatchdog()
    this.#abort.abort()
  }

  async #run(): Promise<void> {
    const { url, lastEventId, resumeVia, headers, credentials, fetch } = this.#request
    const target = new URL(url)
    const sent: Record<string, string> = { accept: 'text/event-stream', ...headers }
    if (lastEventId !== null && resumeVia === 'query') target.searchParams.set('last_event_id', lastEventId)
    if (lastEventId !== null && resumeVia === 'header') sent['last-event-id'] = lastEventId
    this.#arm()
    let response: Response
    try {
      response = await fetch(target.href, { headers: sent, credentials, cache: 'no-store', signal: this.#abort.signal })
    } catch {
      // The query may hold a token: messages name the origin and path only.
      return this.#end(retry('transport', `cannot reach the server at ${target.origin} (network error: the SSE stream request to ${target.pathname} failed); retrying`))
    }
    if (this.#isDone) return void response.body?.cancel().catch(() => undefined)
    if (response.status !== 200 || response.body === null || isHtml(response)) {
      await response.body?.cancel().catch(() => undefined)
      return this.#end(refusal(response, this.#request.auth, `${target.origin}${target.pathname}`), response.status)
    }
    await this.#read(response.body)
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const max = this.#request.maxFrameBytes
    const parser = createParser({
      onEvent: (message) => { if (!this.#isDone) this.#events.message(message) },
      onRetry: (ms) => { if (!this.#isDone) this.#events.retry(ms) },
      onComment: (text) => { if (!this.#isDone) this.#events.comment(text) },
      // The parser stops at the cap (eventsource-parser's maxBufferSize): the attempt ends, and the
      // next one resumes after the last event id, as after any broken stream.
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#end(retry('transport', `the SSE stream sent an event larger than ${max} characters, dropped; raise sseTransport({ maxFrameBytes }) if such events are expected`))
      },
      maxBufferSize: max,
    })
    const reader = body.getReader()
    const decoder = new TextDecoder()
    let isLive = false
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (this.#isDone) return
        if (done) break
        this.#arm()
        if (!isLive) { isLive = true; this.#events.live() }
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch (error) {
      return this.#end(retry('transport', `the SSE stream broke (${String(error)})`))
    }
    this.#end(retry('transport', 'the server ended the SSE stream'))
  }

  // Every byte, comments included, proves the stream alive (a proxy may hold a dead one open).
  #arm(): void {
    this.#cancelWatchdog()
    const ms = this.#request.keepAliveMs
    if (ms <= 0) return
    this.#cancelWatchdog = this.#request.clock.setTimeout(() => {
      this.#end(retry('timeout', `no byte on the SSE stream for ${ms} ms, not even a keep-alive comment`))
    }, ms)
  }

  #end(reason: CloseReason, status?: number): void {
    if (this.#isDone) return
    this.abort()
    if (status === undefined) this.#events.ended(reason)
    else this.#events.ended(reason, status)
  }
}
