/**
 * The options of `createSharedRealtime()`, their defaults and checks, and small helpers the client
 * needs that have no better home.
 */
import type { Clock } from '../contract/clock.ts'
import type { HubWorker } from './connect.ts'
import { RelayError } from '../contract/errors.ts'

/**
 * What `createSharedRealtime()` takes; every duration ends in `Ms`.
 * @example
 * const options: SharedRealtimeOptions = { url, apikey, worker: () => new SharedWorker(url, { type: 'module', name: workerName() }) }
 */
export interface SharedRealtimeOptions {
  /** The Supabase project URL. */
  url: string
  apikey: string
  /** Asked on start and whenever the hub resumes or rejoins, so the hub never rejoins with a stale JWT. */
  accessToken?: () => Promise<string | null> | string | null
  /** How the app bundles the hub: a `SharedWorker` (name it with `workerName()`), else a `Worker`. */
  worker: () => HubWorker
  /** Close the connection when no tab has been visible this long; 0 = never. Default 300 000. */
  pauseWhenHiddenMs?: number
  /** Default 5 000; a heartbeat unanswered for twice this long makes the tab reconnect. */
  heartbeatIntervalMs?: number
  /** Every call to the hub fails with `timeout` after this long. Default 10 000. */
  callTimeoutMs?: number
  /** Keep a server channel this long after its last listener left. Default 1 000. */
  lingerMs?: number
  clock?: Clock
  /** For tests; a random id otherwise. */
  tabId?: string
}

/**
 * Options with their defaults filled in.
 * @example
 * const settings: Settings = checkOptions(options)
 */
export type Settings = SharedRealtimeOptions & Required<Pick<SharedRealtimeOptions, 'pauseWhenHiddenMs' | 'heartbeatIntervalMs' | 'callTimeoutMs' | 'lingerMs'>>

const MAX_DELAY_MS = 2 ** 31 - 1
const DEFAULTS = { pauseWhenHiddenMs: 300_000, heartbeatIntervalMs: 5_000, callTimeoutMs: 10_000, lingerMs: 1_000 } as const

function bad(message: string): RelayError {
  return new RelayError('bad-input', `createSharedRealtime(): ${message}`)
}

/**
 * Fills in defaults and throws `bad-input` naming the first wrong option.
 * @example
 * const settings = checkOptions({ url, apikey, worker }) // settings.callTimeoutMs === 10_000
 */
export function checkOptions(options: SharedRealtimeOptions): Settings {
  if (typeof options !== 'object' || options === null) throw bad('pass { url, apikey, worker }')
  if (typeof options.url !== 'string' || options.url === '') throw bad('url must be the Supabase project URL')
  if (typeof options.apikey !== 'string') throw bad('apikey must be the anon or publishable key')
  if (typeof options.worker !== 'function') throw bad('worker must be a function returning new SharedWorker(...)')
  if (options.accessToken !== undefined && typeof options.accessToken !== 'function') throw bad('accessToken must be an async function returning a JWT or null')
  const settings: Settings = { ...DEFAULTS, ...options }
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
 * throw closedError('send')
 */
export function closedError(what: string): RelayError {
  return new RelayError('closed', `${what}() after realtime.close(): create a new client with createSharedRealtime()`)
}

/**
 * Whether postMessage refused the data (it carried a function, a DOM node, …).
 * @example
 * if (isDataCloneError(error)) throw new RelayError('bad-input', 'pass plain JSON')
 */
export function isDataCloneError(error: unknown): boolean {
  return error instanceof Error && error.name === 'DataCloneError'
}

/**
 * A random tab id; `crypto.randomUUID` exists only in secure contexts, hence the fallback.
 * @example
 * const tabId = randomId()
 */
export function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}
