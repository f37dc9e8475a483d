/**
 * The public types of the Supabase adapter, in the shapes (and names) of supabase-js 2.x's, so an
 * app's callbacks annotated with supabase-js types (`RealtimePostgresInsertPayload<Row>`, …) type-
 * check against tabrelay's channel too. Row and meta types may be interfaces: the generics take
 * any object, not only JSON index types.
 */
import type { ChannelConfig, ChannelStatus, OutboxReport, Persist, ResyncPayload, SendOutcome, SendResult } from '../contract/protocol.ts'
import type { ChannelState } from '../core/membership.ts'
import type { Serializable } from '../contract/payload.ts'

/**
 * Told about every status transition; `SUBSCRIBED` again after each rejoin.
 * @example
 * room.subscribe((status, err) => { if (status === 'CHANNEL_ERROR') console.warn(err) })
 */
export type SubscribeCallback = (status: ChannelStatus, error?: Error) => void

/**
 * A broadcast as supabase-js delivers it; `T` is the payload the app sends on that event.
 * @example
 * room.on<{ text: string }>('broadcast', { event: 'message' }, ({ payload }) => show(payload.text))
 */
export interface BroadcastMessage<T = { [key: string]: unknown }> {
  type: 'broadcast'
  event: string
  payload: T
  meta?: { replayed?: boolean; id: string }
}

/** One presence as supabase-js delivers it: the tracked meta plus its `presence_ref`. */
export type Presence<T extends object = {}> = { presence_ref: string } & T

/**
 * Presence state as `presenceState<T>()` returns it: key → presences.
 * @example
 * const online = Object.keys(room.presenceState<{ name: string }>())
 */
export type RealtimePresenceState<T extends object = {}> = { [key: string]: Array<Presence<T>> }

/**
 * A presence join as supabase-js delivers it.
 * @example
 * room.on<{ name: string }>('presence', { event: 'join' }, ({ newPresences }) => greet(newPresences[0]?.name))
 */
export interface RealtimePresenceJoinPayload<T extends object = {}> {
  event: 'join'
  key: string
  currentPresences: Array<Presence<T>>
  newPresences: Array<Presence<T>>
}

/**
 * A presence leave as supabase-js delivers it.
 * @example
 * room.on('presence', { event: 'leave' }, ({ key }) => dim(key))
 */
export interface RealtimePresenceLeavePayload<T extends object = {}> {
  event: 'leave'
  key: string
  currentPresences: Array<Presence<T>>
  leftPresences: Array<Presence<T>>
}

interface PostgresChangesBase {
  schema: string
  table: string
  commit_timestamp: string
  errors: string[]
}

/**
 * An INSERT as supabase-js delivers it.
 * @example
 * room.on<Message>('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (c) => add(c.new))
 */
export type RealtimePostgresInsertPayload<T extends object> = PostgresChangesBase & { eventType: 'INSERT'; new: T; old: {} }

/**
 * An UPDATE as supabase-js delivers it; `old` holds the keys unless REPLICA IDENTITY FULL.
 * @example
 * room.on<Message>('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'messages' }, (c) => edit(c.new))
 */
export type RealtimePostgresUpdatePayload<T extends object> = PostgresChangesBase & { eventType: 'UPDATE'; new: T; old: Partial<T> }

/**
 * A DELETE as supabase-js delivers it.
 * @example
 * room.on<Message>('postgres_changes', { event: 'DELETE', schema: 'public', table: 'messages' }, (c) => drop(c.old))
 */
export type RealtimePostgresDeletePayload<T extends object> = PostgresChangesBase & { eventType: 'DELETE'; new: {}; old: Partial<T> }

/**
 * Any row change.
 * @example
 * room.on<Message>('postgres_changes', { event: '*', schema: 'public' }, (c) => c.eventType)
 */
export type RealtimePostgresChangesPayload<T extends object> = RealtimePostgresInsertPayload<T> | RealtimePostgresUpdatePayload<T> | RealtimePostgresDeletePayload<T>

/**
 * A postgres_changes filter as supabase-js takes it.
 * @example
 * const filter: RealtimePostgresChangesFilter<'INSERT'> = { event: 'INSERT', schema: 'public', table: 'messages', filter: 'room=eq.1' }
 */
export interface RealtimePostgresChangesFilter<E extends '*' | 'INSERT' | 'UPDATE' | 'DELETE'> {
  event: E
  schema: string
  table?: string
  filter?: string
}

/**
 * Options of `realtime.channel()`, as supabase-js takes them.
 * @example
 * realtime.channel('room:1', { config: { broadcast: { self: true }, presence: { key: userId } } })
 */
export interface ChannelOptions {
  config?: ChannelConfig
}

