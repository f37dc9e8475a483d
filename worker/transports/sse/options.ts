/**
 * What an app can tell the SSE transport, and the defaults that fit nginx + nchan and the demo
 * server's endpoint (`GET /sub/<id>[,<id>…]`, `POST /pub/<id>`, ids resumed with `?last_event_id=`).
 */
import type { Clock } from '../../../src/contract/clock.ts'
import type { ConnectionTarget, Json } from '../../../src/contract/protocol.ts'
import type { IdentityClaim } from '../../connection/claims.ts'
import { decodeEvent, encodeEvent, type Decoded, type StreamEvent } from './codec.ts'

/**
 * Options of `sseTransport()`; every field has a default.
 * @example
 * sseTransport({ mode: 'multiplexed', credentials: 'include', keepAliveMs: 45_000 })
 */
export interface SseTransportOptions {
  /** One stream per topic (default), or one stream for the union of a connection's topics. */
  mode?: 'per-topic' | 'multiplexed'
  /** The stream URL of these topics. Default `${endpoint}/sub/<t1>,<t2>…` (each name URL-encoded). */
  streamUrl?(topics: readonly string[], target: ConnectionTarget): string
  /** Where a send is POSTed. Default `${endpoint}/pub/<topic>`. */
  publishUrl?(topic: string, target: ConnectionTarget): string
  /** The request body of a send. Default: JSON of the payload with `type: event` (and `topic` when multiplexed). */
  encode?(topic: string, event: string, payload: Json, mode: SseMode): string
  /** Which topic, event and payload a stream event is; `null` drops it. Default: see `decodeEvent`. */
  decode?(message: StreamEvent, streamTopics: readonly string[], mode: SseMode): Decoded | null
  /** How a re-opened stream names its last id: `?last_event_id=` (default; nchan refuses the header cross-origin) or `Last-Event-ID`. */
  resumeVia?: 'query' | 'header'
  /** `fetch` credentials of streams and sends; `'include'` for cookie auth across origins. Default `'same-origin'`. */
  credentials?: RequestCredentials
  /** Extra request headers; default `Authorization: Bearer <token>` when there is a token. */
  headers?(token: string | null, target: ConnectionTarget): Record<string, string>
  /** A stream silent this long (no byte, not even a comment) is dead: the attempt ends. 0 = never. Default 45 000. */
  keepAliveMs?: number
  /** How long a multiplexed stream waits for more joins before it re-opens. Default 25. */
  debounceMs?: number
  /** Floor of the next attempt when the server sent no `retry:` (nchan sends none). Default 1000. */
  defaultRetryMs?: number
  /**
   * Bounds of a server's wish for the next attempt (`retry:` and `Retry-After`): below `minRetryMs`
   * it is raised (a `retry: 0` cannot make every tab's hub hammer the server), above `maxRetryMs`
   * cut (`Retry-After: 2592000` waits minutes, not a month; past 2^31−1 ms a timer fires at once).
   * Defaults 100 and 300 000.
   */
  minRetryMs?: number
  maxRetryMs?: number
  /**
   * Largest event the stream may send, counted in decoded characters (never more than its UTF-8
   * bytes); a larger one ends the attempt with a `transport` error instead of being buffered
   * without end. Default 4 MiB.
   */
  maxFrameBytes?: number
  /** What a 401 / 403 on a stream means: ask a tab for a fresh token, or stop. Default unauthorized / fatal. */
  onUnauthorized?: 'unauthorized' | 'fatal'
  onForbidden?: 'unauthorized' | 'fatal'
  /** How long a send's POST may take. Default 10 000. */
  sendTimeoutMs?: number
  /**
   * A multiplexed stream keeps left topics in its URL (nchan's compound ids are positional: removing
   * one makes the last id unusable). Past this many, the next re-open drops them and starts without an id.
   */
  maxIdleTopics?: number
  /**
   * The JWT claim(s) naming the user when the tab gives no explicit `identity`, tried in order.
   * Default `['user_id', 'sub']`, as the WebSocket transport (see worker/connection/claims.ts).
   */
  identityClaim?: IdentityClaim
  fetch?: typeof fetch
  clock?: Clock
}

/** The two stream layouts. */
export type SseMode = 'per-topic' | 'multiplexed'

/** Options with every default filled in. */
export type ResolvedSseOptions = Required<SseTransportOptions>

const trimmed = (endpoint: string): string => endpoint.replace(/\/+$/, '')

/**
 * Fills in the defaults.
 * @example
 * resolveOptions({ mode: 'multiplexed' }, systemClock).keepAliveMs // 45000
 */
export function resolveOptions(options: SseTransportOptions, clock: Clock): ResolvedSseOptions {
  return {
    mode: 'per-topic',
    // A ',' inside a name would split it on nchan (nginx decodes %2C before nchan splits).
    streamUrl: (topics, target) => `${trimmed(target.endpoint)}/sub/${topics.map(encodeURIComponent).join(',')}`,
    publishUrl: (topic, target) => `${trimmed(target.endpoint)}/pub/${encodeURIComponent(topic)}`,
    encode: encodeEvent,
    decode: decodeEvent,
    resumeVia: 'query',
    credentials: 'same-origin',
    headers: (token): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` }),
    keepAliveMs: 45_000,
    debounceMs: 25,
    defaultRetryMs: 1000,
    minRetryMs: 100,
    maxRetryMs: 300_000,
    maxFrameBytes: 4 * 1024 * 1024,
    onUnauthorized: 'unauthorized',
    onForbidden: 'fatal',
    sendTimeoutMs: 10_000,
    maxIdleTopics: 8,
    identityClaim: ['user_id', 'sub'],
    // Called through globalThis: a detached `fetch` throws "Illegal invocation" in browsers.
    fetch: (input, init) => globalThis.fetch(input, init),
    clock,
    ...options,
  }
}
