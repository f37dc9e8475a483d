/**
 * `tabrelay/testing/page`, the page's half of `tabrelay/testing`: `registerForTesting(client)`,
 * the app's opt-in one-liner that lets the Playwright helpers read this tab's client. An entry of
 * its own, so an app that does not import it ships none of it and the tab entries stay as they are.
 * @example
 * import { registerForTesting } from 'tabrelay/testing/page'
 * registerForTesting(realtime)
 */
import { RelayError } from '../contract/errors.ts'
import type { ConnectionStatus, HubStats, StatusEvent } from '../contract/protocol.ts'
import { TESTING_EVENT, TESTING_HOOK, type TestingGlobal, type TestingProbe } from '../contract/testing.ts'

/**
 * What `registerForTesting` needs of a client: `createRelay()` and `createSharedRealtime()` both have it.
 * @example
 * const client: TestableClient = createSharedRealtime(options)
 */
export interface TestableClient {
  readonly status: ConnectionStatus
  readonly isLeader: boolean
  stats(): Promise<HubStats>
  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void
  onLeaderChange(listener: (isLeader: boolean) => void): () => void
}

/**
 * Makes this tab's client readable by `tabrelay/testing` (status, leader, the hub's statistics; it
 * cannot act through it). Call it in test builds only; returns the function that unregisters it.
 * @example
 * const realtime = createSharedRealtime(options)
 * if (import.meta.env.MODE !== 'production') registerForTesting(realtime)
 */
export function registerForTesting(client: TestableClient, name = 'default'): () => void {
  if (typeof client !== 'object' || client === null || typeof client.stats !== 'function') {
    throw new RelayError('bad-input', 'registerForTesting(client): pass the client createRelay() or createSharedRealtime() returned')
  }
  if (typeof name !== 'string' || name === '') throw new RelayError('bad-input', 'registerForTesting(client, name): name must be a non-empty string')
  const probe: TestingProbe = Object.freeze({
    status: () => client.status,
    isLeader: () => client.isLeader,
    stats: () => client.stats(),
    onStatus: (listener: (status: ConnectionStatus, detail: StatusEvent) => void) => client.onStatus(listener),
    onLeaderChange: (listener: (isLeader: boolean) => void) => client.onLeaderChange(listener),
  })
  const scope = globalThis as TestingGlobal
  const clients = (scope[TESTING_HOOK] ??= {})
  clients[name] = probe
  if (typeof dispatchEvent === 'function') dispatchEvent(new Event(TESTING_EVENT))
  return () => { if (clients[name] === probe) delete clients[name] }
}
