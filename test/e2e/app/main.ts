/**
 * The e2e test app: one client per page, created from the query params, exposed as
 * `window.tabrelay` (the library) and `window.harness` (test helpers, see harness.ts).
 */
import { createSharedRealtime, RelayError, workerName } from '../../../src/supabase/index.ts'
import { registerForTesting } from '../../../src/testing/index.ts'
import type { WorkerKind } from '../../../src/hosts/worker.ts'
import { createHarness, type Harness } from './harness.ts'
import { clientOptionsFrom, hostFrom, targetFrom, workerSearch } from './params.ts'

declare global {
  interface Window {
    tabrelay: { createSharedRealtime: typeof createSharedRealtime; workerName: typeof workerName; RelayError: typeof RelayError }
    harness: Harness
    /** Whether this page runs the tab host's hub Worker now (host 'leader-tab', or 'auto' without SharedWorker). */
    tabHost: { isHosting: boolean; startedAt: number | null }
  }
}

interface HubWorkerOptions extends WorkerOptions {
  /** Chromium 148+: keep the worker (and its socket) alive a while after the last page goes. */
  extendedLifetime?: boolean
}

/**
 * The hub worker. Vite bundles a worker only for the literal `new SharedWorker(new URL('…',
 * import.meta.url), …)` form, so the hub options ride on a local subclass that appends them to the
 * bundled worker's URL (another URL is another SharedWorker, which is what a spec asking for
 * other hub options wants).
 */
function hubWorker(search: string, isExtendedLifetime: boolean): SharedWorker {
  const SharedWorker = class extends globalThis.SharedWorker {
    constructor(url: URL, options: HubWorkerOptions) {
      url.search = search
      super(url, options)
    }
  }
  return new SharedWorker(new URL('./worker.ts', import.meta.url), { type: 'module', name: workerName(), extendedLifetime: isExtendedLifetime })
}

/**
 * The same hub file as a dedicated Worker: the tab host's hub (this page was elected host and
 * ordered it to serve), a spare, or with `?host=dedicated` this tab's own. Recorded in
 * `window.tabHost` for the specs. With `?app=b`, the hub file of a second app of the origin.
 */
function dedicatedWorker(search: string, isAppB: boolean): Worker {
  const Worker = class extends globalThis.Worker {
    constructor(url: URL, options: WorkerOptions) {
      url.search = search
      super(url, options)
    }

    // Every tab keeps an idle spare Worker; this page hosts once it orders one to serve.
    override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
      const order = typeof message === 'object' && message !== null && 'tabrelayHost' in message ? message.tabrelayHost : undefined
      if (typeof order === 'object' && order !== null && 'channel' in order) window.tabHost = { isHosting: true, startedAt: Date.now() }
      if (Array.isArray(options)) super.postMessage(message, options)
      else super.postMessage(message, options)
    }

    override terminate(): void {
      window.tabHost = { isHosting: false, startedAt: null }
      super.terminate()
    }
  }
  // Vite bundles each worker file from its literal `new Worker(new URL(…))`.
  return isAppB ? new Worker(new URL('./worker-b.ts', import.meta.url), { type: 'module' }) : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })
}

window.tabrelay = { createSharedRealtime, workerName, RelayError }
window.tabHost = { isHosting: false, startedAt: null }

const params = new URLSearchParams(location.search)
const target = targetFrom(params)
const status = document.querySelector('[data-testid="status"]')
if (target) {
  const search = workerSearch(params)
  const realtime = createSharedRealtime({
    url: target.url,
    apikey: target.apikey,
    accessToken: () => target.token,
    worker: (kind: WorkerKind) => (kind === 'shared' ? hubWorker(search, target.isExtendedLifetime) : dedicatedWorker(search, params.get('app') === 'b')),
    ...hostFrom(params),
    ...clientOptionsFrom(params),
    ...(params.get('outbox') === 'persist' ? { outbox: 'persist' as const } : {}),
  })
  window.harness = createHarness(realtime)
  // What tabrelay/testing's helpers read (the e2e support's waitForStatus uses them).
  registerForTesting(realtime)
  realtime.onStatus((s) => { if (status) status.textContent = s })
  if (status) status.textContent = realtime.status
  document.body.dataset['ready'] = 'true'
}
