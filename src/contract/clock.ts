/**
 * Injected time: every unit that owns a timer takes a {@link Clock}, so tests drive it by hand.
 */
import { RelayError } from './errors.ts'

/** The two time primitives the runtime needs; `setTimeout` returns its own cancel function. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): () => void
}

/**
 * Longest delay a timer can have: browsers and Node store it as a signed 32-bit integer and run a
 * longer one at once (https://developer.mozilla.org/docs/Web/API/Window/setTimeout#maximum_delay_value),
 * so a server's `Retry-After: 2592000` would turn into a reconnect storm.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A delay as a timer can hold it: not a number or negative is 0, longer than
 * {@link MAX_TIMER_MS} is that, so an absurd value waits long instead of firing at once.
 * @example
 * clampMs(99_999_999_999) // 2147483647
 */
export function clampMs(ms: number, min = 0, max = MAX_TIMER_MS): number {
  if (Number.isNaN(ms)) return min
  return Math.min(Math.max(ms, min), max)
}

/**
 * The real clock of the current thread; every delay is clamped ({@link clampMs}).
 * @example
 * const cancel = systemClock.setTimeout(() => retry(), 1000)
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, clampMs(ms))
    return () => clearTimeout(handle)
  },
}

/**
 * Rejects with a `timeout` {@link RelayError} when `promise` has not settled after `ms`: a Comlink
 * call whose peer died never settles (Comlink issues #601, #692).
 * @example
 * const ack = await withTimeout(hub.heartbeat(beat), 2000, 'heartbeat')
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, clock: Clock = systemClock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimeout(() => {
      reject(new RelayError('timeout', `${what} got no answer within ${ms} ms; the worker may have died, tabrelay reconnects by itself`))
    }, ms)
    promise.then(
      (value) => { cancel(); resolve(value) },
      (error: unknown) => { cancel(); reject(error) },
    )
  })
}
