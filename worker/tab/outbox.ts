/**
 * Per-tab delivery batching with back-pressure. Each socket message arrives in its own task, so a
 * microtask batch holds one message; batching across tasks (a zero-delay timer) lets a burst cross
 * the port in one Comlink call (7.7k → 53k msg/s end to end), but every message then waits for a
 * task turn (+2 ms fan-out p99 in the bench). So the flush adapts, as Nagle's algorithm does: while
 * the tab is idle, a delivery leaves in a microtask; during a burst deliveries gather until the next
 * task. A burst is a call still unanswered (a busy tab) or the last call less than `burstGapMs` ago
 * (a fast stream: a tab that answers every call at once would otherwise get one call per message,
 * the per-message collapse). `maxBatch` bounds a batch.
 * A tab that stops answering (frozen, busy, gone without a word) must not make the worker hold its
 * deliveries without end: past `windowBatches` unanswered calls the outbox holds them, past
 * `maxQueued`/`maxQueuedBytes` it drops the backlog and the tab gets one resync once it answers.
 */
import type { Delivery, HubStats } from '../../src/contract/protocol.ts'
import { Overflow, type Held } from './overflow.ts'

/** Schedules `fn` in a later task; returns nothing (batches are never cancelled). */
export type Schedule = (fn: () => void) => void

/** Counters for `stats()`, shared by every outbox of a hub (their meaning: `HubStats`). */
export type OutboxCounters = Pick<HubStats, 'delivered' | 'batches' | 'dropped' | 'overflows' | 'resyncs' | 'peakQueued'>

/**
 * How far a tab may fall behind; every limit has a default.
 * @example
 * createHub({ transports, outbox: { maxQueued: 1_000 } })
 */
export interface OutboxLimits {
  /** Deliveries per Comlink call. */
  maxBatch?: number
  /** A delivery this soon after the tab's last call (hub clock, ms) counts as part of a burst. */
  burstGapMs?: number
  /** Calls sent and not yet answered before further deliveries are held in the worker. */
  windowBatches?: number
  /** Deliveries held for one tab before its backlog is dropped. */
  maxQueued?: number
  /** Size of the held deliveries (JSON text length) before the backlog is dropped. */
  maxQueuedBytes?: number
}

/**
 * What filters a tab's deliveries on their way in and notes what left (the tab's move guard).
 * @example
 * const guard: DeliveryGuard = new MoveGuard(() => clock.now())
 */
export interface DeliveryGuard {
  /** Whether a delivery pushed to the outbox should reach the tab at all. */
  admits(delivery: Delivery): boolean
  /** Told each batch as it leaves for the tab. */
  sent(batch: readonly Delivery[]): void
}

/** What an outbox needs beyond its limits. */
export interface OutboxOptions extends OutboxLimits {
  /** Filters deliveries as they are pushed and hears each batch that leaves (move-guard.ts). */
  guard?: DeliveryGuard
  /** The hub's clock: the `since` of a resync is the time of the last event the tab got. */
  now?: () => number
  /** Whether a subscription of this tab still exists and listens to `resync`. */
  wantsResync?: (subId: string) => boolean
  /** How a delivery leaves when the tab is idle (every call answered); default a microtask. */
  immediate?: Schedule
  /** Told each time this tab's backlog is dropped (for the hub's journal). */
  overflowed?: () => void
}

/**
 * Fresh counters for a hub.
 * @example
 * const counters = outboxCounters(); new Outbox(send, nextTask, counters)
 */
