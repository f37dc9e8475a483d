/**
 * Input checks that run in the tab that made the mistake, so a bad call never reaches the worker.
 * DOM-free: the worker may run the same checks on what tabs send it.
 */
import { RelayError } from './errors.ts'
import { MAX_TOPIC_BYTES, type Json, type Outgoing } from './protocol.ts'

/** The binary protocol stores the event's length in one byte (realtime-js serializer). */
const MAX_EVENT_BYTES = 255
const encoder = new TextEncoder()

/**
 * Whether a value is plain JSON data that also survives structured cloning unchanged.
 * Rejects functions, symbols, bigints, non-finite numbers, cycles and class instances such as
 * `Date` or `Map` (they clone, but arrive as something else after the server's JSON round trip),
 * and `undefined` values (the hub rejects them too: drop the key or use `null`).
 * @example
 * isJson({ at: new Date().toISOString() }) // true
 * isJson({ at: new Date() }) // false
 */
export function isJson(value: unknown, ancestors: Set<object> = new Set(), checked: WeakSet<object> = new WeakSet()): value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (typeof value !== 'object' || ancestors.has(value)) return false
  // A shared (not cyclic) reference is checked once: structured cloning keeps sharing, so a
  // hostile payload could otherwise make this exponential.
  if (checked.has(value)) return true
  ancestors.add(value)
  const isOk = Array.isArray(value)
    ? value.every((item) => isJson(item, ancestors, checked))
    : isPlainObject(value) && Object.values(value).every((item) => isJson(item, ancestors, checked))
  ancestors.delete(value)
  if (isOk) checked.add(value)
  return isOk
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function bad(message: string): RelayError {
  return new RelayError('bad-input', message)
}

function byteLength(text: string): number {
  return encoder.encode(text).length
}

/**
 * Checks a channel topic: a non-empty string whose wire form (`realtime:` + topic) fits the
 * 255-byte UTF-8 header field, so at most {@link MAX_TOPIC_BYTES} (246) bytes of your own.
 * @example
 * checkTopic('room:1') // returns 'room:1'
 * checkTopic('') // throws RelayError('bad-input')
 */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') {
    throw bad(`channel topic must be a non-empty string such as 'room:1', got ${typeof topic === 'string' ? "''" : typeof topic}`)
  }
  const bytes = byteLength(topic)
  if (bytes > MAX_TOPIC_BYTES) {
    throw bad(`topic '${topic.slice(0, 24)}…' is ${bytes} UTF-8 bytes; realtime-js sends it as 'realtime:<topic>' in a 255-byte header field, so shorten it to ${MAX_TOPIC_BYTES} bytes or less`)
  }
  return topic
}

/**
 * Checks what `send()` was given: a broadcast with a non-empty event of at most 255 UTF-8 bytes
 * and a JSON payload.
 * @example
 * checkOutgoing({ type: 'broadcast', event: 'message', payload: { text: 'hi' } })
 */
export function checkOutgoing(message: unknown): Outgoing {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'broadcast') {
    throw bad("send() takes { type: 'broadcast', event, payload }; use track()/untrack() for presence")
  }
  const event = checkEvent('event' in message ? message.event : undefined, 'send()')
  const payload = 'payload' in message ? message.payload : undefined
  if (payload !== undefined && !isJson(payload)) {
    throw bad(`send('${event}'): the payload must be plain JSON (no functions, symbols, Dates, Maps or class instances); convert it first, e.g. dates to ISO strings`)
  }
  return payload === undefined ? { type: 'broadcast', event } : { type: 'broadcast', event, payload }
}

/**
 * Checks a broadcast event name: non-empty, at most 255 UTF-8 bytes (a one-byte header field).
 * @example
 * checkEvent('message', 'send()') // 'message'
 */
export function checkEvent(event: unknown, what: string): string {
  if (typeof event !== 'string' || event === '' || byteLength(event) > MAX_EVENT_BYTES) {
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
    throw bad('track() takes a plain JSON object such as { typing: false } (no functions, Dates or class instances)')
  }
  return meta
}
