/**
 * What a hub is built with (every option has a production default) and how it calls into tabs.
 */
import type { Delivery, HubInspection, HubOffer, JournalNote, StatusEvent } from '../src/contract/protocol.ts'
import { RelayError, toWire } from '../src/contract/errors.ts'
import type { InspectView } from './inspect/inspector.ts'
import { clampMs, systemClock, type Clock } from '../src/contract/clock.ts'
import { randomId } from '../src/contract/ids.ts'
import { nextTask, type OutboxLimits, type Schedule } from './tab/outbox.ts'
import type { LockRequester } from './tab/registry.ts'
import type { Transports } from './transports/transport.ts'
import { SEND_QUEUE_DEFAULTS, type SendQueueLimits } from './connection/send-queue.ts'
import type { HubLimits } from './tab/quotas.ts'
import type { HubPersist } from './persist/hooks.ts'

/**
 * The tab's callbacks as the hub calls them (a Comlink remote in the worker).
 * @example
 * quietly(() => sink.status({ status: 'open' }))
 */
export interface HubSink {
  deliver(batch: Delivery[]): unknown
  status(event: StatusEvent): unknown
  leader(isLeader: boolean): unknown
  token(): Promise<string | null>
  /** Optional: a tab of a build without it simply stays (the call fails quietly). */
  moveTo?(offer: HubOffer): unknown
}

/**
 * Hub options; everything but the transports has a production default.
 * @example
 * createHub({ transports: { supabase: supabaseTransport() }, idleCloseMs: 5_000 })
 */
export interface HubOptions {
  /** The transports this hub serves, by the name tabs give in `target.transport`. */
  transports: Transports
  clock?: Clock
  random?: () => number
  locks?: LockRequester | null
  /** How a tab's deliveries gather while it is busy (a call unanswered); default the next task. */
  schedule?: Schedule
  /** How a delivery leaves while its tab is idle (every call answered); default a microtask. */
  immediate?: Schedule
  workerId?: string
  /** Stable uptime before the reconnect attempt count resets (partysocket `minUptime`). */
  minUptimeMs?: number
  /**
   * How long a track waits for a channel to be joined; the send queue's default `maxAgeMs`. 8 s by
   * default: below the tabs' `callTimeoutMs` (10 s), so a send while the server is down resolves
   * `'timed out'` from the queue instead of failing as a call timeout that blames the worker.
   */
  joinWaitMs?: number
  /** Bounds of the sends queued while a topic is not joined (socket down, reconnecting, paused). */
  sendQueue?: Partial<SendQueueLimits>
  /** How long to wait for a tab's `accessToken()`. */
  tokenTimeoutMs?: number
  /** How long a user's connection outlives its last tab, so a reload reuses it. */
  idleCloseMs?: number
  /** How long a connection attempt may take to open before it counts as failed and is retried. */
  connectTimeoutMs?: number
  /** How long a new token applied to joined channels is on trial before it counts as accepted. */
  tokenTrialMs?: number
  /**
   * Longest wait before a reconnect that a server may ask for (SSE `retry:`, `Retry-After`); a
   * longer one is cut to this, so a server cannot park a connection for days. Default 300 000.
   */
  maxRetryFloorMs?: number
  /** How far one tab may fall behind before its backlog is dropped for one resync. */
  outbox?: OutboxLimits
  /** Channels and topics per tab, user connections per hub (see `worker/tab/quotas.ts`). */
  limits?: Partial<HubLimits>
  /**
   * Where hubs of this app (one worker name, any script URL) meet, to hand tabs over to the newest
   * deploy's hub; `serveHub()` sets it up in a SharedWorker. `null` (the default elsewhere): none.
   */
  deploys?: DeployOptions | null
  /**
   * What `inspect()` (the `tabrelay/devtools` panel) needs: `hubDevtools()` from
   * `tabrelay/worker/devtools`. `null` (the default): the hub keeps no journal and `inspect()`
   * fails `unsupported`, so a worker without it carries none of its code.
   */
  devtools?: HubDevtools | null
  /**
   * The persisted outbox for sends of tabs with `outbox: 'persist'`: `persistedSends()` of
   * `tabrelay/worker/persist`. `null` (the default): such sends fail `unsupported`.
   */
  persist?: HubPersist | null
}

