/**
 * Input checks that run in the tab that made the mistake, so a bad call never reaches the worker.
 * DOM-free: the worker may run the same checks on what tabs send it.
 */
import { RelayError } from './errors.ts'
import { MAX_TOPIC_BYTES, type Json, type Outgoing } from './protocol.ts'

/** The binary protocol stores the event's length in one byte (realtime-js serializer). */
const MAX_EVENT_BYTES = 255
const encoder = new TextEncoder()

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
 * Checks what `send()` was given: a broadcast with a non-empty event of at most 255 UTF-8 bytes,
 * a JSON payload and an optional `ack`. The tab checks it before sending and the worker again on
 * arrival (it trusts no tab): one rule, this one.
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
    throw bad(`send('${event}'): the payload must be plain JSON nested at most ${MAX_JSON_DEPTH} deep (no functions, symbols, Dates, Maps or class instances); convert it first, e.g. dates to ISO strings`)
  }
  const ack = 'ack' in message ? message.ack : undefined
  if (ack !== undefined && typeof ack !== 'boolean') throw bad(`send('${event}'): ack must be a boolean`)
  const outgoing: Outgoing = payload === undefined ? { type: 'broadcast', event } : { type: 'broadcast', event, payload }
  return ack === undefined ? outgoing : { ...outgoing, ack }
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
