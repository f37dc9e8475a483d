/**
 * The e2e test app: one client per page, created from the query params, exposed as
 * `window.tabrelay` (the library) and `window.harness` (test helpers, see harness.ts).
 */
import { createSharedRealtime, RelayError, workerName } from '../../../src/supabase/index.ts'
import { createHarness, type Harness } from './harness.ts'
import { clientOptionsFrom, targetFrom, workerSearch } from './params.ts'

declare global {
  interface Window {
    tabrelay: { createSharedRealtime: typeof createSharedRealtime; workerName: typeof workerName; RelayError: typeof RelayError }
    harness: Harness
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

window.tabrelay = { createSharedRealtime, workerName, RelayError }

const params = new URLSearchParams(location.search)
const target = targetFrom(params)
const status = document.querySelector('[data-testid="status"]')
if (target) {
  const search = workerSearch(params)
  const realtime = createSharedRealtime({
    url: target.url,
    apikey: target.apikey,
    accessToken: () => target.token,
    worker: () => hubWorker(search, target.isExtendedLifetime),
    ...clientOptionsFrom(params),
  })
  window.harness = createHarness(realtime)
  realtime.onStatus((s) => { if (status) status.textContent = s })
  if (status) status.textContent = realtime.status
  document.body.dataset['ready'] = 'true'
}
