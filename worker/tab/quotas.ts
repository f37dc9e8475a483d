/**
 * What one tab, and all tabs together, may hold in the hub: subscriptions and topics per tab, and
 * user connections per hub; plus the transport's own limits (`src/contract/limits.ts`) on a join,
 * before it touches shared state (sends and tracks: sends.ts checks the same limits). Over a
 * limit, the call fails in the tab that made it with a `bad-input` (or `unsupported`) that names
 * the limit and the option that raises it; the connection and the other tabs carry on.
 */
import { RelayError } from '../../src/contract/errors.ts'
import { checkSubscriptionFor } from '../../src/contract/limits.ts'
import type { ConnectionTarget, Subscription } from '../../src/contract/protocol.ts'
import type { Transport } from '../transports/transport.ts'

/**
 * The hub's own limits (`HubOptions.limits`); each has a generous default.
 * @example
 * const limits: HubLimits = { subscriptionsPerTab: 500, topicsPerTab: 200, identities: 64 }
 */
export interface HubLimits {
  /** Channels (subscriptions) one tab may hold at once. Default 500. */
  subscriptionsPerTab: number
  /** Distinct topics one tab may subscribe to at once. Default 200. */
  topicsPerTab: number
  /** User connections (identities) one hub may hold at once, a closing idle one included. Default 64. */
  identities: number
}

/**
 * The defaults of {@link HubLimits}.
 * @example
 * new Quotas({ ...HUB_LIMITS, identities: 8 })
 */
export const HUB_LIMITS: HubLimits = { subscriptionsPerTab: 500, topicsPerTab: 200, identities: 64 }

const where = (target: ConnectionTarget): string => `the '${target.transport}' transport`
const full = (what: string, option: string, fix: string): RelayError => new RelayError('bad-input', `${what}, the most allowed (HubOptions.limits.${option}); ${fix}`)
const topicKey = (sub: Subscription): string => `${sub.config.private === true ? 'private' : 'public'}:${sub.topic}`

/**
 * Checks a tab's joins and arrivals against the transport's limits and the hub's quotas.
 * @example
 * const quotas = new Quotas({ identities: 8 }); quotas.join(transport, target, tabSubs, sub)
 */
export class Quotas {
  readonly limits: HubLimits

  constructor(limits: Partial<HubLimits> = {}) {
    this.limits = { ...HUB_LIMITS, ...limits }
  }

  /** A tab's join: the transport's limits, then its subscription and topic counts. */
  join(transport: Transport, target: ConnectionTarget, subs: ReadonlyMap<string, Subscription>, sub: Subscription): void {
    checkSubscriptionFor(transport.capabilities, where(target), sub)
    const { subscriptionsPerTab, topicsPerTab } = this.limits
    if (!subs.has(sub.subId) && subs.size >= subscriptionsPerTab) throw full(`this tab has ${subs.size} channels`, 'subscriptionsPerTab', 'remove unused ones')
    const topics = new Set([...subs.values()].filter((s) => s.subId !== sub.subId).map(topicKey))
    if (!topics.has(topicKey(sub)) && topics.size >= topicsPerTab) throw full(`this tab listens to ${topics.size} topics`, 'topicsPerTab', 'leave unused ones')
  }

  /**
   * A tab arriving at, or moving to, `identity`: a new user connection only while the hub holds
   * fewer than the limit. `leaving` is a connection the move frees (its last tab is this one).
   */
  identity(connections: ReadonlyMap<string, unknown>, identity: string, leaving: string | null = null): void {
    if (connections.has(identity)) return
    const held = connections.size - (leaving !== null && connections.has(leaving) ? 1 : 0)
    if (held >= this.limits.identities) throw full(`this hub holds ${held} user connections`, 'identities', 'sign a user out (setAuth(null))')
  }
}
