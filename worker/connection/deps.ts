/**
 * What a connection needs from the hub: its target and transport, the hub's clock and timings, and
 * the callbacks through which it reaches the tabs. Kept apart from connection.ts, which is the
 * connection's behaviour.
 */
import type { ConnectionTarget, StatusEvent } from '../../src/contract/protocol.ts'
import type { Clock } from '../../src/contract/clock.ts'
import type { TokenAnswer } from './auth.ts'
import type { SendQueueLimits } from './send-queue.ts'
import type { StoredSends } from '../persist/hooks.ts'
import type { Transport } from '../transports/transport.ts'
import type { DeliveryInbox } from '../topic/router.ts'

/**
 * The hub's tabs as a connection reaches them: each tab's outbox while it rides an identity.
 * @example
 * const tabs: TabDirectory = registry // TabRegistry.get gives each Tab record
 */
export interface TabDirectory {
  get(tabId: string): { outboxFor(identity: string): DeliveryInbox | null } | undefined
}

/**
 * What a connection needs from the hub.
 * @example
 * const deps: ConnectionDeps = { target, transport, clock, random: Math.random, lingerMs: () => 0, minUptimeMs: 10_000,
 *   joinWaitMs: 8_000, sendQueue, connectTimeoutMs: 10_000, maxRetryFloorMs: 60_000, tokenTrialMs: 2_000, identity, tabs: registry, status, refused, askToken }
 */
export interface ConnectionDeps {
  target: ConnectionTarget
  /** The connection key (hub.ts `#identity`): only tabs still riding it get its deliveries. */
  identity: string
  /** The hub's tabs: the router hands each delivery to the tab's outbox itself. */
  tabs: TabDirectory
  transport: Transport
  clock: Clock
  random: () => number
  /** How long a topic outlives its last subscription: read each time one goes (a rule over the tabs). */
  lingerMs(): number
  /** A connection must stay up this long before the retry attempt count resets. */
  minUptimeMs: number
  /** How long a track waits for the channel to be joined. */
  joinWaitMs: number
  /** Bounds of the sends waiting for their topic to be joined. */
  sendQueue: SendQueueLimits
  /** The identity's persisted outbox (`tabrelay/worker/persist`), if the hub has one. */
  stored?: StoredSends | null
  /** How long an attempt may take to open before it counts as failed. */
  connectTimeoutMs: number
  /** Longest floor a server may set for the next attempt (SSE `retry:`, `Retry-After`). */
  maxRetryFloorMs: number
  /** How long a new token applied to joined channels is on trial before it counts as accepted. */
  tokenTrialMs: number
  status(event: StatusEvent): void
  /** A tab's send or track broke the transport's limits: the journal notes it, then the call rejects. */
  refused(tabId: string, error: unknown): void
  /** Asks these live tabs of this identity (leader first) for a fresh token (their `accessToken()`). */
  askToken(tabIds: readonly string[], accepts: (token: string | null) => boolean): Promise<TokenAnswer | null>
}
