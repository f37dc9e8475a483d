/**
 * What an app tells the Socket.IO transport about its server: the events that join and leave a
 * room, how a send becomes an emit and an incoming event finds its topic, what `auth` carries and
 * which claim names the user. Every default fits a server written like test/servers/socketio.
 */
import type { ManagerOptions, SocketOptions } from 'socket.io-client'
import type { Capabilities, CloseReason, IdentityClaim, Json } from '../../index.ts'

/** The server subscription of one topic: the room's name is all Socket.IO needs. */
export interface SocketIoSpec {
  topic: string
}

/**
 * An emit: the event name, then its arguments (an ack callback is added where one is awaited).
 * @example
 * const call: SocketIoCall = ['join', 'room-1']
 */
export type SocketIoCall = [event: string, ...args: Json[]]

/**
 * An incoming event as the hub delivers it to a topic's tabs.
 * @example
 * const routed: SocketIoRouted = { topic: 'room-1', event: 'message', payload: { text: 'hi' } }
 */
export interface SocketIoRouted {
  topic: string
  event: string
  payload: Json
}

/**
 * Options of `socketioTransport()`; functions stay in the worker file.
 * @example
 * socketioTransport({ identityClaim: 'user_id', join: (topic) => ['subscribe', { room: topic }] })
 */
export interface SocketIoTransportOptions {
  /** The JWT claim that names the user (Django SimpleJWT: `'user_id'`). Default `'sub'`. */
  identityClaim?: IdentityClaim
  /** The emit that joins a topic's room. Default `['join', topic]`. */
  join?(topic: string): SocketIoCall
  /** The emit that leaves it (`null`: none). Default `['leave', topic]`. */
  leave?(topic: string): SocketIoCall | null
  /** The server acks the join (a refusal fails the topic with `join-failed`). Default true. */
  isJoinAcked?: boolean
  /** A tab's send → the emit (`null` fails that send with `'error'`). Default `[event, topic, payload]`. */
  encode?(topic: string, event: string, payload: Json): SocketIoCall | null
  /**
   * An incoming event → its topic (`null`: ignored). `args` ends with the recovery offset (a string)
   * where the server has connection-state recovery on. Default: `(event, topic, payload)` emits.
   */
  route?(event: string, args: readonly unknown[]): SocketIoRouted | null
  /** An ack reply → why the server refused (`null`: accepted). Default: `{ error: string }` refuses. */
  refusal?(reply: unknown): string | null
  /** The `auth` of a connect, from the tab's token. Default `{ token }`. */
  auth?(token: string | null): { [key: string]: Json }
  /** A `connect_error` → the end of the attempt. Default: a message naming `unauthorized` asks a tab for a fresh token. */
  connectError?(error: Error): CloseReason
  /** How long a join or an acked send waits for the server's ack. Default 10 000. */
  ackTimeoutMs?: number
  /**
   * Passed to `io()`. Default `transports: ['websocket']`; polling needs `XMLHttpRequest`, which a
   * worker lacks: give engine.io-client's `Fetch` transport class where the app allows polling.
   */
  socket?: Partial<ManagerOptions & SocketOptions>
  /** Overrides of the defaults (acks, no presence/postgres/private topics, no echo, 1 MB). */
  capabilities?: Partial<Capabilities>
}

/**
 * Options with every default applied.
 * @example
 * const settings: SocketIoSettings = resolveOptions({})
 */
export type SocketIoSettings = Required<Omit<SocketIoTransportOptions, 'capabilities' | 'socket'>> & Pick<SocketIoTransportOptions, 'socket'>

function route(event: string, args: readonly unknown[]): SocketIoRouted | null {
  const [topic, payload] = args
  return typeof topic === 'string' ? { topic, event, payload: (payload ?? null) as Json } : null
}

function refusal(reply: unknown): string | null {
  if (typeof reply !== 'object' || reply === null || !('error' in reply)) return null
  return typeof reply.error === 'string' ? reply.error : 'refused'
}

function connectError(error: Error): CloseReason {
  if (/unauthori[sz]ed/i.test(error.message)) {
    return { kind: 'unauthorized', error: { code: 'unauthorized', message: `the server refused the token (${error.message}); asking a tab for a fresh one before retrying` } }
  }
  return { kind: 'retry', error: { code: 'transport', message: `Socket.IO could not connect (${error.message})` } }
}

/**
 * Fills in the defaults.
 * @example
 * resolveOptions({}).join('room-1') // ['join', 'room-1']
 */
export function resolveOptions(options: SocketIoTransportOptions): SocketIoSettings {
  return {
    identityClaim: 'sub', join: (topic) => ['join', topic], leave: (topic) => ['leave', topic], isJoinAcked: true,
    encode: (topic, event, payload) => [event, topic, payload], route, refusal,
    auth: (token): { [key: string]: Json } => (token === null ? {} : { token }), connectError, ackTimeoutMs: 10_000,
    ...options,
  }
}
