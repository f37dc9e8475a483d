/**
 * `stats()`: a dozen counters of the hub for one identity.
 */
import type { HubStats } from '../../src/contract/protocol.ts'
import type { Connection } from '../connection/connection.ts'
import type { OutboxCounters } from '../tab/outbox.ts'
import type { TabRegistry } from '../tab/registry.ts'

/**
 * `stats()`'s counters for one identity: its tabs and topics; sockets and counters of the worker.
 * @example
 * statsOf(hub.workerId, identity, tabId, registry, connections, counters)
 */
export function statsOf(workerId: string, identity: string, tabId: string, registry: TabRegistry, connections: ReadonlyMap<string, Connection>, counters: OutboxCounters): HubStats {
  const tabs = registry.list(identity)
  const connection = connections.get(identity)
  // A held tab (admission.ts) does not learn which topics the user is on.
  const channels = [...(connection?.auth.admission.admits(tabId) === true ? connection.topics.entries() : [])].map((entry) => {
    const subs = [...entry.subs.values()]
    return { topic: entry.topic, tabs: new Set(subs.map((s) => s.tabId)).size, listeners: subs.reduce((n, s) => n + s.sub.bindings.length, 0), status: entry.status }
  })
  return {
    workerId, tabs: tabs.length, visibleTabs: tabs.filter((t) => t.visibility === 'visible').length,
    connections: [...connections.values()].reduce((n, c) => n + c.sockets, 0), identities: connections.size, channels, status: connection?.status.status ?? 'closed',
    ...counters,
  }
}
