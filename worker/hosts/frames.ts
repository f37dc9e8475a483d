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
 * Whether `JSON.parse` gives back what `JSON.stringify` read at `holder[key]`: plain objects,
 * arrays, strings, booleans, null and finite numbers. A payload may be binary (Socket.IO
 * attachments), a Date, a Map, or hold `undefined` in an array: structured cloning keeps those.
 */
function isJsonSafe(holder: unknown, key: string): boolean {
  // The holder's own value, before any toJSON() replaced it.
  const raw: unknown = (holder as Record<string, unknown>)[key]
  if (typeof raw === 'object' && raw !== null) {
    const proto: unknown = Object.getPrototypeOf(raw)
    return proto === Object.prototype || proto === Array.prototype || proto === null
  }
  return raw === undefined ? !Array.isArray(holder) : raw === null || typeof raw === 'string' || typeof raw === 'boolean' || Number.isFinite(raw)
}

/** JSON text of a value, an object's once per object; `null` when only structured cloning keeps it. */
function textOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return isJsonSafe([value], '0') ? JSON.stringify(value) : null
  let text = texts.get(value)
  if (text === undefined) {
    let isSafe = true
    try {
      text = JSON.stringify(value, function (this: unknown, key: string, read: unknown) {
        isSafe &&= isJsonSafe(this, key)
        return read
      })
    } catch {
      isSafe = false
    }
    text = isSafe ? text ?? null : null
    texts.set(value, text)
  }
  return text
}

/**
 * A batch as the tab's frame carries it: JSON text of the array when every delivery is JSON,
 * else the deliveries themselves (structured cloning, as before).
 * @example
 * port.postMessage({ frame: 'deliver', seq: 1, batch: encodeBatch(batch), ack: false })
 */
export function encodeBatch(batch: readonly Delivery[]): string | Delivery[] {
  const parts: string[] = []
  for (const delivery of batch) {
    const fields: string[] = []
    for (const [key, value] of Object.entries(delivery)) {
      // Left out, as JSON.stringify leaves out an undefined property.
      if (value === undefined) continue
      // subIds are this tab's own array of strings: nothing to share or check.
      const text = key === 'subIds' ? JSON.stringify(value) : textOf(value)
      if (text === null) return [...batch]
      fields.push(`"${key}":${text}`)
    }
    parts.push(`{${fields.join(',')}}`)
  }
  return `[${parts.join(',')}]`
}
