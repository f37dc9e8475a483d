/**
 * A manual {@link Clock} and a manual outbox {@link Schedule}: tests move time and flush batches by
 * hand, so nothing waits on real time (STYLE §4, TanStack `timeoutManager.ts`).
 */
import type { Clock } from '../../../src/contract/clock.ts'
import type { Schedule } from '../../../worker/tab/outbox.ts'

interface Timer {
  at: number
  seq: number
  fn: () => void
}

/**
 * A clock whose time moves only through {@link ManualClock.advance}.
 * @example
 * const clock = new ManualClock(); clock.setTimeout(fn, 100); clock.advance(100) // fn ran
 */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, Timer>()

  constructor(start = 1_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const seq = ++this.#seq
    this.#timers.set(seq, { at: this.#now + Math.max(0, ms), seq, fn })
    return () => { this.#timers.delete(seq) }
  }

  /** Moves time forward by `ms`, running every timer that falls due, in due order (ties: set order). */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      const next = this.#next(end)
      if (!next) break
      this.#timers.delete(next.seq)
      this.#now = next.at
      next.fn()
    }
    this.#now = end
  }

  /** Timers not yet run or cancelled. */
  get pending(): number {
    return this.#timers.size
  }

  #next(end: number): Timer | undefined {
    let best: Timer | undefined
    for (const timer of this.#timers.values()) {
      if (timer.at > end) continue
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer
    }
    return best
  }
}

/**
 * An outbox schedule that runs nothing until {@link ManualSchedule.flush}.
 * @example
 * const tasks = new ManualSchedule(); new Hub({ schedule: tasks.schedule, ... }); tasks.flush()
 */
export class ManualSchedule {
  #queue: Array<() => void> = []

  readonly schedule: Schedule = (fn) => { this.#queue.push(fn) }

  /** Runs queued tasks (and tasks they queue) until none is left; returns how many ran. */
  flush(): number {
    let ran = 0
    while (this.#queue.length > 0) {
      const queue = this.#queue
      this.#queue = []
      for (const fn of queue) { fn(); ran += 1 }
    }
    return ran
  }

  get pending(): number {
    return this.#queue.length
  }
}

/**
 * Lets every pending promise continuation run: one macrotask turn, after which the microtask queue
 * is empty. Manual clock timers do not run, so this never stands in for time passing.
 * @example
 * await settle()
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => { setImmediate(resolve) })
}
