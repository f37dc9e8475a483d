/**
 * The worker side of tabrelay. `createHub()` builds a hub (no globals); a host accepts tabs into
 * it; `serveHub()` does both for the scope it runs in. An app's worker file names its transports:
 * `serveHub({ transports: { supabase: supabaseTransport() } })` (or `tabrelay/worker/default`).
 * No transport is imported here, so a worker bundles only the ones it serves.
 */
import type { Endpoint } from 'comlink'
import { Hub, type HubOptions } from './hub.ts'
import { acceptDedicatedTab } from './hosts/dedicated.ts'
import { acceptSharedWorkerTabs, sharedWorkerDeploys } from './hosts/shared-worker.ts'
import type { LockRequester } from './tab/registry.ts'

export { Hub, type HubOptions } from './hub.ts'
export { acceptTab } from './hosts/endpoint.ts'
export { acceptSharedWorkerTabs, sharedWorkerDeploys } from './hosts/shared-worker.ts'
export { acceptDedicatedTab } from './hosts/dedicated.ts'
export { defaultIdentity, tokenIdentity, claimsOf, isFresher, type IdentityClaim, type IdentityRule } from './connection/claims.ts'
export { ByTopic, type TopicSpec } from './transports/by-topic.ts'
export type { Transport, Transports, TransportConnection, TransportChannel, ChannelHandlers, StatusDetail, Capabilities, CloseReason, OpenOptions, AttemptEvents } from './transports/transport.ts'
// The wire types a transport's signatures use, so a transport can be written against this entry alone.
export type { ChannelStatus, ConnectionTarget, Json, PresenceState, SendResult, Subscription, WireError } from '../src/contract/protocol.ts'

/**
 * Builds a hub; tabs reach it through a host (`acceptTab`, `acceptSharedWorkerTabs`, …). Web Locks
 * (the close signal of dead tabs) are taken from `navigator.locks` unless `locks` is given.
 * @example
 * const hub = createHub({ transports: { supabase: supabaseTransport() } })
 */
export function createHub(options: HubOptions): Hub {
  const nav = (globalThis as { navigator?: { locks?: LockRequester } }).navigator
  return new Hub({ locks: nav?.locks ?? null, ...options })
}

/**
 * Starts the hub in this worker: a SharedWorker serves every tab that connects; a dedicated Worker
 * (the fallback where SharedWorker is missing) serves its one tab. In a SharedWorker the hub meets
 * other deploys' hubs of the app (see `sharedWorkerDeploys`) unless `deploys` is given (`null`: off).
 * @example
 * // realtime.worker.ts
 * import { serveHub } from 'tabrelay/worker'
 * import { supabaseTransport } from 'tabrelay/worker/supabase'
 * serveHub({ transports: { supabase: supabaseTransport() } })
 */
export function serveHub(options: HubOptions): Hub {
  if (typeof options !== 'object' || options === null || typeof options.transports !== 'object' || options.transports === null) {
    throw new TypeError("serveHub() needs { transports: { supabase: supabaseTransport() } } (import it from 'tabrelay/worker/supabase')")
  }
  if (!('onconnect' in globalThis)) {
    const hub = createHub(options)
    acceptDedicatedTab(hub, globalThis as unknown as Endpoint)
    return hub
  }
  const scope = globalThis as unknown as Parameters<typeof acceptSharedWorkerTabs>[1] & Parameters<typeof sharedWorkerDeploys>[0]
  // A deploy that changed the worker hands its tabs over to the newest deploy's hub.
  const hub = createHub(options.deploys === undefined ? { ...options, deploys: sharedWorkerDeploys(scope) } : options)
  acceptSharedWorkerTabs(hub, scope)
  return hub
}
