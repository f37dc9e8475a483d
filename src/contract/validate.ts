/**
 * The one set of input checks: the tab runs them before it calls, so a mistake fails in the tab
 * that made it, and the hub runs the same ones on whatever arrives from a port (it trusts no tab),
 * so bad input fails in its tab only and the connection and other tabs carry on. The shape and the
 * hub-wide ceilings live here; a transport's own limits are data (`limits.ts`).
 * DOM-free and worker-free: it compiles under both libs.
 */
import { RelayError } from './errors.ts'
import { MAX_TIMER_MS } from './clock.ts'
import type { Binding, ConnectionTarget, Heartbeat, Json, Outgoing, Subscription, TabHello, TransportInfo } from './protocol.ts'
import { bytes, checkTopicFor } from './limits.ts'
import { checkResume } from './resume.ts'

/** Longest event name of any transport: binary frames store its length in one byte (realtime-js). */
export const MAX_EVENT_BYTES = 255
/** Longest topic of any transport; each transport's own limit (`maxTopicBytes`) may be lower. */
export const MAX_TOPIC_BYTES = 1024
/** Longest explicit identity (`ConnectionTarget.identity`), in hello and in `setAuth` alike. */
export const MAX_IDENTITY_BYTES = 1024
/** Longest token a tab may hand the hub, in hello and in `setAuth` alike. */
export const MAX_TOKEN_BYTES = 64 * 1024

/** Deepest nesting a payload may have: deeper data would overflow the stack of the JSON serializers. */
export const MAX_JSON_DEPTH = 200

/**
 * Whether a value is plain JSON data that also survives structured cloning unchanged, nested at
 * most {@link MAX_JSON_DEPTH} deep. Rejects functions, symbols, bigints, non-finite numbers,
 * cycles and class instances such as `Date` or `Map` (they clone, but arrive as something else
 * after the server's JSON round trip), and `undefined` values (the hub rejects them too: drop the
 * key or use `null`). Iterative, so hostile nesting cannot overflow the stack here.
 * @example
 * isJson({ at: new Date().toISOString() }) // true
 * isJson({ at: new Date() }) // false
 */
