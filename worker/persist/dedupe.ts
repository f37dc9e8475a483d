/**
 * The idempotency key of a persisted send, as it travels inside the message, and the bounded set
 * of keys a topic has delivered (kept by the persisted outbox of the receiving hub): a second copy of a message (its sender's hub resent it after a
 * restart, not knowing the first copy went out) is dropped before fan-out. The key rides in the
 * payload object because no transport's framing carries it unchanged (Supabase's binary frames
 * keep only `persist` of a send's metadata); a hub strips it before tabs see the payload.
 */
import type { Json } from '../../src/contract/protocol.ts'

/**
 * The payload property that carries the key; receivers that are not tabrelay see it as is.
 * @example
 * withKey({ text: 'hi' }, 'k1') // { text: 'hi', tabrelay_key: 'k1' }
 */
export const SEND_KEY = 'tabrelay_key'

/** Keys remembered per topic; the oldest is forgotten first. */
export const SEEN_KEYS_MAX = 1_000

const isObject = (value: Json): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The payload to put on the wire for a keyed send: the key joins an object payload; any other
 * payload (array, string, number, null) travels without it.
 * @example
 * withKey([1, 2], 'k1') // [1, 2]
 */
export function withKey(payload: Json, key: string): Json {
  return isObject(payload) ? { ...payload, [SEND_KEY]: key } : payload
}

/**
 * Splits a received payload into its key (if it carries one) and the payload tabs get.
 * @example
 * takeKey({ text: 'hi', tabrelay_key: 'k1' }) // { key: 'k1', payload: { text: 'hi' } }
 */
export function takeKey(payload: Json): { key: string | null; payload: Json } {
  if (!isObject(payload)) return { key: null, payload }
  const key = payload[SEND_KEY]
  if (typeof key !== 'string') return { key: null, payload }
  return { key, payload: Object.fromEntries(Object.entries(payload).filter(([name]) => name !== SEND_KEY)) }
}

/**
 * The keys one topic delivered, at most {@link SEEN_KEYS_MAX}.
 * @example
 * const seen = new SeenKeys(); seen.isNew('k1') // true; seen.isNew('k1') // false
 */
export class SeenKeys {
  readonly #keys = new Set<string>()
  readonly #max: number

  constructor(max = SEEN_KEYS_MAX) {
    this.#max = max
  }

  /** Records `key`; `false` when it was seen already (the message is a copy). */
  isNew(key: string): boolean {
    if (this.#keys.has(key)) return false
    this.#keys.add(key)
    // A Set iterates in insertion order: its first key is the oldest.
    if (this.#keys.size > this.#max) for (const oldest of this.#keys) { this.#keys.delete(oldest); break }
    return true
  }
}
