/**
 * Checks at the worker's edge: whatever a tab sends is checked before it touches shared state, so
 * bad input fails in that tab only and the connection and other tabs carry on.
 */
import type { Binding, ConnectionTarget, Heartbeat, Subscription, TabHello } from '../src/contract/protocol.ts'
import { RelayError } from '../src/contract/errors.ts'

const encoder = new TextEncoder()

function fail(message: string): never {
  throw new RelayError('bad-input', message)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(value: unknown, what: string, maxBytes = 255): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${what} must be a non-empty string`)
  if (encoder.encode(value).length > maxBytes) fail(`${what} is longer than ${maxBytes} UTF-8 bytes`)
  return value
}

function optional(value: unknown, type: 'boolean' | 'string', what: string): void {
  if (value !== undefined && typeof value !== type) fail(`${what} must be a ${type}`)
}

function binding(value: unknown): Binding {
  if (!isRecord(value)) fail('a binding must be an object')
  switch (value.type) {
    case 'broadcast': text(value.event, 'broadcast event'); break
    case 'system': if (typeof value.event !== 'string') fail('system event must be a string'); break
    case 'presence':
      if (value.event !== 'sync' && value.event !== 'join' && value.event !== 'leave' && value.event !== '*') fail("presence event must be 'sync', 'join', 'leave' or '*'")
      break
    case 'postgres_changes': {
      const f = value.filter
      if (!isRecord(f) || !['*', 'INSERT', 'UPDATE', 'DELETE'].includes(String(f.event))) fail("postgres_changes event must be '*', 'INSERT', 'UPDATE' or 'DELETE'")
      text(f.schema, 'postgres_changes schema')
      optional(f.table, 'string', 'postgres_changes table')
      optional(f.filter, 'string', 'postgres_changes filter')
      break
    }
    default: fail(`unknown listener type ${JSON.stringify(value.type)}; use broadcast, presence, postgres_changes or system`)
  }
  return value as Binding
}

/**
 * A channel as a tab describes it.
 * @example
 * checkSubscription({ subId: '1', topic: 'room', config: {}, bindings: [] })
 */
export function checkSubscription(value: unknown): Subscription {
  if (!isRecord(value)) fail('subscription must be an object')
  text(value.subId, 'subId', 100)
  // The transport's own limit is checked once the tab's transport is known (limits.ts).
  text(value.topic, 'topic', 1024)
  const config = value.config
  if (!isRecord(config)) fail('config must be an object')
  if (config.broadcast !== undefined && !isRecord(config.broadcast)) fail('config.broadcast must be an object')
  if (config.presence !== undefined && !isRecord(config.presence)) fail('config.presence must be an object')
  optional(config.private, 'boolean', 'config.private')
  if (isRecord(config.broadcast)) { optional(config.broadcast.self, 'boolean', 'broadcast.self'); optional(config.broadcast.ack, 'boolean', 'broadcast.ack') }
  if (isRecord(config.presence)) { optional(config.presence.key, 'string', 'presence.key'); optional(config.presence.enabled, 'boolean', 'presence.enabled') }
  if (!Array.isArray(value.bindings) || value.bindings.length > 1000) fail('bindings must be an array of at most 1000 listeners')
  value.bindings.forEach(binding)
  return value as unknown as Subscription
}

// What a tab sends and tracks is checked by the same rules in the tab and here.
export { checkOutgoing, checkMeta } from '../src/contract/validate.ts'

/**
 * A heartbeat.
 * @example
 * checkHeartbeat({ visibility: 'visible', focused: true })
 */
export function checkHeartbeat(value: unknown): Heartbeat {
  if (!isRecord(value) || (value.visibility !== 'visible' && value.visibility !== 'hidden') || typeof value.focused !== 'boolean' || typeof value.hasLock !== 'boolean') {
    fail("heartbeat must be { visibility: 'visible' | 'hidden', focused: boolean, hasLock: boolean }")
  }
  return value as unknown as Heartbeat
}

/**
 * A tab's hello.
 * @example
 * checkHello(hello)
 */
export function checkHello(value: unknown): TabHello {
  if (!isRecord(value)) fail('hello must be an object')
  text(value.tabId, 'tabId', 100)
  checkTarget(value.target)
  text(value.lockName, 'lockName', 200)
  if (value.token !== null && typeof value.token !== 'string') fail('token must be a string or null')
  for (const key of ['protocol', 'pauseWhenHiddenMs', 'heartbeatIntervalMs', 'lingerMs'] as const) {
    if (typeof value[key] !== 'number' || !Number.isFinite(value[key]) || (value[key] as number) < 0) fail(`${key} must be a non-negative number`)
  }
  if (value.loadedAt !== undefined && (typeof value.loadedAt !== 'number' || !Number.isFinite(value.loadedAt))) fail('loadedAt must be a finite number')
  checkHeartbeat(value)
  return value as unknown as TabHello
}

/**
 * Which connection a tab asks for.
 * @example
 * checkTarget({ transport: 'supabase', endpoint: url, params: { apikey }, identity: null })
 */
export function checkTarget(value: unknown): ConnectionTarget {
  if (!isRecord(value)) fail('target must be { transport, endpoint, params, identity }')
  text(value.transport, 'target.transport', 100)
  text(value.endpoint, 'target.endpoint', 2048)
  if (!isRecord(value.params)) fail('target.params must be an object of strings')
  for (const [key, param] of Object.entries(value.params)) {
    if (typeof param !== 'string' || encoder.encode(param).length > 8192) fail(`target.params.${key} must be a string of at most 8192 bytes`)
  }
  if (value.identity !== null) text(value.identity, 'target.identity', 1024)
  return value as unknown as ConnectionTarget
}