export function isJson(value: unknown): value is Json {
  // A shared (not cyclic) reference is checked once: structured cloning keeps sharing, so a
  // hostile payload could otherwise make this exponential.
  const checked = new WeakSet<object>()
  const ancestors = new Set<object>()
  // Each frame: a container and its children still to check; `exit` marks leaving it.
  const stack: Array<{ node: object; children: unknown[]; next: number }> = []
  const enter = (item: unknown): boolean => {
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return true
    if (typeof item === 'number') return Number.isFinite(item)
    if (typeof item !== 'object' || ancestors.has(item)) return false
    if (checked.has(item)) return true
    if (!Array.isArray(item) && !isPlainObject(item)) return false
    if (stack.length >= MAX_JSON_DEPTH) return false
    ancestors.add(item)
    stack.push({ node: item, children: Array.isArray(item) ? item : Object.values(item), next: 0 })
    return true
  }
  if (!enter(value)) return false
  for (;;) {
    const frame = stack.at(-1)
    if (!frame) return true
    if (frame.next < frame.children.length) {
      if (!enter(frame.children[frame.next++])) return false
      continue
    }
    stack.pop()
    ancestors.delete(frame.node)
    checked.add(frame.node)
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function bad(message: string): RelayError {
  return new RelayError('bad-input', message)
}

/**
 * Checks a channel topic: a non-empty string of at most {@link MAX_TOPIC_BYTES} UTF-8 bytes, and
 * within `info.maxTopicBytes` when the transport's limits are known (the tab's welcome).
 * @example
 * checkTopic('room:1') // returns 'room:1'
 * checkTopic('') // throws RelayError('bad-input')
 */
export function checkTopic(topic: unknown, info: Pick<TransportInfo, 'maxTopicBytes'> | null = null, where = 'this server'): string {
  if (typeof topic !== 'string' || topic === '') {
    throw bad(`channel topic must be a non-empty string such as 'room:1', got ${typeof topic === 'string' ? "''" : typeof topic}`)
  }
  return checkTopicFor({ maxTopicBytes: Math.min(info?.maxTopicBytes ?? MAX_TOPIC_BYTES, MAX_TOPIC_BYTES) }, where, topic)
}

/**
 * Checks what `send()` was given: a broadcast with a non-empty event of at most 255 UTF-8 bytes,
 * a JSON payload and an optional `ack`. The tab checks it before sending, with `serialise` (its
 * `JSON.stringify` semantics, payload.ts), and the worker again on arrival, strictly (it trusts no
 * tab): one rule, this one.
 * @example
 * checkOutgoing({ type: 'broadcast', event: 'message', payload: { text: 'hi' } })
 */
export function checkOutgoing(message: unknown, serialise: (payload: unknown, what: string) => Json = plainJson): Outgoing {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'broadcast') {
    throw bad("send() takes { type: 'broadcast', event, payload }; use track()/untrack() for presence")
  }
  const event = checkEvent('event' in message ? message.event : undefined, 'send()')
  const given = 'payload' in message ? message.payload : undefined
  // One walk of the payload: the tab's `serialise` (payload.ts toJson) returns plain JSON or throws.
  const payload = given === undefined ? undefined : serialise(given, `send('${event}')`)
  const ack = 'ack' in message ? message.ack : undefined
  if (ack !== undefined && typeof ack !== 'boolean') throw bad(`send('${event}'): ack must be a boolean`)
  const outbox = 'outbox' in message ? message.outbox : undefined
  if (outbox !== undefined && outbox !== 'persist') throw bad("outbox must be 'persist'")
  const persist = 'persist' in message ? message.persist : undefined
  if (persist !== undefined && typeof persist !== 'boolean' && !(isRecord(persist) && Object.keys(persist).every((k) => k === 'ttl' && isPositive(persist[k])))) {
    throw bad(`send('${event}'): persist must be a boolean or { ttl: seconds }`)
  }
  const outgoing: Outgoing = payload === undefined ? { type: 'broadcast', event } : { type: 'broadcast', event, payload }
  if (ack !== undefined) outgoing.ack = ack
  if (persist !== undefined && persist !== false) outgoing.persist = persist === true ? true : { ...persist }
  if (outbox !== undefined) outgoing.outbox = outbox
  return outgoing
}

// The hub's strict default: what arrives must already be plain JSON (it trusts no tab).
function plainJson(payload: unknown, what: string): Json {
  if (!isJson(payload)) throw bad(`${what}: the payload must be plain JSON nested at most ${MAX_JSON_DEPTH} deep`)
  return payload
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}

/**
 * Checks `config.broadcast.replay` as supabase-js does (`channel()` throws on a public channel):
 * `{ since: ms epoch, limit?: positive integer }`, private channels only.
 * @example
 * checkReplay({ since: Date.now() - 60_000, limit: 25 }, true)
 */
export function checkReplay(replay: unknown, isPrivate: boolean): void {
  if (replay === undefined) return
  const { since, limit = 1 } = isRecord(replay) ? replay : {}
  if (!Number.isSafeInteger(since) || Number(since) < 0 || !Number.isSafeInteger(limit) || !isPositive(limit)) {
    throw bad('config.broadcast.replay must be { since: <ms epoch>, limit?: <positive integer> }')
  }
  if (!isPrivate) throw bad('config.broadcast.replay needs config.private: true (only private channels replay, as in supabase-js)')
}

/**
 * Checks a broadcast event name: non-empty, at most 255 UTF-8 bytes (a one-byte header field).
 * @example
 * checkEvent('message', 'send()') // 'message'
 */
export function checkEvent(event: unknown, what: string): string {
  if (typeof event !== 'string' || event === '' || bytes(event) > MAX_EVENT_BYTES) {
    throw bad(`${what} needs an event name: a non-empty string of at most ${MAX_EVENT_BYTES} UTF-8 bytes ('*' listens to all)`)
  }
  return event
}

/**
 * Checks what `track()` was given: a plain JSON object.
 * @example
 * checkMeta({ typing: false }) // returns it
 */
export function checkMeta(meta: unknown): { [key: string]: Json } {
  if (typeof meta !== 'object' || meta === null || !isJson(meta) || Array.isArray(meta)) {
    throw bad('track() takes a JSON object such as { typing: false }')
  }
  return meta
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text(value: unknown, what: string, maxBytes: number): string {
  if (typeof value !== 'string' || value.length === 0) throw bad(`${what} must be a non-empty string`)
  if (bytes(value) > maxBytes) throw bad(`${what} is longer than ${maxBytes} UTF-8 bytes`)
  return value
}

function optional(value: unknown, type: 'boolean' | 'string', what: string): void {
  if (value !== undefined && typeof value !== type) throw bad(`${what} must be a ${type}`)
}

function binding(value: unknown): Binding {
  if (!isRecord(value)) throw bad('a binding must be an object')
  switch (value['type']) {
    case 'broadcast': text(value['event'], 'broadcast event', MAX_EVENT_BYTES); break
    case 'system': if (typeof value['event'] !== 'string') throw bad('system event must be a string'); break
    case 'presence':
      if (value['event'] !== 'sync' && value['event'] !== 'join' && value['event'] !== 'leave' && value['event'] !== '*') throw bad("presence event must be 'sync', 'join', 'leave' or '*'")
      break
    case 'postgres_changes': {
      const f = value['filter']
      if (!isRecord(f) || !['*', 'INSERT', 'UPDATE', 'DELETE'].includes(String(f['event']))) throw bad("postgres_changes event must be '*', 'INSERT', 'UPDATE' or 'DELETE'")
      text(f['schema'], 'postgres_changes schema', 255)
      optional(f['table'], 'string', 'postgres_changes table')
      optional(f['filter'], 'string', 'postgres_changes filter')
      break
    }
    default: throw bad(`unknown listener type ${JSON.stringify(value['type'])}; use broadcast, presence, postgres_changes or system`)
  }
  return value as Binding
}

/**
 * A channel as a tab describes it (the transport's own limits: `checkSubscriptionFor`).
 * @example
 * checkSubscription({ subId: '1', topic: 'room', config: {}, bindings: [] })
 */
export function checkSubscription(value: unknown): Subscription {
  if (!isRecord(value)) throw bad('subscription must be an object')
  text(value['subId'], 'subId', 100)
  checkTopic(value['topic'])
  const config = value['config']
  if (!isRecord(config)) throw bad('config must be an object')
  if (config['broadcast'] !== undefined && !isRecord(config['broadcast'])) throw bad('config.broadcast must be an object')
  if (config['presence'] !== undefined && !isRecord(config['presence'])) throw bad('config.presence must be an object')
  optional(config['private'], 'boolean', 'config.private')
  if (isRecord(config['broadcast'])) { optional(config['broadcast']['self'], 'boolean', 'broadcast.self'); optional(config['broadcast']['ack'], 'boolean', 'broadcast.ack') }
  if (isRecord(config['broadcast'])) checkReplay(config['broadcast']['replay'], config['private'] === true)
  if (isRecord(config['presence'])) { optional(config['presence']['key'], 'string', 'presence.key'); optional(config['presence']['enabled'], 'boolean', 'presence.enabled') }
  if (!Array.isArray(value['bindings']) || value['bindings'].length > 1000) throw bad('bindings must be an array of at most 1000 listeners')
  value['bindings'].forEach(binding)
  if (value['resume'] !== undefined) checkResume(value['resume'])
  return value as unknown as Subscription
}

/**
 * A heartbeat.
 * @example
 * checkHeartbeat({ visibility: 'visible', focused: true, hasLock: true })
 */
export function checkHeartbeat(value: unknown): Heartbeat {
  if (!isRecord(value) || (value['visibility'] !== 'visible' && value['visibility'] !== 'hidden') || typeof value['focused'] !== 'boolean' || typeof value['hasLock'] !== 'boolean') {
    throw bad("heartbeat must be { visibility: 'visible' | 'hidden', focused: boolean, hasLock: boolean }")
  }
  return value as unknown as Heartbeat
}

/**
 * A token as `hello` and `setAuth` take it: a string of at most {@link MAX_TOKEN_BYTES}, or `null`.
 * @example
 * checkToken(session.access_token) // returns it
 */
export function checkToken(value: unknown): string | null {
  if (value === null) return null
  if (typeof value !== 'string' || bytes(value) > MAX_TOKEN_BYTES) throw bad(`token must be a string of at most ${MAX_TOKEN_BYTES} bytes, or null`)
  return value
}

/**
 * An explicit identity as `hello` (in its target) and `setAuth` take it: the same cap in both.
 * @example
 * checkIdentity('user-42') // 'user-42'; checkIdentity(null) // null
 */
export function checkIdentity(value: unknown): string | null {
  if (value === null) return null
  return text(value, 'identity', MAX_IDENTITY_BYTES)
}

/**
 * A tab's hello; its timings must be whole timer values (a longer one would fire at once).
 * @example
 * checkHello(hello)
 */
export function checkHello(value: unknown): TabHello {
  if (!isRecord(value)) throw bad('hello must be an object')
  text(value['tabId'], 'tabId', 100)
  checkTarget(value['target'])
  text(value['lockName'], 'lockName', 200)
  checkToken(value['token'])
  if (typeof value['protocol'] !== 'number' || !Number.isInteger(value['protocol'])) throw bad('protocol must be an integer')
  for (const key of ['pauseWhenHiddenMs', 'heartbeatIntervalMs', 'lingerMs'] as const) {
    const n = value[key]
    if (typeof n !== 'number' || !(n >= 0 && n <= MAX_TIMER_MS)) throw bad(`${key} must be 0 to 2^31-1 ms`)
  }
  if (value['loadedAt'] !== undefined && (typeof value['loadedAt'] !== 'number' || !Number.isFinite(value['loadedAt']))) throw bad('loadedAt must be a finite number')
  checkHeartbeat(value)
  return value as unknown as TabHello
}

/**
 * Which connection a tab asks for.
 * @example
 * checkTarget({ transport: 'supabase', endpoint: url, params: { apikey }, identity: null })
 */
export function checkTarget(value: unknown): ConnectionTarget {
  if (!isRecord(value)) throw bad('target must be { transport, endpoint, params, identity }')
  text(value['transport'], 'target.transport', 100)
  text(value['endpoint'], 'target.endpoint', 2048)
  if (!isRecord(value['params'])) throw bad('target.params must be an object of strings')
  for (const [key, param] of Object.entries(value['params'])) {
    if (typeof param !== 'string' || bytes(param) > 8192) throw bad(`target.params.${key} must be a string of at most 8192 bytes`)
  }
  checkIdentity(value['identity'])
  return value as unknown as ConnectionTarget
}
