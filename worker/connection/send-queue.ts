/**
 * The hub's bounded queue of sends waiting for their topic to be joined (the socket is down,
 * reconnecting, paused, or the join is still on its way), the same for every transport. Bounded
 * by count, bytes and age; flushed in order once the topic is joined. Every send settles exactly
 * once: `write`'s result when it went out, `'timed out'` when it expired, could not be queued
 * (full) or its connection closed. Nothing is written twice and nothing is dropped silently.
 * Each tab holds at most its share of it, so one tab flooding sends cannot make another's time out.
 */
import type { Clock } from '../../src/contract/clock.ts'
import { RelayError } from '../../src/contract/errors.ts'
import type { SendResult } from '../../src/contract/protocol.ts'

/**
 * How much may wait, in all and per tab. Keep `maxAgeMs` below the tabs' `callTimeoutMs`, so a
 * tab hears the queue's `'timed out'` rather than its own call timeout.
 * @example
 * const limits: SendQueueLimits = { maxCount: 1_000, maxBytes: 1024 * 1024, maxAgeMs: 10_000, perTabCount: 500, perTabBytes: 512 * 1024 }
 */
export interface SendQueueLimits {
  maxCount: number
  maxBytes: number
  maxAgeMs: number
  /** Sends one tab may have waiting; past it that tab's send fails `bad-input`. */
  perTabCount: number
  /** Bytes one tab may have waiting. */
  perTabBytes: number
}

/** The default bounds (a tab's share is half); `maxAgeMs` defaults to the hub's `joinWaitMs`. */
export const SEND_QUEUE_DEFAULTS = { maxCount: 1_000, maxBytes: 1024 * 1024, perTabCount: 500, perTabBytes: 512 * 1024 } as const

interface Queued<T> {
  key: string
  owner: string
  bytes: number
  write: (target: T) => Promise<SendResult>
  settle: (result: Promise<SendResult> | SendResult) => void
  cancelExpiry: () => void
}

/**
 * Sends of one connection waiting for their topic; `T` is what a flush writes through.
 * @example
 * const queue = new SendQueue<Topic>(clock, { ...SEND_QUEUE_DEFAULTS, maxAgeMs: 8_000 })
 * const result = queue.push(topic.key, sendBytes(event, payload), (t) => write(t), tabId)
 * queue.flush(topic.key, topic) // once joined: written in order
 */
export class SendQueue<T> {
  readonly #clock: Clock
  readonly #limits: SendQueueLimits
  #items: Array<Queued<T>> = []
  #bytes = 0

  constructor(clock: Clock, limits: SendQueueLimits) {
    this.#clock = clock
    this.#limits = limits
  }

  /** Sends waiting now. */
  get size(): number {
    return this.#items.length
  }

  /** Whether a send of topic `key` is waiting (a new one must queue behind it). */
  has(key: string): boolean {
    return this.#items.some((item) => item.key === key)
  }

  /**
   * Queues a send of `bytes` for topic `key` from tab `owner`; resolves `'timed out'` at once when
   * the queue is full, and rejects `bad-input` when that tab holds its whole share already.
   */
  push(key: string, bytes: number, write: (target: T) => Promise<SendResult>, owner = ''): Promise<SendResult> {
    const { maxCount, maxBytes, maxAgeMs, perTabCount, perTabBytes } = this.#limits
    const own = this.#items.filter((item) => item.owner === owner)
    const ownBytes = own.reduce((n, item) => n + item.bytes, 0)
    if (own.length + 1 > perTabCount || ownBytes + bytes > perTabBytes) {
      return Promise.reject(new RelayError('bad-input', `this tab has ${own.length} sends (${ownBytes} bytes) waiting, its share of the queue (sendQueue.perTabCount ${perTabCount}, perTabBytes); await their results first`))
    }
    // Full: this send is refused, and says so; what is queued already keeps its place.
    if (this.#items.length + 1 > maxCount || this.#bytes + bytes > maxBytes) return Promise.resolve('timed out')
    return new Promise((resolve) => {
      const item: Queued<T> = { key, owner, bytes, write, settle: resolve, cancelExpiry: () => undefined }
      item.cancelExpiry = this.#clock.setTimeout(() => { if (this.#take((i) => i === item).length > 0) resolve('timed out') }, maxAgeMs)
      this.#items.push(item)
      this.#bytes += bytes
    })
  }

  /** Writes every send queued for `key`, in the order they were queued, synchronously. */
  flush(key: string, target: T): void {
    for (const item of this.#take((i) => i.key === key)) {
      item.cancelExpiry()
      try {
        item.settle(item.write(target))
      } catch {
        item.settle('error')
      }
    }
  }

  /** Fails what is queued for `key` (its topic was left), or everything (the connection closed). */
  fail(key?: string): void {
    for (const item of this.#take((i) => key === undefined || i.key === key)) {
      item.cancelExpiry()
      item.settle('timed out')
    }
  }

  #take(test: (item: Queued<T>) => boolean): Array<Queued<T>> {
    const taken = this.#items.filter(test)
    if (taken.length === 0) return taken
    this.#items = this.#items.filter((item) => !test(item))
    for (const item of taken) this.#bytes -= item.bytes
    return taken
  }
}

const encoder = new TextEncoder()

/**
 * What a send weighs in the queue: its event and JSON payload in UTF-8 bytes.
 * @example
 * sendBytes('TEXT', { message: 'hi' }) // 20
 */
export function sendBytes(event: string, payload: unknown): number {
  return encoder.encode(event).length + encoder.encode(JSON.stringify(payload)).length
}
