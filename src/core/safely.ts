/**
 * Calling the app's callbacks without letting one break the others, and refusing at registration
 * what is not a callback.
 */
import { RelayError } from '../contract/errors.ts'

/**
 * Calls an app callback so that one throwing does not keep the others (or the rest of a batch)
 * from their events; the error is rethrown in a microtask so it still shows up as uncaught.
 * @example
 * safely(listener.callback, message)
 */
export function safely(callback: (payload: never) => void, payload: unknown): void {
  try {
    (callback as (payload: unknown) => void)(payload)
  } catch (error) {
    queueMicrotask(() => { throw error })
  }
}

/**
 * Refuses a listener that is not a function when it is registered: called later, it would throw
 * at every event, far from the call that registered it.
 * @example
 * checkCallback(listener, 'onStatus(listener)')
 */
export function checkCallback(listener: unknown, what: string): void {
  if (typeof listener !== 'function') throw new RelayError('bad-input', `${what}: listener must be a function, got ${typeof listener}`)
}
