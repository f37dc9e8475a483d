/**
 * What an app tells the WebSocket transport about its server: where to connect, how frames are
 * written and read, which of them subscribe, how keep-alive works and which close codes mean
 * "sign in again" or "stop". Everything has a default except what only the app knows.
 */
import type { ConnectionTarget, Json } from '../../../src/contract/protocol.ts'
import type { Clock } from '../../../src/contract/clock.ts'
import type { Capabilities } from '../transport.ts'
import type { IdentityClaim } from '../../connection/claims.ts'
import type { ResumeOptions } from './resume.ts'

/**
 * One incoming frame as the hub delivers it: `topic` absent or `null` = the user topic.
 * @example
 * const routed: Routed = { topic: 'conversation:42', event: 'TEXT', payload: frame }
 */
export interface Routed {
  topic?: string | null
  event: string
  payload: Json
}

/**
 * How frames become text on the wire and back. `decode` may throw: that frame is dropped.
 * @example
 * const codec: Codec = { encode: (frame) => JSON.stringify(frame), decode: (data) => JSON.parse(String(data)) }
 */
export interface Codec {
  encode(frame: Json): string
  decode(data: string | ArrayBuffer): Json
}

/**
 * Keep-alive: `frame` every `intervalMs`; no frame passing `isPong` within `timeoutMs` closes the
 * attempt (kind `retry`), which catches half-open sockets that never report a close.
 * @example
 * const ping: PingOptions = { frame: { type: 'ping' }, intervalMs: 25_000, timeoutMs: 10_000, isPong: (f) => isObject(f) && f.type === 'pong' }
 */
export interface PingOptions {
  frame: Json
  intervalMs: number
  timeoutMs: number
  isPong(frame: Json): boolean
}

/**
 * Close codes the app's server uses: `unauthorized` make the hub ask a tab for a fresh token
 * before the next attempt; `fatal` stop retrying with a status error.
 * @example
 * const closeCodes: CloseCodes = { unauthorized: [4401, 4403], fatal: [4400] }
 */
export interface CloseCodes {
  unauthorized: readonly number[]
  fatal: readonly number[]
}

/**
 * Options of `websocketTransport()`; functions stay in the worker file (they do not cross
 * `postMessage`).
 * @example
 * websocketTransport({ ...inboxFrames(), echoesToSender: true, closeCodes: { unauthorized: [4401], fatal: [] } })
 */
export interface WebSocketTransportOptions {
  /** The socket URL of an attempt; default `target.endpoint` plus `?token=` when there is a token. */
  url?(target: ConnectionTarget, token: string | null): string
  protocols?: string | string[]
  codec?: Codec
  /** An incoming frame → its topic, event and payload; `null` ignores it. Default: `{topic, event, payload}` frames. */
  route?(frame: Json): Routed | null
  /** A tab's send → the frame to write; `null` fails that send with `'error'`. Default: `{topic, event, payload}`. */
  encode?(topic: string, event: string, payload: Json): Json | null
  /** Written on the first join of a topic on an attempt (and so again on every new attempt). */
  subscribe?(topic: string): Json | null
  /**
   * The server replays what a socket missed (off by default): subscribes carry each topic's last
   * seen id (kept across attempts), replayed and live frames are deduplicated by id, and a rejoin
   * whose replay covered the gap sends tabs no `resync`. Replaces `subscribe`.
   */
  resume?: ResumeOptions
  /** Written when the last channel of a topic leaves on an open socket. */
  unsubscribe?(topic: string): Json | null
  /** Where frames without a topic go; never subscribed with a frame. Default `'user'`. */
  userTopic?: string
  /** The server sends a socket's own frames back to it (Django's `group_send` does). Default false. */
  echoesToSender?: boolean
  ping?: PingOptions
  closeCodes?: Partial<CloseCodes>
  /**
   * A frame carrying a fresher token on the open socket. Without it a token change (same user)
   * takes effect on the next attempt: the URL of an open socket cannot change.
   */
  authFrame?(token: string | null): Json | null
  /**
   * The JWT claim(s) naming the user when the tab gives no explicit `identity`, tried in order.
   * Default `['user_id', 'sub']`: Django SimpleJWT writes `user_id` (an integer), most other issuers
   * `sub`. A token without any of them is its own identity (see worker/connection/claims.ts).
   */
  identityClaim?: IdentityClaim
  /** Overrides of the defaults (no presence, postgres, private topics or acks; 256/64/1 MB limits). */
  capabilities?: Partial<Capabilities>
  /**
   * Event names the server reads as its own control frames (an inbox: `subscribe`, `unsubscribe`,
   * `ping`): a tab's send with one fails `bad-input`, since it would act on the socket every tab
   * shares. Added to `capabilities.reservedEvents`. Default none.
   */
  reservedEvents?: readonly string[]
  /**
   * Largest incoming frame (a text frame counted in characters, a binary one in bytes): a larger
   * one is not decoded, and ends the attempt with a `transport` error. Default 4 MiB.
   */
  maxFrameBytes?: number
  /** The WebSocket constructor; the worker's global one by default, `ws` in Node. */
  WebSocket?: typeof WebSocket
  clock?: Clock
}

