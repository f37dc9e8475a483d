/**
 * An embedded Server-Sent-Events pub/sub endpoint with nchan's two routes, so the SSE transport
 * runs against the demo server as it does against nginx + nchan (https://nchan.io):
 *
 * | route | what |
 * |---|---|
 * | `GET /sub/<id>[,<id>…]` | `text/event-stream` of one or several channels; resume with `Last-Event-ID` or `?last_event_id=` |
 * | `POST /pub/<id>` | publish the body to one channel, 202 `{messages, subscribers, last_message_id}` |
 * | `OPTIONS` on both | CORS preflight, answered as nchan does |
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SseStore } from './sse-store.ts'
import { SseStream } from './sse-stream.ts'

/**
 * Knobs of the endpoint; every field is optional.
 *
 * @example
 * await startRealtimeServer({ port: 0, sse: { bufferLength: 50, subscriberTimeoutS: 2 } })
 */
export interface SseOptions {
  /** Messages kept per channel for resumes (nchan `nchan_message_buffer_length`). Default 100. */
  bufferLength?: number
  /** Channels kept; the least recently used ones without streams go first. Default 10000. */
  maxChannels?: number
  /** Close each stream after this many seconds (nchan `nchan_subscriber_timeout`); 0 = never. Default 0. */
  subscriberTimeoutS?: number
  /** Keep-alive comment interval. Default 15000. */
  heartbeatMs?: number
  /** The `retry:` sent at stream start. Default 1000. */
  retryMs?: number
  /** Largest publish body; 413 above it. Default 65536. */
  maxBodyBytes?: number
}

/**
 * The SSE part of `/stats`.
 *
 * @example
 * const { streams } = (await (await fetch(`${url}/stats`)).json()).sse
 */
export interface SseStats {
  /** Open streams now (a multiplexed stream counts once). */
  streams: number
  /** Channels with at least one open stream now. */
  channels: number
  /** Messages published since start. */
  published: number
}

/**
 * The endpoint, mounted in front of the other HTTP routes.
 *
 * @example
 * const sse = createSseEndpoint({}); http.createServer((req, res) => sse.handle(req, res) || other(req, res))
 */
export interface SseEndpoint {
  /** Serve the request if it is `/sub/…` or `/pub/…` and return true; false leaves it to others. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
  stats(): SseStats
  /** End every open stream (server shutdown). */
  closeAll(reason: string): void
}

// nchan 1.3.6's preflight answers, verbatim, so a client that works cross-origin here works there.
// Last-Event-ID is not among the allowed headers: cross-origin, resume with ?last_event_id=.
const SUB_PREFLIGHT = {
  allow: 'GET',
  'access-control-allow-methods': 'GET',
  'access-control-allow-headers': 'If-None-Match, If-Modified-Since, Content-Type, Cache-Control, X-EventSource-Event',
}
const PUB_PREFLIGHT = { allow: 'POST', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'Content-Type' }
// nchan multiplexes at most 255 channels in one stream.
const MAX_MULTIPLEX = 255

/**
 * Create an endpoint with its own channels.
 *
 * @example
 * const sse = createSseEndpoint({ subscriberTimeoutS: 2 })
 */
export function createSseEndpoint(options: SseOptions = {}): SseEndpoint {
  const store = new SseStore({ bufferLength: options.bufferLength ?? 100, maxChannels: options.maxChannels ?? 10_000 })
  const streams = new Set<SseStream>()
  const timing = {
    retryMs: options.retryMs ?? 1000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    closeAfterMs: (options.subscriberTimeoutS ?? 0) * 1000,
    maxQueuedBytes: 1 << 20,
  }
  const maxBodyBytes = options.maxBodyBytes ?? 65_536

  function subscribe(req: IncomingMessage, res: ServerResponse, url: URL, names: string[]): void {
    // As nchan: a plain GET is not a subscriber (EventSource always sends this Accept).
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return reply(req, res, 403, { error: 'Send Accept: text/event-stream' })
    const header = req.headers['last-event-id']
    const cursor = store.cursorOf(url.searchParams.get('last_event_id') ?? (typeof header === 'string' ? header : null))
    if (cursor === null) return reply(req, res, 400, { error: 'Message ID invalid: send back an id this server sent, unchanged' })
    let unsubscribe = (): void => undefined
    const stream = new SseStream(res, timing, () => {
      unsubscribe()
      streams.delete(stream)
    })
    const subscription = store.subscribe(names, cursor, (message) => stream.send(message))
    unsubscribe = subscription.unsubscribe
    streams.add(stream)
    stream.start(subscription.replay, cors(req))
  }

  function publish(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge(req, res, maxBodyBytes)
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBodyBytes) chunks.push(chunk)
      else if (!res.headersSent) tooLarge(req, res, maxBodyBytes)
    })
    req.on('end', () => {
      if (res.headersSent) return
      const { message, subscribers, buffered } = store.publish(name, Buffer.concat(chunks).toString('utf8'))
      reply(req, res, 202, { messages: buffered, subscribers, last_message_id: message.id })
    })
  }

  function route(req: IncomingMessage, res: ServerResponse, url: URL, kind: string, names: string[] | null): void {
    const method = req.method ?? 'GET'
    if (method === 'OPTIONS') return reply(req, res, 200, undefined, kind === 'sub' ? SUB_PREFLIGHT : PUB_PREFLIGHT)
    const allowed = kind === 'sub' ? 'GET' : 'POST'
    if (method !== allowed) return reply(req, res, 405, { error: `Use ${allowed}` }, { allow: allowed })
    if (names === null || names.length > MAX_MULTIPLEX) {
      return reply(req, res, 400, { error: `Name 1 to ${MAX_MULTIPLEX} non-empty channels, comma-separated` })
    }
    if (kind === 'sub') return subscribe(req, res, url, names)
    const [name] = names
    if (name === undefined || names.length > 1) {
      return reply(req, res, 400, { error: 'Publish to one channel; "," separates channels only in /sub/' })
    }
    publish(req, res, name)
  }

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const match = /^\/(sub|pub)\/(.+)$/.exec(url.pathname)
      if (match === null) return false
      const [, kind = '', rawIds = ''] = match
      route(req, res, url, kind, channelNames(rawIds))
      return true
    },
    stats: () => ({ streams: streams.size, channels: store.activeChannels(), published: store.published }),
    closeAll(reason) {
      for (const stream of [...streams]) stream.close(reason)
    },
  }
}

// The path arrives percent-encoded; nginx matches the decoded URI, then nchan splits on ','.
function channelNames(raw: string): string[] | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return null
  }
  const names = decoded.split(',')
  return names.every((name) => name.length > 0) ? names : null
}

// nchan reflects the caller's Origin and allows credentials; without an Origin it sends nothing.
function cors(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin
  if (origin === undefined) return {}
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const json = body === undefined ? undefined : JSON.stringify(body)
  res.writeHead(status, { ...cors(req), ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) })
  res.end(json)
}

// Answer before the body is read, and close: reading megabytes only to refuse them helps nobody.
function tooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  reply(req, res, 413, { error: `Body over ${limit} bytes: send less` }, { connection: 'close' })
  req.resume()
}
