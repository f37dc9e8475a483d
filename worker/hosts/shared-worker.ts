/**
 * The SharedWorker host: every tab of the origin that constructs the same worker (URL and name)
 * connects here, each on its own port; hubs of other deploys (same name, another URL) are met on
 * a BroadcastChannel (see `worker/deploys.ts`).
 */
import { nameBase } from '../../src/contract/offers.ts'
import { PROTOCOL_VERSION, type HubOffer } from '../../src/contract/protocol.ts'
import type { Hub } from '../hub.ts'
import type { DeployOptions } from '../options.ts'
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

/**
 * Where this SharedWorker's hub meets the hubs of other deploys of the app: the channel is named
 * by the worker name without its protocol suffix (`workerName()`'s `-v2`), so a deploy that
 * changed the protocol is still heard of, and its tabs told an update is available.
 * @example
 * createHub({ transports, deploys: sharedWorkerDeploys(self) })
 */
export function sharedWorkerDeploys(scope: { name: string; location: { href: string } }): DeployOptions | null {
  if (typeof BroadcastChannel !== 'function') return null
  const offer: HubOffer = { url: scope.location.href, name: scope.name, type: workerType(), protocol: PROTOCOL_VERSION }
  return { channel: new BroadcastChannel(`tabrelay-hubs:${nameBase(scope.name)}`), offer }
}

// A tab joining this worker must construct it with the same type, or the browser fires `error`
// (HTML: "worker global scope's type … must match"). Only a classic worker may call importScripts
// (with no arguments it loads nothing), but Firefox 153 lets a module worker call it too: the
// guess may say 'classic' there, and a tab whose worker then fails to start tries the other type.
function workerType(): 'module' | 'classic' {
  const scope = globalThis as { importScripts?: () => void }
  try {
    scope.importScripts?.()
    return typeof scope.importScripts === 'function' ? 'classic' : 'module'
  } catch {
    return 'module'
  }
}