export function outboxCounters(): OutboxCounters {
  return { delivered: 0, batches: 0, dropped: 0, overflows: 0, resyncs: 0, peakQueued: 0 }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Collects deliveries for one tab: at once (`immediate`) while the tab is idle, else in one call per
 * task (`schedule`). `send` may return a promise (a Comlink call): it counts as answered when that
 * settles.
 * @example
 * const outbox = new Outbox((batch) => sink.deliver(batch), nextTask, outboxCounters(), { maxQueued: 10_000 })
 * outbox.push({ kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: 1 })
 */
export class Outbox {
  readonly #send: (batch: Delivery[]) => unknown
  readonly #schedule: Schedule
  readonly #counters: OutboxCounters
  readonly #limits: Required<OutboxLimits>
  readonly #now: () => number
  readonly #wantsResync: (subId: string) => boolean
  readonly #immediate: Schedule
  readonly #overflowed: (() => void) | undefined
  readonly #guard: DeliveryGuard | undefined
  readonly #overflow = new Overflow()
  #queue: Held[] = []
  #queuedBytes = 0
  #inFlight = 0
  #isScheduled = false
  #lastSentAt = Number.NEGATIVE_INFINITY
  #peak = 0
  #overflows = 0

  constructor(send: (batch: Delivery[]) => unknown, schedule: Schedule, counters: OutboxCounters, options: OutboxOptions = {}) {
    this.#send = send
    this.#schedule = schedule
    this.#counters = counters
    this.#limits = {
      maxBatch: options.maxBatch ?? 512, burstGapMs: options.burstGapMs ?? 2, windowBatches: options.windowBatches ?? 32,
      maxQueued: options.maxQueued ?? 10_000, maxQueuedBytes: options.maxQueuedBytes ?? 16 * 1024 * 1024,
    }
    this.#now = options.now ?? Date.now
    this.#wantsResync = options.wantsResync ?? (() => true)
    this.#immediate = options.immediate ?? queueMicrotask
    this.#overflowed = options.overflowed
    this.#guard = options.guard
  }

  /** Deliveries waiting in the worker for this tab. */
  get queued(): number {
    return this.#queue.length
  }

  /** The most deliveries this outbox held at once, and how often it dropped its backlog. */
  get peak(): { peak: number; overflows: number } {
    return { peak: this.#peak, overflows: this.#overflows }
  }

  /** Queues one delivery (unless the guard refuses it); flushes at once when the batch is full. */
  push(delivery: Delivery): void {
    if (this.#guard?.admits(delivery) === false) return
    const item: Held = { delivery, at: this.#now(), bytes: 0 }
    if (this.#overflow.isBehind) {
      if (this.#overflow.drop(item)) this.#counters.dropped += 1
      return
    }
    this.#queue.push(item)
    if (this.#isHolding) {
      this.#hold(item)
      return
    }
    if (this.#queue.length >= this.#limits.maxBatch) this.flush()
    else this.#scheduleFlush()
  }

  /** Sends what is queued, in order, as far as the tab keeps up. */
  flush(): void {
    this.#isScheduled = false
    while (this.#queue.length > 0 && !this.#isHolding) {
      const items = this.#queue.splice(0, this.#limits.maxBatch)
      for (const item of items) this.#queuedBytes -= item.bytes
      this.#deliver(items)
    }
  }

  /** Drops what is queued and what was missed (the tab is gone or changed user). */
  discard(): void {
    this.#queue = []
    this.#queuedBytes = 0
    this.#overflow.reset()
  }

  get #isHolding(): boolean {
    return this.#inFlight >= this.#limits.windowBatches
  }

  #hold(item: Held): void {
    item.bytes = JSON.stringify(item.delivery).length
    this.#queuedBytes += item.bytes
    if (this.#queue.length <= this.#limits.maxQueued && this.#queuedBytes <= this.#limits.maxQueuedBytes) {
      this.#peak = Math.max(this.#peak, this.#queue.length)
      this.#counters.peakQueued = Math.max(this.#counters.peakQueued, this.#peak)
      return
    }
    // The tab is too far behind to catch up by replay: drop, remember, resync later.
    this.#counters.overflows += 1
    this.#overflows += 1
    this.#overflowed?.()
    for (const held of this.#queue) if (this.#overflow.drop(held)) this.#counters.dropped += 1
    this.#queue = []
    this.#queuedBytes = 0
  }

  #deliver(items: Held[]): void {
    const batch = items.map((item) => item.delivery)
    this.#counters.delivered += batch.length
    this.#counters.batches += 1
    this.#lastSentAt = this.#now()
    this.#overflow.sent(items, this.#wantsResync)
    this.#inFlight += 1
    let isAnswered = false
    const answered = (): void => {
      if (isAnswered) return
      isAnswered = true
      this.#answered()
    }
    let answer: unknown
    try {
      this.#guard?.sent(batch)
      answer = this.#send(batch)
    } catch {
      // A call that throws at once (a released proxy): that tab is gone; the others still get theirs.
      answer = undefined
    }
    // A rejection (the port closed) frees the window too; a call to a dead page never settles,
    // which is what the window and the limits bound.
    if (isThenable(answer)) answer.then(answered, answered)
    else answered()
  }

  #answered(): void {
    this.#inFlight -= 1
    if (this.#overflow.isBehind) {
      // Caught up: everything sent before the drop was taken; now the state it lacks and the resyncs.
      if (this.#inFlight > 0) return
      const catchUp = this.#overflow.recover(this.#wantsResync)
      for (const delivery of catchUp) {
        if (delivery.kind === 'system' && delivery.event === 'resync') this.#counters.resyncs += 1
        this.#queue.push({ delivery, at: this.#now(), bytes: 0 })
      }
    }
    if (this.#queue.length > 0) this.#scheduleFlush()
  }

  #scheduleFlush(): void {
    if (this.#isScheduled) return
    this.#isScheduled = true
    // Idle: nothing to batch with, so waiting a task would only add latency. Burst: the tab is still
    // taking the last call, or more is arriving right behind it, so gather into the next call.
    const isBurst = this.#inFlight > 0 || this.#now() - this.#lastSentAt < this.#limits.burstGapMs
    if (isBurst) this.#schedule(() => this.flush())
    else this.#immediate(() => this.flush())
  }
}

/**
 * The default cross-task schedule: a task posted through a MessageChannel. Unlike `setTimeout(0)`,
 * a message task is not clamped (4 ms after nesting) nor throttled to once a second in a hidden
 * page, where an in-page host (no SharedWorker) runs the hub.
 * @example
 * new Outbox(send, nextTask, counters)
 */
export const nextTask: Schedule = (() => {
  if (typeof MessageChannel !== 'function') return (fn: () => void) => { setTimeout(fn, 0) }
  const queue: Array<() => void> = []
  const channel = new MessageChannel()
  channel.port1.onmessage = () => {
    const batch = queue.splice(0)
    for (const fn of batch) fn()
  }
  // Node keeps a process alive while a port listens; a hub in Node (tests) must not.
  const port = channel.port1 as MessagePort & { unref?: () => void }
  port.unref?.()
  return (fn: () => void) => {
    queue.push(fn)
    if (queue.length === 1) channel.port2.postMessage(null)
  }
})()
