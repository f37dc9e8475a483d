/**
 * At most once across an identity move. A tab that switches user (`setAuth`) leaves one
 * connection for another; when both users listen to the same topic, an event the old connection
 * already delivered to the tab may still be on its way over the new user's socket (two sockets,
 * two latencies), and would reach the tab twice. Each tab remembers, by reference and briefly,
 * the events that left the worker for it; after a move, the new connection's events to it during a short window
 * are compared with what the old one sent, and a copy is dropped once per copy sent.
 */
import type { Delivery } from '../../src/contract/protocol.ts'
import { isEvent, type EventDelivery } from '../../src/contract/events.ts'

/** How long an event on one socket may trail the same event on another (both on one server). */
export const MOVE_WINDOW_MS = 2_000

/**
 * At most this many recent events are remembered per tab (a burst beyond it is not guarded): the
 * references keep those delivery objects alive, ~100 B each, so 50 tabs at full rate hold ~3 MB.
 */
export const MOVE_MEMORY = 256

// Only computed after a move, for the window's events: the hot path stores references only.
function keyOf(delivery: EventDelivery): string {
  const event = delivery.kind === 'broadcast' ? delivery.event : delivery.bindingKeys.join(',')
  return `${delivery.kind}\n${[...delivery.subIds].sort().join(',')}\n${event}\n${JSON.stringify(delivery.payload)}`
}

/**
 * One tab's recent events and, after a move, the copies to drop.
 * @example
 * const guard = new MoveGuard(() => clock.now())
 * const outbox = new Outbox(send, nextTask, counters, { guard }) // the outbox asks admits() and calls sent(batch)
 * guard.moved() // setAuth moved the tab to another user's connection
 */
export class MoveGuard {
  readonly #now: () => number
  #recent: Array<{ at: number; delivery: EventDelivery }> = []
  #expected: Map<string, number> | null = null
  #until = 0

  constructor(now: () => number) {
    this.#now = now
  }

  /** Whether `delivery` should reach the tab (false: a copy of one the old connection delivered). */
  admits(delivery: Delivery): boolean {
    return this.#expected === null || !isEvent(delivery) || !this.#isCopy(delivery, this.#now())
  }

  /**
   * Notes what left the worker for the tab (only that: what an overflow dropped or a move
   * discarded never reached it, so a copy of it is no copy).
   */
  sent(batch: readonly Delivery[]): void {
    const at = this.#now()
    for (const delivery of batch) if (isEvent(delivery)) this.#recent.push({ at, delivery })
    // Compacted now and then, not per event: what is older than the window or past the cap goes.
    if (this.#recent.length >= 2 * MOVE_MEMORY) this.#recent = this.#recent.slice(-MOVE_MEMORY).filter((item) => at - item.at <= MOVE_WINDOW_MS)
  }

  /** The tab now rides another connection: what the old one sent it lately is what to expect twice. */
  moved(): void {
    const at = this.#now()
    const expected = new Map<string, number>()
    for (const { at: sent, delivery } of this.#recent.slice(-MOVE_MEMORY)) {
      if (at - sent > MOVE_WINDOW_MS) continue
      const key = keyOf(delivery)
      expected.set(key, (expected.get(key) ?? 0) + 1)
    }
    this.#recent = []
    this.#expected = expected.size > 0 ? expected : null
    this.#until = at + MOVE_WINDOW_MS
  }

  #isCopy(delivery: EventDelivery, at: number): boolean {
    const expected = this.#expected
    if (!expected || at > this.#until) {
      this.#expected = null
      return false
    }
    const key = keyOf(delivery)
    const left = expected.get(key) ?? 0
    if (left === 0) return false
    if (left === 1) expected.delete(key)
    else expected.set(key, left - 1)
    if (expected.size === 0) this.#expected = null
    return true
  }
}
