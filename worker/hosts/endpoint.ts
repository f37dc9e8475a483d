/**
 * One tab's endpoint on the hub: the hub's API exposed on it and the tab's sink wrapped from it,
 * Comlink in both directions on the same endpoint (each side ignores the other's replies). Nothing
 * is transferred, so any endpoint works: a SharedWorker port, a dedicated Worker's scope, a
 * MessageChannel in Node, a tab host's per-tab BroadcastChannel address.
 */
import type { Endpoint } from 'comlink'
import { HUB_METHODS, exposeOnly } from '../../src/contract/surface.ts'
import type { Hub } from '../hub.ts'
import { TabSession } from '../tab/session.ts'
import { sinkOn } from './sink-link.ts'

/**
 * Serves one tab on `endpoint`.
 * @example
 * const { port1, port2 } = new MessageChannel(); acceptTab(hub, port1) // the tab uses port2
 */
export function acceptTab(hub: Hub, endpoint: Endpoint): void {
  // Only the protocol's methods, with plain data: any page of the origin can open this endpoint.
  exposeOnly(new TabSession(hub, () => sinkOn(endpoint)), HUB_METHODS, endpoint)
}
