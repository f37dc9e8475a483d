/**
 * How `.on()` arguments become {@link Binding} data the hub can read, and what presence
 * listeners receive.
 */
import { RelayError } from '../contract/errors.ts'
import { checkEvent } from '../contract/validate.ts'
import type { Binding, Delivery, PostgresFilter } from '../contract/protocol.ts'

export type { ChannelState } from '../core/membership.ts'

export type { SubscribeCallback, BroadcastMessage, ChannelOptions, SharedChannel } from './types.ts'

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

const PRESENCE_EVENTS: ReadonlySet<string> = new Set(['sync', 'join', 'leave', '*'])
const PG_EVENTS: ReadonlySet<string> = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])

function isPresenceEvent(event: string): event is 'sync' | 'join' | 'leave' | '*' {
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
  const name = String(type)
  if (typeof callback !== 'function') throw bad(`on('${name}', filter, callback): the callback must be a function`)
  if (typeof filter !== 'object' || filter === null) throw bad(`on('${name}', filter, …): filter must be an object such as { event: '*' }`)
  // `on('system', {}, cb)` is supabase-js's usual idiom: no event means every system event.
  const event: unknown = 'event' in filter ? filter.event : type === 'system' ? '' : undefined
  if (typeof event !== 'string') throw bad(`on('${name}', …): filter.event must be a string ('*' for all), got ${typeof event}`)
  switch (type) {
    case 'broadcast':
      return { type, event: checkEvent(event, "on('broadcast', { event })") }
    case 'system':
      return { type, event }
    case 'presence':
      if (!isPresenceEvent(event)) throw bad(`on('presence', { event: '${event}' }): use 'sync', 'join', 'leave' or '*'`)
      return { type, event }
    case 'postgres_changes':
      return { type, filter: checkPostgres(filter, event) }
    default:
      throw bad(`on('${name}'): unknown type; use 'broadcast', 'presence', 'postgres_changes' or 'system'`)
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

