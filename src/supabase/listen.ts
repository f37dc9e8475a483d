/**
 * The public shape of a channel: what listeners receive (as supabase-js delivers it) and how
 * `.on()` arguments become {@link Binding} data the hub can read.
 */
import { RelayError } from '../contract/errors.ts'
import { checkEvent } from '../contract/validate.ts'
import type { Binding, ChannelConfig, ChannelStatus, Delivery, Json, PostgresFilter, PresenceState, SendResult } from '../contract/protocol.ts'

export type { ChannelState } from '../core/membership.ts'
import type { ChannelState } from '../core/membership.ts'

/**
 * Told about every status transition; `SUBSCRIBED` again after each rejoin.
 * @example
 * room.subscribe((status, err) => { if (status === 'CHANNEL_ERROR') console.warn(err) })
 */
export type SubscribeCallback = (status: ChannelStatus, error?: Error) => void

/**
 * A broadcast as supabase-js delivers it.
 * @example
 * room.on('broadcast', { event: 'message' }, (msg: BroadcastMessage) => show(msg.payload))
 */
export interface BroadcastMessage {
  type: 'broadcast'
  event: string
  payload: Json
  meta?: Json
}

/**
 * A presence join as supabase-js delivers it.
 * @example
 * room.on('presence', { event: 'join' }, ({ key, newPresences }) => greet(key, newPresences))
 */
export interface PresenceJoin {
  event: 'join'
  key: string
  currentPresences: Json[]
  newPresences: Json[]
}

/**
 * A presence leave as supabase-js delivers it.
 * @example
 * room.on('presence', { event: 'leave' }, ({ key }) => dim(key))
 */
export interface PresenceLeave {
  event: 'leave'
  key: string
  currentPresences: Json[]
  leftPresences: Json[]
}

/**
 * A row change as supabase-js delivers it; `new` is `{}` on DELETE, `old` holds keys unless REPLICA IDENTITY FULL.
 * @example
 * room.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (c) => add(c.new))
 */
export interface PostgresChange<Row extends { [key: string]: Json } = { [key: string]: Json }> {
  schema: string
  table: string
  commit_timestamp: string
  eventType: 'INSERT' | 'UPDATE' | 'DELETE'
  new: Partial<Row>
  old: Partial<Row>
  errors: Json
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
 * A channel on the shared connection, with supabase-js's channel API.
 * @example
 * realtime.channel('room:1').on('broadcast', { event: 'message' }, (m) => show(m.payload)).subscribe()
 */
export interface SharedChannel {
  /** The wire topic, `'realtime:' + name`, as in supabase-js. */
  readonly topic: string
  /** The name given to `channel()`. */
  readonly subTopic: string
  readonly state: ChannelState
  on(type: 'broadcast', filter: { event: string }, callback: (message: BroadcastMessage) => void): this
  on(type: 'presence', filter: { event: 'sync' }, callback: (event: { event: 'sync' }) => void): this
  on(type: 'presence', filter: { event: 'join' }, callback: (event: PresenceJoin) => void): this
  on(type: 'presence', filter: { event: 'leave' }, callback: (event: PresenceLeave) => void): this
  on<Row extends { [key: string]: Json }>(type: 'postgres_changes', filter: PostgresFilter, callback: (change: PostgresChange<Row>) => void): this
  on(type: 'system', filter: { event: 'resync' }, callback: (payload: { since: number | null }) => void): this
  on(type: 'system', filter: { event: string }, callback: (payload: { [key: string]: Json }) => void): this
  /** Joins through the hub; calling it again while joined only replaces the callback. */
  subscribe(callback?: SubscribeCallback): this
  /** Broadcasts; while the join is pending it waits for it, before any `subscribe()` it rejects `closed`. */
  send(message: { type: 'broadcast'; event: string; payload?: unknown }): Promise<SendResult>
  track(meta: { [key: string]: unknown }): Promise<SendResult>
  untrack(): Promise<SendResult>
  presenceState(): PresenceState
  /** Leaves; the channel stays usable for another `subscribe()` until `removeChannel()`. */
  unsubscribe(): Promise<SendResult>
}

/**
 * A registered `.on()`: the binding sent to the hub, the key deliveries are matched on, the callback.
 * @example
 * const listener: Listener = { binding: { type: 'broadcast', event: '*' }, key: '*', callback }
 */
export interface Listener {
  binding: Binding
  key: string
  callback: (payload: never) => void
}

const PRESENCE_EVENTS: ReadonlySet<string> = new Set(['sync', 'join', 'leave'])
const PG_EVENTS: ReadonlySet<string> = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])

