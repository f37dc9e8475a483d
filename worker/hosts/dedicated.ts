/**
 * The dedicated-Worker host: the worker belongs to one tab and serves it on its own scope (the
 * fallback where SharedWorker is missing, one connection per tab).
 */
import type { Endpoint } from 'comlink'
import type { Hub } from '../hub.ts'
import { acceptTab } from './endpoint.ts'

/**
 * Accepts the one tab that owns this dedicated Worker.
 * @example
 * acceptDedicatedTab(createHub({ transports }), self)
 */
export function acceptDedicatedTab(hub: Hub, scope: Endpoint): void {
  acceptTab(hub, scope)
}
