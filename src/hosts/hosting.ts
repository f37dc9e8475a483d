/**
 * One tenure as tab host: the page holds the election lock, and while it does, a liveness lock of
 * its own host id (other tabs queue on it, so they learn of the host's end within tens of ms) and
 * the dedicated Worker that runs the hub and serves the BroadcastChannel. Before any of that, a
 * worker says which app it serves and which host id it would have (its key's fingerprint).
 */
import { RelayError } from '../contract/errors.ts'
import { createWorker, terminate, type HubWorker } from './worker.ts'

/** What a held lock says of its holder (`navigator.locks.query()`). */
export interface HeldLock {
  name?: string
  clientId?: string
}

/** The part of `navigator.locks` the tab host uses (a fake in tests). */
export interface HostLocks {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void> | void): Promise<unknown>
  query(): Promise<{ held?: HeldLock[] }>
}

/**
 * The lock a host holds for as long as it hosts; granted to a tab queued on it when the host ends.
 * @example
 * locks.request(aliveLock('tabrelay-host-v3:https://a.example/w.js', hostId), { signal }, onHostGone)
 */
export function aliveLock(name: string, hostId: string): string {
  return `${name}:${hostId}`
}

/** A loaded hub Worker that answered `describe`. */
export interface DescribedWorker {
  worker: HubWorker & { postMessage(message: unknown): void }
  /** The app it serves (its script URL and name). */
  app: string
  /** The host id it announces when ordered to serve: the fingerprint of its public key. */
  hostId: string
}

/**
 * Starts a worker from `factory` and asks it which app it serves; rejects `unsupported` when the
 * factory throws or gives a SharedWorker, `worker-failed` when the script fails to load, `timeout`
 * when it does not answer within `timeoutMs`.
 * @example
 * const spare = await describeWorker(() => new Worker(url, { type: 'module' }), 10_000)
 */
export function describeWorker(factory: () => HubWorker, timeoutMs: number): Promise<DescribedWorker> {
  let created: HubWorker
  try {
    created = createWorker(factory)
  } catch (error) {
    return Promise.reject(error)
  }
  if ('port' in created || typeof created.postMessage !== 'function') {
    return Promise.reject(new RelayError('unsupported', "host 'leader-tab' needs worker('dedicated') to return new Worker(url, { type: 'module' })"))
  }
  const worker = created
  return new Promise<DescribedWorker>((resolve, reject) => {
    const fail = (error: RelayError): void => {
      clearTimeout(timer)
      terminate(worker)
      reject(error)
    }
    const timer = setTimeout(() => fail(new RelayError('timeout', `the tab host's worker did not start within ${timeoutMs} ms; check the worker URL`)), timeoutMs)
    const onMessage = (event: unknown): void => {
      const info = infoOf(event)
      if (!info) return
      clearTimeout(timer)
      worker.removeEventListener('message', onMessage)
      resolve({ worker, ...info })
    }
    worker.addEventListener('message', onMessage)
    worker.addEventListener('error', () => fail(new RelayError('worker-failed', 'the hub worker script failed to load: check the worker URL and that it is served as JavaScript (MIME type), then reload')))
    worker.postMessage({ tabrelayHost: { describe: true } })
  })
}

function infoOf(event: unknown): { app: string; hostId: string } | null {
  const data: unknown = typeof event === 'object' && event !== null && 'data' in event ? event.data : null
  if (typeof data !== 'object' || data === null || !('tabrelayHostInfo' in data)) return null
  const info = data.tabrelayHostInfo
  if (typeof info !== 'object' || info === null || !('app' in info) || !('hostId' in info)) return null
  return typeof info.app === 'string' && typeof info.hostId === 'string' ? { app: info.app, hostId: info.hostId } : null
}

/** A running tenure. */
export interface Hosting {
  readonly hostId: string
  setHidden(isHidden: boolean): void
  /** Terminates the worker and releases the liveness lock; idempotent. */
  stop(): void
}

/**
 * Starts hosting with a described worker: takes the liveness lock of its host id, then orders it
 * to serve the channel `name`.
 * @example
 * const hosting = await startHosting({ locks, name, described: await describeWorker(factory, 10_000), isHidden: false })
 */
export async function startHosting(options: { locks: HostLocks; name: string; described: DescribedWorker; isHidden: boolean }): Promise<Hosting> {
  const { locks, name, described: { worker, hostId } } = options
  let releaseAlive = (): void => {}
  // Taken before the worker announces this host: a tab that queued on it earlier would be granted
  // it at once and take a live host for a dead one. Tabs also check that whoever holds it holds
  // the election lock too before they believe an announcement.
  await new Promise<void>((granted) => {
    locks.request(aliveLock(name, hostId), {}, () => new Promise<void>((done) => { releaseAlive = done; granted() })).catch(() => granted())
  })
  worker.postMessage({ tabrelayHost: { channel: name, hostId } })
  worker.postMessage({ tabrelayHost: { isHidden: options.isHidden } })
  let isStopped = false
  return {
    hostId,
    setHidden(isHidden) {
      if (!isStopped) worker.postMessage({ tabrelayHost: { isHidden } })
    },
    stop() {
      if (isStopped) return
      isStopped = true
      terminate(worker)
      releaseAlive()
    },
  }
}

// Hosts known to be gone; their late announcements (a worker not yet terminated) are ignored.
const MAX_DEAD = 64

/**
 * Watches the current host's liveness lock (granted the moment the host closes, crashes or
 * navigates) and remembers the last hosts that ended.
 * @example
 * watch.follow(name, hostId, () => reconnectAll()); if (watch.isDead(announcement.hostId)) ignore()
 */
export class HostWatch {
  readonly #locks: HostLocks
  readonly #dead: string[] = []
  #watch = new AbortController()
  #watched: string | null = null

  constructor(locks: HostLocks) {
    this.#locks = locks
  }

  isDead(hostId: string): boolean {
    return this.#dead.includes(hostId)
  }

  /** Queues on `hostId`'s liveness lock (once per host); `onGone` runs when it is granted. */
  follow(name: string, hostId: string, onGone: () => void): void {
    if (this.#watched === hostId) return
    this.#watch.abort()
    const watch = new AbortController()
    this.#watch = watch
    this.#watched = hostId
    this.#locks.request(aliveLock(name, hostId), { signal: watch.signal }, () => {
      // A tab whose own tenure ended has already forgotten its host (and reconnected its links).
      if (this.isDead(hostId)) return
      this.forget(hostId)
      onGone()
    }).catch(() => undefined)
  }

  /** Counts `hostId` among the hosts that ended (its late announcements are ignored); idempotent. */
  forget(hostId: string): void {
    if (this.#dead.includes(hostId)) return
    this.#dead.push(hostId)
    if (this.#dead.length > MAX_DEAD) this.#dead.shift()
  }

  stop(): void {
    this.#watch.abort()
  }
}
