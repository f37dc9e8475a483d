/**
 * The SharedWorker host: every tab of the origin that constructs the same worker (URL and name)
 * connects here, each on its own port.
 */
import type { Hub } from '../hub.ts'
import { acceptTab } from './endpoint.ts'

interface ConnectScope {
  addEventListener(type: 'connect', listener: (event: { ports: readonly MessagePort[] }) => void): void
}

/**
 * Accepts tabs from a SharedWorker's `connect` events. Call it synchronously at the worker's start:
 * Chromium may dispatch `connect` before any await returns (automerge-repo's shared-worker example).
 * @example
 * acceptSharedWorkerTabs(createHub({ transports }), self)
 */
export function acceptSharedWorkerTabs(hub: Hub, scope: ConnectScope): void {
  scope.addEventListener('connect', (event) => {
    const port = event.ports[0]
    if (port) acceptTab(hub, port)
  })
}
