/**
 * The tab's close-signal Web Lock: held for the tab's life, so the hub learns at once when the tab
 * closes, crashes or navigates away (PowerSync's `tab_close_signal.ts`).
 */
import { type Clock, withTimeout } from '../contract/clock.ts'

/**
 * The tab's close-signal lock: held for the tab's life, released on `close()`.
 * @example
 * await lock.held; … lock.release()
 */
export interface TabLock {
  /** Settles once the lock is held (or after `waitMs` if it never is). */
  held: Promise<void>
  /** Whether the lock is held now: the hub queues on it only then. */
  isHeld(): boolean
  release(): void
}

/**
 * Holds the Web Lock `name` until released: the hub queues on the same name and is granted it
 * when this tab closes, crashes or navigates away (PowerSync's tab close signal). Best effort:
 * without `navigator.locks` (Node, old browsers) the hub falls back to heartbeats.
 * @example
 * const lock = holdTabLock('tabrelay-tab-' + tabId, 10_000, systemClock); await lock.held
 */
export function holdTabLock(name: string, waitMs: number, clock: Clock): TabLock {
  const locks = globalThis.navigator?.locks
  let isReleased = false
  let isHeld = false
  let release = (): void => { isReleased = true }
  if (!locks) return { held: Promise.resolve(), isHeld: () => false, release }
  const granted = new Promise<void>((resolve) => {
    const hold = () => new Promise<void>((done) => {
      if (isReleased) done()
      isHeld = !isReleased
      release = () => { isHeld = false; done() }
      resolve()
    })
    locks.request(name, hold).catch(() => resolve())
  })
  return {
    // A lock still held by a twin tab must not stall the hello forever.
    held: withTimeout(granted, waitMs, 'tab lock', clock).catch(() => undefined),
    isHeld: () => isHeld,
    release: () => release(),
  }
}
