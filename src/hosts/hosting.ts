/**
 * One tenure as tab host: the page holds the election lock, and while it does, a liveness lock of
 * its own host id (other tabs queue on it, so they learn of the host's end within tens of ms) and
 * the dedicated Worker that runs the hub and serves the BroadcastChannel.
 */
import { RelayError } from '../contract/errors.ts'
import { createWorker, terminate, type HubWorker } from './worker.ts'

/** The part of `navigator.locks` the tab host uses (a fake in tests). */
export interface HostLocks {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void> | void): Promise<unknown>
}

/**
 * The lock a host holds for as long as it hosts; granted to a tab queued on it when the host ends.
 * @example
 * locks.request(aliveLock('tabrelay-host-v3', hostId), { signal }, onHostGone)
 */
export function aliveLock(name: string, hostId: string): string {
  return `${name}:${hostId}`
}

/** A running tenure. */
export interface Hosting {
  readonly hostId: string
  setHidden(isHidden: boolean): void
  /** Terminates the worker and releases the liveness lock; idempotent. */
  stop(): void
}

/**
 * Starts hosting as `hostId`: takes the liveness lock, then starts the worker and orders it to
 * serve `channel`. Rejects `unsupported` when the factory throws or gives a SharedWorker.
 * @example
 * const hosting = await startHosting({ locks, name, hostId, factory: () => new Worker(url, { type: 'module' }), isHidden: false })
 */
export async function startHosting(options: { locks: HostLocks; name: string; hostId: string; factory: () => HubWorker; isHidden: boolean }): Promise<Hosting> {
  const { locks, name, hostId } = options
  let releaseAlive = (): void => {}
  // Taken before the worker announces this host: a tab that queued on it earlier would be granted
  // it at once and take a live host for a dead one.
  await new Promise<void>((granted) => {
    locks.request(aliveLock(name, hostId), {}, () => new Promise<void>((done) => { releaseAlive = done; granted() })).catch(() => granted())
  })
  let worker: HubWorker
  try {
    worker = createWorker(options.factory)
  } catch (error) {
    releaseAlive()
    throw error
  }
  if ('port' in worker || typeof worker.postMessage !== 'function') {
    releaseAlive()
    throw new RelayError('unsupported', "host 'leader-tab' needs worker('dedicated') to return new Worker(url, { type: 'module' })")
  }
  const endpoint = worker
  endpoint.postMessage({ tabrelayHost: { channel: name, hostId } })
  endpoint.postMessage({ tabrelayHost: { isHidden: options.isHidden } })
  let isStopped = false
  return {
    hostId,
    setHidden(isHidden) {
      if (!isStopped) endpoint.postMessage({ tabrelayHost: { isHidden } })
    },
    stop() {
      if (isStopped) return
      isStopped = true
      terminate(worker)
      releaseAlive()
    },
  }
}
