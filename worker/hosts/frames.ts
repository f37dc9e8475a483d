/**
 * A tab's deliveries as one string, built from parts shared by every tab. `postMessage` of an
 * object graph clones it anew for each port (per tab, per batch: the hub's largest cost at scale),
 * while a string crosses as one copy of its bytes. Deliveries of one event differ between tabs only
 * in their `subIds`, and their payload (or presence state) is the same object for all of them, so
 * each such object is turned into JSON text once, remembered by identity, and each tab's batch is
 * that text spliced into a small envelope.
 */
import type { Delivery } from '../../src/contract/protocol.ts'

// Keyed by the payload object itself: the entry goes with it, so nothing here needs a bound.
const texts = new WeakMap<object, string | null>()

/**
 * Whether a value read by `JSON.stringify` would come back the same from `JSON.parse`: plain
 * objects, arrays and finite numbers. A payload may be binary (Socket.IO attachments), a Date, a
 * Map, or hold `undefined` in an array: structured cloning keeps those, JSON would change them.
 */
function isJsonSafe(holder: unknown, key: string): boolean {
  // The holder's own value, before any toJSON() replaced it.
  const raw: unknown = (holder as Record<string, unknown>)[key]
  if (typeof raw === 'number') return Number.isFinite(raw)
  if (raw === undefined) return !Array.isArray(holder)
  if (typeof raw === 'function' || typeof raw === 'symbol' || typeof raw === 'bigint') return false
  if (typeof raw !== 'object' || raw === null) return true
  const proto: unknown = Object.getPrototypeOf(raw)
  return proto === Object.prototype || proto === Array.prototype || proto === null
}

/** JSON text of a shared object, once per object; `null` when only structured cloning keeps it. */
function textOf(value: object): string | null {
  const known = texts.get(value)
  if (known !== undefined) return known
  let isSafe = true
  let text: string | null = null
  try {
    text = JSON.stringify(value, function (this: unknown, key: string, read: unknown) {
      if (isSafe && !isJsonSafe(this, key)) isSafe = false
      return read
    })
  } catch {
    isSafe = false
  }
  const result = isSafe && text !== null ? text : null
  texts.set(value, result)
  return result
}

/** One delivery as JSON text, or `null` when a value of it is not JSON. */
function encodeDelivery(delivery: Delivery): string | null {
  let text = ''
  for (const [key, value] of Object.entries(delivery)) {
    if (value === undefined) continue
    // subIds are this tab's own array: nothing to share, and always strings.
    const part = typeof value === 'object' && value !== null && key !== 'subIds' ? textOf(value) : JSON.stringify(value)
    if (part === null || part === undefined || (typeof value === 'number' && !Number.isFinite(value))) return null
    text += `${text === '' ? '{' : ','}${JSON.stringify(key)}:${part}`
  }
  return `${text === '' ? '{' : text}}`
}

/**
 * A batch as the tab's frame carries it: JSON text of the array when every delivery is JSON,
 * else the deliveries themselves (structured cloning, as before).
 * @example
 * port.postMessage({ frame: 'deliver', seq: 1, batch: encodeBatch(batch) })
 */
export function encodeBatch(batch: readonly Delivery[]): string | Delivery[] {
  let text = '['
  for (const delivery of batch) {
    const part = encodeDelivery(delivery)
    if (part === null) return [...batch]
    text += text === '[' ? part : `,${part}`
  }
  return `${text}]`
}
