/**
 * Builds `inspect()`'s answer from the hub's state, for ONE identity: only that identity's tabs,
 * connection, topics and journal entries go in, and nothing that carries a token or a payload
 * (see `src/contract/inspect.ts`).
 */
import type { HubInspection, InspectedTab, InspectedTopic } from '../../src/contract/inspect.ts'
import { PROTOCOL_VERSION, type ConnectionTarget } from '../../src/contract/protocol.ts'
import type { Connection } from '../connection/connection.ts'
import type { Journal } from './journal.ts'
import type { TabRegistry } from '../tab/registry.ts'
import type { Tab } from '../tab/tab.ts'

/** What the hub shows the inspector: read only. */
export interface InspectView {
  workerId: string
  /** The calling tab (its identity is the one shown). */
  tab: Pick<Tab, 'tabId' | 'identity'> & { hello: { target: ConnectionTarget } }
  now: number
  connection: Connection | undefined
  registry: Pick<TabRegistry, 'leaderOf' | 'list'>
  /** The journal's entries of an identity after `since`, and its highest seq. */
  journal: Pick<Journal, 'seq' | 'since'>
}

/**
 * The endpoint without what may hold a secret: a query (`?token=`, `?apikey=`), a fragment or a
 * user part.
 * @example
 * safeEndpoint('wss://u:p@example.com/ws/?token=abc') // 'wss://example.com/ws/'
 */
export function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return (endpoint.split(/[?#]/)[0] ?? '').replace(/\/\/[^/@]*@/, '//')
  }
}

/** Where this hub runs, told by its global scope. */
function hostKind(): HubInspection['host'] {
  const scope = globalThis as { onconnect?: unknown; importScripts?: unknown; document?: unknown }
  if ('onconnect' in scope) return 'shared-worker'
  return typeof scope.importScripts === 'function' && scope.document === undefined ? 'dedicated-worker' : 'other'
}

function tabsOf(view: InspectView): InspectedTab[] {
  const leader = view.registry.leaderOf(view.tab.identity)
  return view.registry.list(view.tab.identity).map((tab) => {
    const { lastBeatAt, outbox } = tab
    const { heartbeatIntervalMs } = tab.hello
    return {
      tabId: tab.tabId, isSelf: tab.tabId === view.tab.tabId, isLeader: tab.tabId === leader, visibility: tab.visibility, focused: tab.focused,
      isFrozenSuspect: view.now - lastBeatAt > 2 * heartbeatIntervalMs, lastBeatAt, heartbeatIntervalMs,
      outbox: { queued: outbox.queued, ...outbox.peak },
    }
  })
}

function topicsOf(connection: Connection | undefined): InspectedTopic[] {
  return [...(connection?.topics.entries() ?? [])].map((entry) => ({
    topic: entry.topic, status: entry.status, presence: Object.keys(entry.presence).length, since: entry.since,
    received: entry.received, sent: entry.sent, replay: entry.isReplaying ? 'running' : 'idle',
    subs: [...entry.subs.values()].map(({ tabId, sub }) => ({ tabId, subId: sub.subId, bindings: sub.bindings.length })),
  }))
}

/**
 * The caller's identity's view of the hub, with journal entries newer than `since`.
 * @example
 * inspectHub({ workerId, tab, now, connection, registry, journal }, 0)
 */
export function inspectHub(view: InspectView, since: number): HubInspection {
  const { connection, tab: { hello: { target } } } = view
  const status = connection?.status
  return {
    workerId: view.workerId, protocol: PROTOCOL_VERSION, host: hostKind(), now: view.now, seq: view.journal.seq,
    connection: connection && status ? {
      transport: target.transport, endpoint: safeEndpoint(target.endpoint), params: Object.keys(target.params),
      status: status.status, sendQueue: connection.sends.queued,
      ...(status.attempt === undefined ? {} : { attempt: status.attempt }),
      ...(status.retryAt === undefined ? {} : { retryAt: status.retryAt }),
      ...(status.error === undefined ? {} : { error: status.error }),
    } : null,
    tabs: tabsOf(view),
    topics: topicsOf(connection),
    journal: view.journal.since(view.tab.identity, since),
  }
}
