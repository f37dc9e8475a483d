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
 * The real clock of the current thread.
 * @example
 * const cancel = systemClock.setTimeout(() => retry(), 1000)
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms)
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