function isPresenceEvent(event: string): event is 'sync' | 'join' | 'leave' {
  return PRESENCE_EVENTS.has(event)
}

function isPostgresEvent(event: string): event is PostgresFilter['event'] {
  return PG_EVENTS.has(event)
}

function bad(message: string): RelayError {
  return new RelayError('bad-input', message)
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string'
}

/**
 * Turns `.on()` arguments into a {@link Binding}, or throws `bad-input` saying what to pass.
 * @example
 * checkListener('broadcast', { event: 'message' }, () => {}) // { type: 'broadcast', event: 'message' }
 */
export function checkListener(type: unknown, filter: unknown, callback: unknown): Binding {
  if (typeof callback !== 'function') throw bad(`on('${String(type)}', filter, callback): the callback must be a function`)
  if (typeof filter !== 'object' || filter === null) throw bad(`on('${String(type)}', filter, …): filter must be an object such as { event: '*' }`)
  const event: unknown = 'event' in filter ? filter.event : undefined
  if (typeof event !== 'string') throw bad(`on('${String(type)}', …): filter.event must be a string ('*' for all), got ${typeof event}`)
  switch (type) {
    case 'broadcast':
      return { type, event: checkEvent(event, "on('broadcast', { event })") }
    case 'system':
      return { type, event }
    case 'presence':
      if (!isPresenceEvent(event)) throw bad(`on('presence', { event: '${event}' }): use 'sync', 'join' or 'leave'`)
      return { type, event }
    case 'postgres_changes':
      return { type, filter: checkPostgres(filter, event) }
    default:
      throw bad(`on('${String(type)}'): unknown type; use 'broadcast', 'presence', 'postgres_changes' or 'system'`)
  }
}

function checkPostgres(filter: object, event: string): PostgresFilter {
  const upper = event.toUpperCase()
  const schema: unknown = 'schema' in filter ? filter.schema : undefined
  const table: unknown = 'table' in filter ? filter.table : undefined
  const rows: unknown = 'filter' in filter ? filter.filter : undefined
  if (!isPostgresEvent(upper)) throw bad(`on('postgres_changes', { event: '${event}' }): use '*', 'INSERT', 'UPDATE' or 'DELETE'`)
  if (typeof schema !== 'string' || !optionalString(table) || !optionalString(rows)) {
    throw bad("on('postgres_changes', …): give { event, schema: string, table?: string, filter?: string }")
  }
  const result: PostgresFilter = { event: upper, schema }
  if (typeof table === 'string') result.table = table
  if (typeof rows === 'string') result.filter = rows
  return result
}

/**
 * Builds the supabase-js presence callback argument from a presence delivery.
 * @example
 * presencePayload({ kind: 'presence', subIds: ['1'], event: 'sync', state: {} }) // { event: 'sync' }
 */
export function presencePayload(delivery: Extract<Delivery, { kind: 'presence' }>): unknown {
  const { event, key = '', currentPresences = [] } = delivery
  if (event === 'join') return { event, key, currentPresences, newPresences: delivery.newPresences ?? [] }
  if (event === 'leave') return { event, key, currentPresences, leftPresences: delivery.leftPresences ?? [] }
  return { event }
}

export { safely } from '../core/safely.ts'
