/**
 * The persisted broadcasts this hub sent on one topic and handed to its own tabs itself (the server
 * does not echo to the sender): when the server's replay brings one back, it is not new to them.
 */
import type { Json } from '../../src/contract/protocol.ts'

/** How many own persisted sends are remembered until their replayed copy comes back. */
const MAX_OWN = 256

/**
 * This hub's own persisted sends on a topic, oldest first, at most {@link MAX_OWN}.
 * @example
 * const own = new OwnSends(); own.add('msg', { text: 'hi' }, clock.now())
 * own.take('msg', { text: 'hi' }) // true once: its replayed copy is a duplicate
 */
export class OwnSends {
  #sends: Array<{ at: number; print: string }> = []

  /** Whether any is remembered (each is a stored message: evidence the topic's messages are stored). */
  get isEmpty(): boolean { return this.#sends.length === 0 }

  add(event: string, payload: Json, at: number): void {
    this.#sends.push({ at, print: print(event, payload) })
    if (this.#sends.length > MAX_OWN) this.#sends.shift()
  }

  /** Forgets those sent before `since` (a replay from `since` cannot bring them back). */
  keepFrom(since: number): void {
    this.#sends = this.#sends.filter((own) => own.at >= since)
  }

  /** Whether this message is one of them (each matches once). */
  take(event: string, payload: Json): boolean {
    if (this.#sends.length === 0) return false
    const wanted = print(event, payload)
    const index = this.#sends.findIndex((own) => own.print === wanted)
    if (index < 0) return false
    this.#sends.splice(index, 1)
    return true
  }
}

function print(event: string, payload: Json): string {
  return `${event}\n${JSON.stringify(payload)}`
}
