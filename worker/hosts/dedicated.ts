/**
 * The dedicated-Worker host: the worker belongs to one page. It serves that page's tab on its own
 * scope (the 'dedicated' host strategy, one connection per tab), and, when the page was elected
 * tab host (the 'leader-tab' strategy), every tab of the origin over a BroadcastChannel.
 */
import type { Endpoint } from 'comlink'
import type { Hub } from '../hub.ts'
import { acceptTab } from './endpoint.ts'
import { followHostOrders } from './tab-host.ts'

/**
 * Accepts the one tab that owns this dedicated Worker, and follows its host orders. Comlink
 * ignores the orders (they carry no Comlink message type), so both share the scope.
 * @example
 * acceptDedicatedTab(createHub({ transports }), self)
 */
export function acceptDedicatedTab(hub: Hub, scope: Endpoint): void {
  acceptTab(hub, scope)
  // Guarded: BroadcastChannel is missing in a few old WebViews, which then keep one hub per tab.
  if (typeof BroadcastChannel === 'function') followHostOrders(hub, scope, (name) => new BroadcastChannel(name))
}
