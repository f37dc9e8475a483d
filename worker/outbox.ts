/**
 * Per-tab delivery batching. Each socket message arrives in its own task, so a microtask batch
 * holds one message; batching across tasks (a zero-delay timer) lets a burst cross the port in one
 * Comlink call (FIELD_NOTES: 7.7k → 53k msg/s end to end). `maxBatch` bounds the added latency.
 */
import type { Delivery } from '../src/contract/protocol.ts'

/** Schedules `fn` in a later task; returns nothing (batches are never cancelled). */
export type Schedule = (fn: () => void) => void

/** Counters for `stats()`. */
export interface OutboxCounters {
  delivered: number
  batches: number
}

/** Collects deliveries for one tab and flushes them in one call per task burst. */
export class Outbox {
  readonly #send: (batch: Delivery[]) => void
  readonly #schedule: Schedule
  readonly #maxBatch: number
  readonly #counters: OutboxCounters
  #queue: Delivery[] = []
  #isScheduled = false

  constructor(send: (batch: Delivery[]) => void, schedule: Schedule, counters: OutboxCounters, maxBatch = 512) {
    this.#send = send
    this.#schedule = schedule
    this.#counters = counters
    this.#maxBatch = maxBatch
  }

  /** Queues one delivery; flushes at once when the batch is full. */
  push(delivery: Delivery): void {
    this.#queue.push(delivery)
    if (this.#queue.length >= this.#maxBatch) this.flush()
    else if (!this.#isScheduled) {
      this.#isScheduled = true
      this.#schedule(() => this.flush())
    }
  }

  /** Sends what is queued, in order. */
  flush(): void {
    this.#isScheduled = false
    if (this.#queue.length === 0) return
    const batch = this.#queue
    this.#queue = []
    this.#counters.delivered += batch.length
    this.#counters.batches += 1
    this.#send(batch)
  }

  /** Drops what is queued (the tab is gone). */
  discard(): void {
    this.#queue = []
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
