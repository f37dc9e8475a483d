/**
 * A link to a hub whose host's code is still loading: the tab-host fallback (election, sealed
 * links) is only needed where SharedWorker is missing, so it is a chunk of its own, loaded on the
 * first `open()`. Until it is there, calls wait and the sink's endpoint queues its listeners and
 * messages; the session uses the link at once, as it uses any other.
 */
import type { Endpoint } from 'comlink'
import { RelayError } from '../contract/errors.ts'
import type { HubApi } from '../contract/protocol.ts'
import { HUB_METHODS } from '../contract/surface.ts'
import type { HubLink } from './worker.ts'

/**
 * A {@link HubLink} that becomes `ready`'s once it resolves; a chunk that fails to load fails the
 * link with `worker-failed` (the tab then closes with it, as for a worker script that did not load).
 * @example
 * const link = lazyLink(import('./tab-host.ts').then(({ TabHost }) => new TabHost(factory).open()))
 */
export function lazyLink(ready: Promise<HubLink>): HubLink {
  const loaded = ready.catch((error: unknown) => {
    throw new RelayError('worker-failed', `the tab host's code failed to load (${error instanceof Error ? error.message : String(error)}): check that the app serves its chunks, then reload`)
  })
  // Every method of the hub's API waits for the loaded link, then calls it there.
  const hub = Object.fromEntries(HUB_METHODS.map((name) => [name, (...args: unknown[]) => loaded.then((link) => (link.hub[name] as (...a: unknown[]) => Promise<unknown>)(...args))])) as unknown as HubApi
  const failed = loaded.then((link) => link.failed ?? new Promise<never>(() => {}))
  failed.catch(() => undefined)
  let isReleased = false
  return {
    hub,
    endpoint: deferredEndpoint(loaded.then((link) => link.endpoint)),
    failed,
    lost: loaded.then((link) => link.lost ?? new Promise<RelayError>(() => {}), () => new Promise<RelayError>(() => {})),
    release() {
      if (isReleased) return
      isReleased = true
      void loaded.then((link) => link.release(), () => undefined)
    },
  }
}

// Listeners and messages wait for the endpoint; after that, everything goes straight through.
function deferredEndpoint(ready: Promise<Endpoint>): Endpoint {
  let target: Endpoint | null = null
  const waiting: Array<(endpoint: Endpoint) => void> = []
  const later = (fn: (endpoint: Endpoint) => void): void => { if (target) fn(target); else waiting.push(fn) }
  void ready.then((endpoint) => {
    target = endpoint
    for (const fn of waiting.splice(0)) fn(endpoint)
  }, () => { waiting.length = 0 })
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => later((endpoint) => endpoint.postMessage(message, transfer)),
    addEventListener: (type, listener) => later((endpoint) => endpoint.addEventListener(type, listener)),
    removeEventListener: (type, listener) => later((endpoint) => endpoint.removeEventListener(type, listener)),
  }
}