/**
 * The hub's journal and inspector, plugged in by `hubDevtools()`.
 * @example
 * createHub({ transports, devtools: hubDevtools() })
 */
export interface HubDevtools {
  /** One rare event (never a message) of an identity, at hub time `at`. */
  record(identity: string, note: JournalNote, at: number): void
  /** The caller's identity's view, with journal entries after `since`. */
  inspect(view: Omit<InspectView, 'journal'>, since?: unknown): HubInspection
}

/**
 * Fails `inspect()` on a hub built without devtools, saying how to add them.
 * @example
 * (options.devtools ?? noDevtools()).inspect(view, 0)
 */
export function noDevtools(): never {
  throw new RelayError('unsupported', "serve hubDevtools() of 'tabrelay/worker/devtools'")
}

/**
 * Runs a check of a tab's call; a refusal is noted against that tab (for the journal) and thrown on.
 * @example
 * refusing(() => checkSendFor(caps, name, message), note, identity, tabId)
 */
export function refusing(check: () => void, note: (identity: string, ...note: JournalNote) => void, identity: string, tabId: string): void {
  try {
    check()
  } catch (error) {
    note(identity, 'error', tabId, toWire(error))
    throw error
  }
}

/**
 * Hub options with every default filled in (the lock requester may stay absent).
 * @example
 * const options: ResolvedHubOptions = resolveHubOptions({ transports })
 */
export type ResolvedHubOptions = Required<Omit<HubOptions, 'locks' | 'sendQueue'>> & { sendQueue: SendQueueLimits }

const TIMERS = ['minUptimeMs', 'joinWaitMs', 'tokenTimeoutMs', 'idleCloseMs', 'connectTimeoutMs', 'tokenTrialMs', 'maxRetryFloorMs'] as const

/**
 * Fills in the defaults, with every timer a delay a timer can hold: negative is 0, longer than
 * 2^31−1 ms is that (a longer one would fire at once), not a number is the default.
 * @example
 * resolveHubOptions({ transports, idleCloseMs: 1e12 }).idleCloseMs // 2147483647
 */
export function resolveHubOptions(options: HubOptions): ResolvedHubOptions {
  const defaults = {
    clock: systemClock, random: Math.random, schedule: nextTask, immediate: (fn: () => void) => queueMicrotask(fn), workerId: randomId(),
    minUptimeMs: 10_000, joinWaitMs: 8_000, tokenTimeoutMs: 5_000, idleCloseMs: 5_000, connectTimeoutMs: 10_000, tokenTrialMs: 1_000,
    maxRetryFloorMs: 300_000, outbox: {}, limits: {}, deploys: null, devtools: null, persist: null,
  }
  const resolved = { ...defaults, ...options }
  for (const key of TIMERS) {
    const ms = options[key]
    resolved[key] = typeof ms === 'number' && !Number.isNaN(ms) ? clampMs(ms) : defaults[key]
  }
  const queue = { ...SEND_QUEUE_DEFAULTS, maxAgeMs: resolved.joinWaitMs, ...options.sendQueue }
  return { ...resolved, sendQueue: { ...queue, maxAgeMs: Number.isNaN(queue.maxAgeMs) ? resolved.joinWaitMs : clampMs(queue.maxAgeMs) } }
}

/**
 * How a hub finds the other deploys' hubs of its app, and how tabs reach this one.
 * @example
 * createHub({ transports, deploys: { channel: new BroadcastChannel('tabrelay-hubs:tabrelay'), offer } })
 */
export interface DeployOptions {
  channel: DeployChannel
  /** How a tab constructs this hub's SharedWorker. */
  offer: HubOffer
}

/**
 * The part of a `BroadcastChannel` the deploy watch uses.
 * @example
 * const channel: DeployChannel = new BroadcastChannel('tabrelay-hubs:tabrelay')
 */
export interface DeployChannel {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
}

/**
 * Calls into a tab without letting it hurt the hub. A call into a tab whose page died never
 * settles or rejects later; neither may crash the hub, and neither may a call that throws at once
 * (a released proxy): it runs outside the tab's calls.
 * @example
 * quietly(() => link.sink.leader(true))
 */
export function quietly(call: () => unknown): void {
  try {
    Promise.resolve(call()).catch(() => undefined)
  } catch {
    // That tab is gone or broken; the others still get theirs.
  }
}
