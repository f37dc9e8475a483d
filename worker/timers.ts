/**
 * Named one-shot timers per key (here: per identity), so setting one replaces its predecessor
 * and different kinds of the same key (idle close, pause) never cancel each other.
 */
import type { Clock } from '../src/contract/clock.ts'

/**
 * One-shot timers keyed by kind and key.
 * @example
 * const timers = new KeyedTimers<'idle' | 'pause'>(clock)
 * timers.set('idle', identity, 5_000, () => close(identity)); timers.cancel('idle', identity)
 */
export class KeyedTimers<Kind extends string> {
  readonly #clock: Clock
  readonly #cancels = new Map<string, () => void>()

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Runs `fn` after `ms`, replacing a pending timer of the same kind and key. */
  set(kind: Kind, key: string, ms: number, fn: () => void): void {
    const id = `${kind}:${key}`
    this.cancel(kind, key)
    this.#cancels.set(id, this.#clock.setTimeout(() => { this.#cancels.delete(id); fn() }, ms))
  }

  /** Cancels the pending timer of that kind and key, if any. */
  cancel(kind: Kind, key: string): void {
    const id = `${kind}:${key}`
    this.#cancels.get(id)?.()
    this.#cancels.delete(id)
  }
}
