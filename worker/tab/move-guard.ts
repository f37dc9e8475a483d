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
 * The events of a tab's last this many deliveries are remembered (a burst beyond it is not guarded):
 * their batches' references (this many deliveries and at most one batch more) keep those delivery
 * objects alive, ~100 B each, so 50 tabs at full rate hold ~1–4 MB.
 */
export const MOVE_MEMORY = 256

// Only computed after a move, for the window's events: the hot path stores references only.
function keyOf(delivery: EventDelivery): string {
  const event = delivery.kind === 'broadcast' ? delivery.event : delivery.bindingKeys.join(',')
  return `${delivery.kind}\n${[...delivery.subIds].sort().join(',')}\n${event}\n${JSON.stringify(delivery.payload)}`
}

/**
 * One tab's recent batches and, after a move, the copies to drop. The fan-out's hot path pays one
 * clock read and one small record per batch (`sent`) and one null check per delivery (`admits`);
 * the per-event steps (which deliveries are events, their keys) wait for a move, which is rare.
 * @example
 * const guard = new MoveGuard(() => clock.now())
 * const outbox = new Outbox(send, nextTask, counters, { guard }) // the outbox asks admits() and calls sent(batch)
 * guard.moved() // setAuth moved the tab to another user's connection
 */
export class MoveGuard {
  readonly #now: () => number
  /** The batches that left the worker for the tab, oldest first; `#count` deliveries in all. */
  #sent: Array<[at: number, batch: readonly Delivery[]]> = []
  #count = 0
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
   * discarded never reached it, so a copy of it is no copy). The outbox never touches a batch
   * once it handed it over, so the batch itself is kept.
   */
  sent(batch: readonly Delivery[]): void {
    this.#sent.push([this.#now(), batch])
    this.#count += batch.length
    // The oldest batch goes once the newer ones hold MOVE_MEMORY deliveries (moved() skips the
    // batches older than the window).
    while (this.#count - (this.#sent[0]?.[1].length ?? 0) >= MOVE_MEMORY) this.#count -= this.#sent.shift()?.[1].length ?? 0
  }

  /** The tab now rides another connection: what the old one sent it lately is what to expect twice. */
  moved(): void {
    const at = this.#now()
    const expected = new Map<string, number>()
    for (const delivery of this.#sent.filter(([sent]) => at - sent <= MOVE_WINDOW_MS).flatMap(([, batch]) => batch).filter(isEvent).slice(-MOVE_MEMORY)) {
      const key = keyOf(delivery)
      expected.set(key, (expected.get(key) ?? 0) + 1)
    }
    this.#count = this.#sent.length = 0
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
    const left = expected.get(key)
    if (!left) return false
    if (left > 1) expected.set(key, left - 1)
    else if (expected.delete(key) && expected.size === 0) this.#expected = null
    return true
  }
}
