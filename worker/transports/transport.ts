/**
 * What the hub needs from a realtime connection. Supabase Realtime is the first implementation;
 * plain WebSocket and SSE transports implement the same interface later.
 */
import type { ChannelStatus, Json, PostgresFilter, PresenceState, SendResult, WireError } from '../../src/contract/protocol.ts'

/** The server-side shape of one topic: the union of what every tab asked for. */
export interface ChannelSpec {
  topic: string
  isPrivate: boolean
  presenceKey: string
  hasPresence: boolean
  postgres: PostgresFilter[]
}

/** Everything a server channel reports, already translated into tabrelay's vocabulary. */
export interface ChannelHandlers {
  status(status: ChannelStatus, error?: WireError): void
  broadcast(event: string, payload: Json, meta?: Json): void
  presence(event: 'sync' | 'join' | 'leave', detail: { key?: string; state: PresenceState; current?: Json[]; joined?: Json[]; left?: Json[] }): void
  postgres(bindingKeys: string[], payload: Json): void
  system(payload: Json): void
}

/** One joined topic on the connection. */
export interface TransportChannel {
  send(event: string, payload: Json, ack: boolean): Promise<SendResult>
  track(meta: { [key: string]: Json }): Promise<SendResult>
  untrack(): Promise<SendResult>
  presenceState(): PresenceState
  close(): Promise<void>
}

/** Socket-level events: the hub turns them into the tabs' connection status. */
export interface SocketEvents {
  open(): void
  closed(error: WireError): void
}

/** Options every transport receives. */
export interface TransportOptions {
  url: string
  apikey: string
  token: string | null
  /** Asked before every (re)connect and on heartbeats; returns the freshest token of the identity. */
  accessToken(): Promise<string | null>
  /** The hub's backoff policy, asked once per retry; the transport must not use one of its own. */
  nextRetryDelayMs(): number
  events: SocketEvents
}

/** A live connection; `close()` is final (the hub builds a new one to resume). */
export interface Transport {
  connect(): void
  setAuth(token: string | null): Promise<void>
  channel(spec: ChannelSpec, handlers: ChannelHandlers): TransportChannel
  isOpen(): boolean
  close(): Promise<void>
}

/** Builds a transport; injected so unit tests use a fake. */
export type TransportFactory = (options: TransportOptions) => Transport