/**
 * Per-call options of `send`, `track`, `untrack`, `httpSend`, as supabase-js takes them.
 * @example
 * await room.send(message, { timeout: 2_000 })
 */
export interface CallOptions {
  /** Milliseconds; the client's `callTimeoutMs` by default. */
  timeout?: number
}

/**
 * What `httpSend` resolves to, as supabase-js.
 * @example
 * const result = await room.httpSend('message', { text: 'hi' }); if (!result.success) warn(result.error)
 */
export type HttpSendResult = { success: true } | { success: false; status: number; error: string }

/**
 * A channel on the shared connection with supabase-js's channel API. It is not a realtime-js
 * `RealtimeChannel` class instance (no `socket`, no `bindings`): type what the app passes around
 * as `SharedChannel`.
 * @example
 * realtime.channel('room:1').on<{ text: string }>('broadcast', { event: 'message' }, (m) => show(m.payload.text)).subscribe()
 */
export interface SharedChannel {
  /** The wire topic, `'realtime:' + name`, as in supabase-js. */
  readonly topic: string
  /** The name given to `channel()`. */
  readonly subTopic: string
  readonly state: ChannelState
  on(type: 'presence', filter: { event: 'sync' }, callback: (payload?: { event: 'sync' }) => void): this
  on<T extends object = {}>(type: 'presence', filter: { event: 'join' }, callback: (payload: RealtimePresenceJoinPayload<T>) => void): this
  on<T extends object = {}>(type: 'presence', filter: { event: 'leave' }, callback: (payload: RealtimePresenceLeavePayload<T>) => void): this
  on<T extends object = {}>(type: 'presence', filter: { event: '*' }, callback: (payload?: RealtimePresenceJoinPayload<T> | RealtimePresenceLeavePayload<T>) => void): this
  on<T extends object = { [key: string]: unknown }>(type: 'postgres_changes', filter: RealtimePostgresChangesFilter<'*'>, callback: (payload: RealtimePostgresChangesPayload<T>) => void): this
  on<T extends object = { [key: string]: unknown }>(type: 'postgres_changes', filter: RealtimePostgresChangesFilter<'INSERT'>, callback: (payload: RealtimePostgresInsertPayload<T>) => void): this
  on<T extends object = { [key: string]: unknown }>(type: 'postgres_changes', filter: RealtimePostgresChangesFilter<'UPDATE'>, callback: (payload: RealtimePostgresUpdatePayload<T>) => void): this
  on<T extends object = { [key: string]: unknown }>(type: 'postgres_changes', filter: RealtimePostgresChangesFilter<'DELETE'>, callback: (payload: RealtimePostgresDeletePayload<T>) => void): this
  on<T = { [key: string]: unknown }>(type: 'broadcast', filter: { event: string }, callback: (message: BroadcastMessage<T>) => void): this
  on(type: 'system', filter: { event: 'resync' }, callback: (payload: ResyncPayload) => void): this
  /** How this channel's persisted sends fare (client option `outbox: 'persist'`). */
  on(type: 'system', filter: { event: 'outbox' }, callback: (payload: OutboxReport) => void): this
  on(type: 'system', filter: { event?: string }, callback: (payload: { [key: string]: unknown }) => void): this
  /** Joins through the hub; `timeout` (ms) reports `TIMED_OUT` when not joined by then. */
  subscribe(callback?: SubscribeCallback, timeout?: number): this
  /**
   * Broadcasts; while the join is pending it waits for it, before any `subscribe()` it rejects `closed`.
   * The payload is serialised as `JSON.stringify` does (undefined fields dropped, `NaN` → `null`,
   * a `Date` → its ISO string), as supabase-js sends it; functions, symbols and bigints fail to compile.
   * `'queued'` only with the client option `outbox: 'persist'`: stored, sent later.
   */
  send<M extends { type: 'broadcast'; event: string; payload?: unknown; persist?: Persist }>(message: M & Serializable<M>, options?: CallOptions): Promise<SendOutcome>
  /**
   * A broadcast with the server's acknowledgement, through the shared connection (no REST call from
   * the tab); `persist` stores it for replay, as supabase-js's `httpSend(…, { persist })`.
   */
  httpSend<T = unknown>(event: string, payload: T & Serializable<T>, options?: CallOptions & { persist?: Persist }): Promise<HttpSendResult>
  /** Tracks this tab's presence; the meta is serialised as `JSON.stringify` does, as in supabase-js. */
  track<T extends object>(meta: T & Serializable<T>, options?: CallOptions): Promise<SendResult>
  untrack(options?: CallOptions): Promise<SendResult>
  presenceState<T extends object = {}>(): RealtimePresenceState<T>
  /** Leaves; afterwards `realtime.channel(topic)` gives a fresh channel, as in supabase-js. */
  unsubscribe(timeout?: number): Promise<SendResult>
}
