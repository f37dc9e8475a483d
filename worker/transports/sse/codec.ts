/**
 * The default wire shape of SSE messages: the body of `POST /pub/<topic>` is the `data:` the
 * streams carry, a JSON object whose `type` is the event (`{type:'message', id, name, text}`), as
 * an app that replaced polling with `new EventSource(...)` already sends. Multiplexed streams
 * cannot tell channels apart (nchan sends only `id:` and `data:`), so there the object also
 * carries its `topic`.
 */
import type { Json } from '../../../src/contract/protocol.ts'

/**
 * One event as it came off a stream (eventsource-parser's message).
 * @example
 * const message: StreamEvent = { data: '{"type":"message","text":"hi"}', id: '1796119016:0' }
 */
export interface StreamEvent {
  data: string
  /** The SSE `event:` field, if the server sent one. */
  event?: string | undefined
  id?: string | undefined
}

/**
 * Where a stream event goes and what it says.
 * @example
 * const decoded: Decoded = { topic: 'room:1', event: 'message', payload: { text: 'hi' } }
 */
export interface Decoded {
  topic: string
  event: string
  payload: Json
}

type JsonObject = { [key: string]: Json }

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parse(data: string): Json | undefined {
  try {
    return JSON.parse(data) as Json
  } catch {
    return undefined
  }
}

/**
 * The default send body: the payload's fields with `type` = event (an object payload's own `type`
 * is replaced), and `topic` on multiplexed streams. A payload that is not an object rides as
 * `{ payload }` and arrives so (no guessing on the way back: `{ payload: 5 }` is an object payload too).
 * @example
 * encodeEvent('room:1', 'message', { text: 'hi' }, 'per-topic') // '{"text":"hi","type":"message"}'
 */
export function encodeEvent(topic: string, event: string, payload: Json, mode: 'per-topic' | 'multiplexed'): string {
  const fields: JsonObject = isObject(payload) ? { ...payload } : { payload }
  return JSON.stringify(mode === 'multiplexed' ? { ...fields, type: event, topic } : { ...fields, type: event })
}

/**
 * The default reading of a stream event. Event: the SSE `event:` field when the server set one,
 * else the JSON's `type`, else `message` (EventSource's default). Payload: the JSON without `type`
 * (and `topic`, multiplexed), or the raw text when `data` is not JSON. Topic: the stream's one
 * topic, or on a multiplexed stream the JSON's `topic` when the stream carries it (else dropped).
 * @example
 * decodeEvent({ data: '{"type":"message","text":"hi"}' }, ['room:1'], 'per-topic')
 * // { topic: 'room:1', event: 'message', payload: { text: 'hi' } }
 */
export function decodeEvent(message: StreamEvent, streamTopics: readonly string[], mode: 'per-topic' | 'multiplexed'): Decoded | null {
  const json = parse(message.data)
  const named = message.event !== undefined && message.event !== '' && message.event !== 'message' ? message.event : undefined
  if (!isObject(json)) {
    const topic = mode === 'per-topic' ? streamTopics[0] : undefined
    return topic === undefined ? null : { topic, event: named ?? 'message', payload: json ?? message.data }
  }
  const { type, topic: carried, ...rest } = json
  const event = named ?? (typeof type === 'string' ? type : 'message')
  if (mode === 'per-topic') {
    const topic = streamTopics[0]
    if (topic === undefined) return null
    // Per topic, a `topic` field is the app's own data.
    return { topic, event, payload: carried === undefined ? rest : { ...rest, topic: carried } }
  }
  if (typeof carried !== 'string' || !streamTopics.includes(carried)) return null
  return { topic: carried, event, payload: rest }
}
