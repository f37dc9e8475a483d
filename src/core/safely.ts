/**
 * Calling the app's callbacks without letting one break the others.
 */

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
