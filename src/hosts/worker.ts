/**
 * How a tab reaches a hub in a worker it created: the SharedWorker, or a dedicated Worker (the
 * tab's own hub, or the hub of a tab host), and the Comlink wrap of its endpoint.
 */
import { wrap, releaseProxy, type Endpoint } from 'comlink'
import { RelayError } from '../contract/errors.ts'
import { relayErrorsOn } from '../contract/replies.ts'
import { PROTOCOL_VERSION, type HubApi } from '../contract/protocol.ts'

/**
 * What the app's `worker(kind)` factory may return: a `SharedWorker` (its `port` is used) when
 * `kind` is `'shared'`, a dedicated `Worker` when it is `'dedicated'` — where SharedWorker is
 * missing or does not start, the tab elected host runs the hub in one (or, with host
 * `'dedicated'`, every tab runs its own).
 * @example
 * worker: (kind) => kind === 'shared'
 *   ? new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() })
 *   : new Worker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module' })
 */
export type HubWorker = { port: Endpoint } | Endpoint

/**
 * Which kind of worker the factory is asked for.
 * @example
 * const kind: WorkerKind = typeof SharedWorker === 'function' ? 'shared' : 'dedicated'
 */
export type WorkerKind = 'shared' | 'dedicated'

/**
 * A wrapped hub plus how to let go of it.
 * @example
 * const { hub, release } = openHub(factory); await hub.stats(); release()
 */
export interface HubLink {
  hub: HubApi
  /** Where the tab exposes its sink: the same endpoint the hub's API is on. */
  endpoint: Endpoint
  /** Rejects with `worker-failed` when the worker script fails to load; never resolves. */
  failed?: Promise<never>
  /**
   * Settles when the host knows this hub is gone before the tab noticed (a tab host closed, a
   * SharedWorker that never started): the tab recovers at once instead of at a heartbeat timeout.
   */
  lost?: Promise<RelayError>
  release(): void
}

interface ErrorTarget {
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void
}

function hasErrorEvents(value: unknown): value is ErrorTarget {
  return typeof value === 'object' && value !== null && 'addEventListener' in value && typeof value.addEventListener === 'function'
}

// A SharedWorker or Worker whose script 404s, is served with a non-JavaScript MIME type or throws
// while loading fires `error` on the object the page holds (not inside the worker).
function failureOf(created: HubWorker): Promise<never> {
  const failed = new Promise<never>((_, reject) => {
    if (!hasErrorEvents(created) || 'postMessage' in created && !('terminate' in created)) return
    created.addEventListener('error', (event) => {
      const detail = event.message ? ` (${event.message})` : ''
      reject(new RelayError('worker-failed', `the hub worker script failed to load${detail}: check the worker URL and that it is served as JavaScript (MIME type), then reload`))
    })
  })
  failed.catch(() => undefined)
  return failed
}

/**
 * The SharedWorker name to use, carrying the protocol version so that a tab of a newer deploy
 * never talks to a worker of an older one (browsers share a SharedWorker by URL and name).
 * Pass `extendedLifetime: true` too: where supported, reloading the only tab keeps the connection.
 * @example
 * worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url),
 *   { type: 'module', name: workerName(), extendedLifetime: true })
 */
export function workerName(base = 'tabrelay'): string {
  return `${base}-v${PROTOCOL_VERSION}`
}

/**
 * Calls the app's factory and wraps the hub; a factory that throws means no worker can run here.
 * @example
 * const { hub, release } = openHub(() => new SharedWorker(url, { type: 'module', name: workerName() }))
 */
export function openHub(factory: () => HubWorker): HubLink {
  return linkTo(createWorker(factory))
}

/**
 * Calls the app's factory; a factory that throws is reported as `unsupported`.
 * @example
 * const worker = createWorker(() => new Worker(url, { type: 'module' }))
 */
export function createWorker(factory: () => HubWorker): HubWorker {
  try {
    return factory()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new RelayError('unsupported', `worker() threw (${reason}); where SharedWorker is missing, return new Worker(url, { type: 'module' }) instead`)
  }
}

/**
 * Wraps the hub in a worker the tab created; `release()` also terminates a dedicated Worker.
 * @example
 * const { hub, endpoint, release } = linkTo(new SharedWorker(url, { type: 'module', name: workerName() }))
 */
export function linkTo(created: HubWorker): HubLink {
  const port = 'port' in created ? created.port : created
  if (typeof port?.postMessage !== 'function') {
    throw new RelayError('unsupported', 'worker() must return a SharedWorker, a Worker or a MessagePort')
  }
  // The hub's RelayErrors arrive with their code (see replies.ts).
  const hub = wrap<HubApi>(relayErrorsOn(port))
  let isReleased = false
  return {
    hub,
    endpoint: port,
    failed: failureOf(created),
    // Idempotent: a released Comlink proxy throws on any further use, releaseProxy included.
    release() {
      if (isReleased) return
      isReleased = true
      hub[releaseProxy]()
      // A dedicated Worker is this tab's own hub: nobody else needs it once released.
      terminate(created)
    },
  }
}

/**
 * Terminates a dedicated Worker; a no-op for a SharedWorker or a port.
 * @example
 * terminate(worker)
 */
export function terminate(created: HubWorker): void {
  if ('terminate' in created && typeof created.terminate === 'function') created.terminate()
}

