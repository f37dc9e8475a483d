/**
 * The options every tab client takes (the adapter-neutral part), their defaults and checks.
 */
import type { Clock } from '../contract/clock.ts'
import { RelayError } from '../contract/errors.ts'
import type { ConnectionTarget } from '../contract/protocol.ts'
import type { HostStrategy } from '../hosts/strategy.ts'
import type { HostEnv } from '../hosts/tab-host.ts'
import type { HubWorker, WorkerKind } from '../hosts/worker.ts'
import type { AcceptDeploy, DeployWorker } from './deploy.ts'

/**
 * Timing and plumbing shared by every adapter; every duration ends in `Ms`.
 * @example
 * const timing: ClientOptions = { worker: () => new SharedWorker(url, { type: 'module', name: workerName() }), pauseWhenHiddenMs: 60_000 }
 */
export interface ClientOptions {
  /** How the app bundles the hub: a `SharedWorker` (name it with `workerName()`) for `'shared'`, a `Worker` for `'dedicated'`. */
  worker: (kind: WorkerKind) => HubWorker
  /**
   * Where the hub runs: 'auto' (default) = the SharedWorker, or where it is missing or does not
   * start, a tab elected host ('leader-tab'); 'dedicated' = a Worker per tab (one connection each).
   */
  host?: HostStrategy
  /** For tests: the Web Locks, BroadcastChannel and visibility the tab host uses. */
  hostEnv?: HostEnv
  /** Asked on start and whenever the hub resumes or rejoins, so the hub never rejoins with a stale token. */
  accessToken?: () => Promise<string | null> | string | null
  /** Close the connection when no tab has been visible this long; 0 = never. Default 300 000. */
  pauseWhenHiddenMs?: number
  /** Default 5 000; a heartbeat unanswered for twice this long makes the tab reconnect. */
  heartbeatIntervalMs?: number
  /** Every call to the hub fails with `timeout` after this long. Default 10 000. */
  callTimeoutMs?: number
  /** Keep a server subscription this long after its last listener left (the hub uses the longest of the user's open tabs). Default 1 000. */
  lingerMs?: number
  clock?: Clock
  /** For tests; a random id otherwise. */
  tabId?: string
  /**
   * How this tab joins a newer deploy's SharedWorker when its hub hears of one (default: by the
   * URL and name the newer hub reports); return `null` to stay (the app still hears `onUpdateAvailable`).
   */
  deployWorker?: DeployWorker
  /**
   * Which newer deploy's worker scripts this tab may move to, by URL (default: any same-origin
   * http(s) script the hub offers; the hub itself takes only scripts in its own directory under
   * its own worker name). An offer refused here is ignored: the tab stays and hears nothing.
   */
  acceptDeploy?: AcceptDeploy
  /**
   * `'persist'`: a send made while its topic is not joined is stored in the hub's persisted outbox
   * (IndexedDB) and resolves `'queued'`; it is sent once a tab of the same user joins the topic
   * again, even after every tab closed. Needs `persistedSends()` in the worker. Default `'memory'`.
   */
  outbox?: 'memory' | 'persist'
}

/**
 * Checked options with their defaults, plus the connection the tab asks for.
 * @example
 * const settings: Settings = checkClientOptions(options, target, 'createRelay')
 */
export type Settings = ClientOptions & Required<Pick<ClientOptions, 'pauseWhenHiddenMs' | 'heartbeatIntervalMs' | 'callTimeoutMs' | 'lingerMs'>> & {
  target: ConnectionTarget
}

const HOSTS: readonly HostStrategy[] = ['auto', 'shared-worker', 'leader-tab', 'dedicated']
const MAX_DELAY_MS = 2 ** 31 - 1
const DEFAULTS = { pauseWhenHiddenMs: 300_000, heartbeatIntervalMs: 5_000, callTimeoutMs: 10_000, lingerMs: 1_000 } as const

/**
 * Fills in defaults and throws `bad-input` naming the first wrong option.
 * @example
 * const settings = checkClientOptions({ worker }, target, 'createRelay') // settings.callTimeoutMs === 10_000
 */
export function checkClientOptions(options: ClientOptions, target: ConnectionTarget, factory: string): Settings {
  const bad = (message: string): RelayError => new RelayError('bad-input', `${factory}(): ${message}`)
  if (typeof options.worker !== 'function') throw bad('worker must be a function returning new SharedWorker(...)')
  if (options.host !== undefined && !HOSTS.includes(options.host)) throw bad(`host must be one of ${HOSTS.map((h) => `'${h}'`).join(', ')}`)
  if (options.accessToken !== undefined && typeof options.accessToken !== 'function') throw bad('accessToken must be an async function returning a token or null')
  if (options.deployWorker !== undefined && typeof options.deployWorker !== 'function') throw bad('deployWorker must be a function returning new SharedWorker(offer.url, …) or null')
  if (options.acceptDeploy !== undefined && typeof options.acceptDeploy !== 'function') throw bad('acceptDeploy must be a function (url: URL) => boolean')
  if (options.outbox !== undefined && options.outbox !== 'memory' && options.outbox !== 'persist') throw bad("outbox must be 'memory' or 'persist'")
  const settings: Settings = { ...DEFAULTS, ...options, target }
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = settings[key]
    const isPositive = key === 'heartbeatIntervalMs' || key === 'callTimeoutMs'
    // Timers fire at once for delays past 2^31-1 ms (about 24.8 days), so those are refused too.
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS || (isPositive && value === 0)) {
      throw bad(`${key} must be a ${isPositive ? 'positive' : 'non-negative'} number of milliseconds, at most ${MAX_DELAY_MS}`)
    }
  }
  return settings
}

/**
 * The error of any use after `close()`.
 * @example
 * throw closedError('send', 'createSharedRealtime')
 */
export function closedError(what: string, factory: string): RelayError {
  return new RelayError('closed', `${what}() after close(): create a new client with ${factory}()`)
}

/**
 * Whether postMessage refused the data (it carried a function, a DOM node, …).
 * @example
 * if (isDataCloneError(error)) throw new RelayError('bad-input', 'pass plain JSON')
 */
export function isDataCloneError(error: unknown): boolean {
  return error instanceof Error && error.name === 'DataCloneError'
}

