/**
 * How the hub plugs in the persisted outbox (`persistedSends()` of `tabrelay/worker/persist`):
 * types and one check, so a hub without it carries none of its code.
 */
import type { Clock } from '../../src/contract/clock.ts'
import { RelayError } from '../../src/contract/errors.ts'
import type { Json, Outgoing } from '../../src/contract/protocol.ts'
import type { ChannelRouter } from '../topic/router.ts'
import type { Topic } from '../topic/topic.ts'
import type { Capabilities } from '../transports/transport.ts'

/**
 * A joined topic as the outbox writes to it: the entry (its channel), the router (the local echo,
 * the `outbox` reports) and what the transport can do (acks, echoes).
 * @example
 * stored.joined({ entry, router, capabilities: transport.capabilities })
 */
export interface JoinedTopic {
  entry: Topic
  router: ChannelRouter
  capabilities: Capabilities
}

/**
 * The persisted outbox of one identity's connection.
 * @example
 * const queued = stored.queue(topic, tabId, subId, message) ?? memoryQueue.push(…)
 */
export interface StoredSends {
  /**
   * Stores a send whose topic is not joined; `null` when it does not ask to persist (the hub's
   * memory queue takes it). Resolves `'queued'` once stored; rejects `outbox-full` past a bound.
   */
  queue(topic: JoinedTopic, tabId: string, subId: string, message: Outgoing): Promise<'queued'> | null
  /** The topic is joined (again): writes what waits for it, in order, once each. */
  joined(topic: JoinedTopic): void
  /** A received payload without its idempotency key, or `undefined`: the topic delivered that key already. */
  readonly inbound: (entry: Topic, payload: Json) => Json | undefined
}

/**
 * The hub's persisted outbox: one {@link StoredSends} per identity, forgotten on sign-out.
 * @example
 * serveHub({ transports, persist: persistedSends() })
 */
export interface HubPersist {
  /** The outbox of `identity`, on the hub's clock. */
  of(identity: string, clock: Clock): StoredSends
  /** Deletes everything stored for `identity`: its tabs signed out or switched user. */
  forget(identity: string): void
}

/**
 * Refuses a send asking to persist on a connection without a persisted outbox (the hub has none),
 * instead of keeping it in memory only, which the app did not ask for.
 * @example
 * refusePersist(deps.stored, message)
 */
export function refusePersist(stored: StoredSends | null | undefined, message: Outgoing): void {
  if (message.outbox === 'persist' && !stored) throw new RelayError('unsupported', "outbox: 'persist' needs serveHub({ persist: persistedSends() }) in the worker")
}
