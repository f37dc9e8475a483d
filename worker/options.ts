/**
 * What a hub is built with (every option has a production default) and how it calls into tabs.
 */
import type { Delivery, StatusEvent } from '../src/contract/protocol.ts'
import type { Clock } from '../src/contract/clock.ts'
import type { OutboxLimits, Schedule } from './outbox.ts'
import type { LockRequester } from './tabs.ts'
import type { Transports } from './transports/transport.ts'
import type { SendQueueLimits } from './send-queue.ts'

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
  /** How long a track waits for a channel to be joined; the send queue's default `maxAgeMs`. */
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
  /** How far one tab may fall behind before its backlog is dropped for one resync. */
  outbox?: OutboxLimits
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