/**
 * Options with every default applied.
 * @example
 * const settings: WebSocketSettings = resolveOptions({}, systemClock)
 */
export type WebSocketSettings = Required<Omit<WebSocketTransportOptions, 'protocols' | 'ping' | 'authFrame' | 'subscribe' | 'unsubscribe' | 'resume' | 'capabilities' | 'closeCodes' | 'WebSocket' | 'reservedEvents' | 'identityClaim'>>
  & Pick<WebSocketTransportOptions, 'protocols' | 'ping' | 'authFrame' | 'subscribe' | 'unsubscribe' | 'resume' | 'WebSocket'>
  & { closeCodes: CloseCodes }

const decoder = new TextDecoder()

/**
 * JSON text frames; a binary frame is read as UTF-8 JSON.
 * @example
 * JSON_CODEC.decode('{"type":"pong"}') // { type: 'pong' }
 */
export const JSON_CODEC: Codec = {
  encode: (frame) => JSON.stringify(frame),
  decode: (data) => JSON.parse(typeof data === 'string' ? data : decoder.decode(data)) as Json,
}

/**
 * Whether a frame is a JSON object (not an array or null).
 * @example
 * if (isObject(frame) && typeof frame.type === 'string') route(frame)
 */
export function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The socket URL: `endpoint?token=…` (or `&token=` when the endpoint has a query already).
 * @example
 * tokenUrl({ transport: 'inbox', endpoint: 'ws://h/ws/inbox/', params: {}, identity: null }, 'jwt') // 'ws://h/ws/inbox/?token=jwt'
 */
export function tokenUrl(target: ConnectionTarget, token: string | null): string {
  if (token === null || token === '') return target.endpoint
  return `${target.endpoint}${target.endpoint.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
}

function envelope(frame: Json): Routed | null {
  if (!isObject(frame) || typeof frame['event'] !== 'string') return null
  const topic = typeof frame['topic'] === 'string' ? frame['topic'] : null
  return { topic, event: frame['event'], payload: frame['payload'] ?? null }
}

/**
 * Fills in the defaults.
 * @example
 * resolveOptions({ echoesToSender: true }, systemClock).userTopic // 'user'
 */
export function resolveOptions(options: WebSocketTransportOptions, clock: Clock): WebSocketSettings {
  return {
    url: tokenUrl, codec: JSON_CODEC, route: envelope, encode: (topic, event, payload) => ({ topic, event, payload }),
    userTopic: 'user', echoesToSender: false, clock, maxFrameBytes: 4 * 1024 * 1024,
    ...options,
    closeCodes: { unauthorized: options.closeCodes?.unauthorized ?? [4401, 4403], fatal: options.closeCodes?.fatal ?? [] },
  }
}
