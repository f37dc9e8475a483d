/**
 * The page hook between an app's tab and `tabrelay/testing` (Playwright, in Node): the app
 * registers its client with `registerForTesting(client)`; the Node helpers reach it through
 * `page.evaluate` under {@link TESTING_HOOK}. Types only plus two names, so both sides share them.
 */
import type { ConnectionStatus, HubStats, StatusEvent } from './protocol.ts'

/**
 * The `globalThis` property holding the registered clients, by name.
 * @example
 * page.evaluate((hook) => hook in globalThis, TESTING_HOOK)
 */
export const TESTING_HOOK = '__tabrelay'

/**
 * The event dispatched on `globalThis` when a client is registered, so a helper waiting for a page's
 * client hears of it instead of polling.
 * @example
 * addEventListener(TESTING_EVENT, () => check())
 */
export const TESTING_EVENT = 'tabrelay:testing'

/**
 * What a registered client shows the test: read-only state and the hub's statistics, nothing that
 * acts (no send, no setAuth, no close).
 * @example
 * const probe = (globalThis as TestingGlobal).__tabrelay?.['default']; await probe?.stats()
 */
export interface TestingProbe {
  status(): ConnectionStatus
  isLeader(): boolean
  stats(): Promise<HubStats>
  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void
  onLeaderChange(listener: (isLeader: boolean) => void): () => void
}

/**
 * `globalThis` as the hook sees it.
 * @example
 * const clients = (globalThis as TestingGlobal)[TESTING_HOOK]
 */
export interface TestingGlobal {
  [TESTING_HOOK]?: { [name: string]: TestingProbe }
}
