/**
 * Phoenix wire formats spoken by realtime-js: vsn 1.0.0 JSON objects, vsn 2.0.0 JSON arrays, and the
 * two binary user-broadcast frames (kind 3 in, kind 4 out). See REALTIME_PROTOCOL.md §1.3–1.4.
 */

/** Serializer version negotiated by the `vsn` query parameter. */
export type Vsn = '1.0.0' | '2.0.0'

/**
 * One decoded text message; `payload` stays `unknown` because clients may send anything.
 *
 * @example
 * const heartbeat: Frame = { joinRef: null, ref: '1', topic: 'phoenix', event: 'heartbeat', payload: {} }
 */
export interface Frame {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

/**
 * An outgoing message: the payload must be an object, because the client reads keys off it (trap 2).
 *
 * @example
 * const reply: OutFrame = { joinRef: '1', ref: '1', topic: 'realtime:room', event: 'phx_reply', payload: { status: 'ok', response: {} } }
 */
export interface OutFrame extends Frame {
  payload: Record<string, unknown>
}

/**
 * A user broadcast as carried by binary frames: `payload` is raw bytes, JSON text when `encoding` is 1.
 *
 * @example
 * const msg: UserBroadcast = { joinRef: '1', ref: '2', topic: 'realtime:room', event: 'msg', metadata: '', encoding: 1, payload: Buffer.from('{}') }
 */
export interface UserBroadcast {
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  /** JSON text of the metadata object, or '' when the frame carried none. */
  metadata: string
  encoding: 0 | 1
  payload: Buffer
}

const KIND_PUSH = 3
const KIND_BROADCAST = 4
const PUSH_HEADER = 7
const MAX_FIELD = 255

// fatal: invalid UTF-8 in a header is garbage, not a name to route on.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parse a text frame for the socket's vsn; returns null for anything malformed (the caller drops it).
 *
 * @example
 * decodeText('2.0.0', '[null,"1","phoenix","heartbeat",{}]')?.event // 'heartbeat'
 */
export function decodeText(vsn: Vsn, text: string): Frame | null {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(raw) || raw.length !== 5) return null
    const [joinRef, ref, topic, event, payload] = raw as unknown[]
    return toFrame(joinRef, ref, topic, event, payload)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null
  const obj = raw as Record<string, unknown>
  return toFrame(obj['join_ref'], obj['ref'], obj['topic'], obj['event'], obj['payload'])
}

function toFrame(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Frame | null {
  if (typeof topic !== 'string' || typeof event !== 'string') return null
  return { joinRef: refOf(joinRef), ref: refOf(ref), topic, event, payload }
}

// Refs are decimal strings in practice; a number is tolerated, anything else means "no ref".
function refOf(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}

/**
 * Serialize a frame as text; vsn 1.0.0 omits `join_ref` like Phoenix's V1 serializer.
 *
 * @example
 * encodeText('2.0.0', { joinRef: null, ref: '1', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } })
 */
export function encodeText(vsn: Vsn, frame: OutFrame): string {
  if (vsn === '2.0.0') {
    return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload])
  }
  return JSON.stringify({ topic: frame.topic, event: frame.event, payload: frame.payload, ref: frame.ref })
}

/**
 * Decode a kind-3 user broadcast push; returns null for any other kind, a truncated frame or bad UTF-8.
 *
 * @example
 * decodeUserBroadcastPush(encodeUserBroadcastPush(msg))?.event === msg.event // true
 */
export function decodeUserBroadcastPush(frame: Uint8Array): UserBroadcast | null {
  if (frame.length < PUSH_HEADER || frame[0] !== KIND_PUSH) return null
  const lengths = Array.from(frame.subarray(1, 6))
  const encoding = frame[6]
  if (encoding !== 0 && encoding !== 1) return null
  const fields = readFields(frame, PUSH_HEADER, lengths)
  if (fields === null) return null
  const [joinRef, ref, topic, event, metadata] = fields.strings
  if (topic === undefined || event === undefined || metadata === undefined) return null
  const payload = Buffer.from(frame.subarray(fields.end))
  return { joinRef: joinRef || null, ref: ref || null, topic, event, metadata, encoding, payload }
}

function readFields(frame: Uint8Array, start: number, lengths: number[]): { strings: string[]; end: number } | null {
  const strings: string[] = []
  let offset = start
  for (const length of lengths) {
    if (offset + length > frame.length) return null
    try {
      strings.push(utf8.decode(frame.subarray(offset, offset + length)))
    } catch {
      return null
    }
    offset += length
  }
  return { strings, end: offset }
}

/**
 * Encode a kind-4 user broadcast (server → client); returns null when a header field exceeds 255 bytes.
 *
 * @example
 * encodeUserBroadcast({ topic: 'realtime:room', event: 'msg', metadata: '', encoding: 1, payload: Buffer.from('{"a":1}') })
 */
export function encodeUserBroadcast(msg: Omit<UserBroadcast, 'joinRef' | 'ref'>): Buffer | null {
  const header = [msg.topic, msg.event, msg.metadata].map((s) => Buffer.from(s, 'utf8'))
  if (header.some((b) => b.length > MAX_FIELD)) return null
  const lengths = Buffer.from([KIND_BROADCAST, ...header.map((b) => b.length), msg.encoding])
  return Buffer.concat([lengths, ...header, msg.payload])
}

/**
 * Encode a kind-3 push (client → server) the way realtime-js does; used by tests and tools.
 *
 * @example
 * ws.send(encodeUserBroadcastPush({ joinRef: '1', ref: '2', topic: 'realtime:room', event: 'msg', metadata: '', encoding: 1, payload: Buffer.from('{}') }))
 */
export function encodeUserBroadcastPush(msg: UserBroadcast): Buffer | null {
  const fields = [msg.joinRef ?? '', msg.ref ?? '', msg.topic, msg.event, msg.metadata]
  const header = fields.map((s) => Buffer.from(s, 'utf8'))
  if (header.some((b) => b.length > MAX_FIELD)) return null
  const lengths = Buffer.from([KIND_PUSH, ...header.map((b) => b.length), msg.encoding])
  return Buffer.concat([lengths, ...header, msg.payload])
}
