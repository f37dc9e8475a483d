/**
 * What one tab missed after its outbox overflowed. Events (broadcasts, changes, system messages)
 * are dropped and remembered only as "this subscription missed something after `since`"; state
 * (a channel's status, presence with its full `state`) is kept, latest per subscription, because a
 * resync cannot restore it. When the tab catches up it gets that state and then ONE `resync` per
 * affected subscription that listens to resync, so memory stays bounded by the subscriptions.
 */
import type { Delivery } from '../../src/contract/protocol.ts'
import { isEvent } from '../../src/contract/events.ts'

/** A delivery waiting in an outbox: when the hub handed it over, and its size once it is held. */
export interface Held {
  delivery: Delivery
  at: number
  bytes: number
}

// State is kept rather than dropped: its latest value is all the tab needs.
function stateKey(delivery: Delivery): string | null {
  return delivery.kind === 'channel' || delivery.kind === 'presence' ? `${delivery.kind}\u0000${delivery.subIds.join('\u0000')}` : null
}

/**
 * One tab's record of what it received and what it missed.
 * @example
 * const overflow = new Overflow()
 * overflow.sent(batch); overflow.drop(item) // the tab fell behind
 * const catchUp = overflow.recover((subId) => listensToResync(subId)) // state, then one resync each
 */
export class Overflow {
  readonly #lastSent = new Map<string, number>()
  readonly #missed = new Map<string, number>()
  readonly #state = new Map<string, Delivery>()
  #isBehind = false
  #pruneAt = 256

  /** Whether a backlog was dropped and the tab has not caught up yet. */
  get isBehind(): boolean {
    return this.#isBehind
  }

  /**
   * Notes what was handed to the tab's port: the time of each subscription's last event, the
   * `since` of a later resync. `isLive` prunes subscriptions gone meanwhile, so the map stays small.
   */
  sent(items: readonly Held[], isLive: (subId: string) => boolean): void {
    for (const { delivery, at } of items) {
      if (!isEvent(delivery)) continue
      for (const subId of delivery.subIds) this.#lastSent.set(subId, at)
    }
    if (this.#lastSent.size <= this.#pruneAt) return
    for (const subId of this.#lastSent.keys()) if (!isLive(subId)) this.#lastSent.delete(subId)
    this.#pruneAt = Math.max(256, this.#lastSent.size * 2)
  }

  /** Drops one delivery the tab is too far behind to get; returns whether an event was lost. */
  drop(item: Held): boolean {
    this.#isBehind = true
    const key = stateKey(item.delivery)
    if (key !== null) {
      // Re-inserted, so the kept states stay in the order they happened.
      this.#state.delete(key)
      this.#state.set(key, item.delivery)
      return false
    }
    for (const subId of item.delivery.subIds) {
      // A subscription that never got an event missed everything from its first dropped one on.
      if (!this.#missed.has(subId)) this.#missed.set(subId, this.#lastSent.get(subId) ?? item.at - 1)
    }
    return true
  }

  /** The tab caught up: the state it lacks, then one resync per affected subscription that listens. */
  recover(wantsResync: (subId: string) => boolean): Delivery[] {
    const deliveries = [...this.#state.values()]
    for (const [subId, since] of this.#missed) {
      if (wantsResync(subId)) deliveries.push({ kind: 'system', subIds: [subId], event: 'resync', payload: { since, reason: 'overflow' } })
    }
    this.reset()
    return deliveries
  }

  /** Forgets what was missed (the tab is gone, or moved to another user). */
  reset(): void {
    this.#missed.clear()
    this.#state.clear()
    this.#isBehind = false
  }
}
