/**
 * The hub's one retry loop, the same for every transport: full-jitter backoff between attempts,
 * a server's own floor honoured on top, and the attempt count reset only after a connection stayed
 * up for `minUptimeMs` (partysocket's `minUptime`), so a server that accepts and drops at once
 * still backs off.
 */
import { clampMs, type Clock } from '../../src/contract/clock.ts'
import { backoff } from './backoff.ts'

/** A scheduled retry: which attempt it is and when it runs. */
export interface ScheduledRetry {
  attempt: number
  retryAt: number
}

/**
 * Counts attempts and runs the next one after its delay; one pending retry at most.
 * @example
 * const retry = new RetryLoop(clock, Math.random, 10_000)
 * const next = retry.schedule(() => connect(), retryAfterMs) // { attempt: 1, retryAt }
 */
export class RetryLoop {
  readonly #clock: Clock
  readonly #random: () => number
  readonly #minUptimeMs: number
  readonly #maxFloorMs: number
  #attempt = 0
  #openedAt: number | null = null
  #cancel: (() => void) | null = null
  #cancelConnect: () => void = () => undefined

  /** `maxFloorMs`: the longest wait a server may ask for; a longer one is cut to it. */
  constructor(clock: Clock, random: () => number, minUptimeMs: number, maxFloorMs = 300_000) {
    this.#clock = clock
    this.#random = random
    this.#minUptimeMs = minUptimeMs
    this.#maxFloorMs = maxFloorMs
  }

  /** The connection opened: its uptime counts from now. */
  opened(): void {
    this.#cancelConnect()
    this.#openedAt = this.#clock.now()
  }

  /** An attempt started: `fail` runs when it has not opened after `ms` (a connect timeout). */
  watchConnect(ms: number, fail: () => void): void {
    this.#cancelConnect()
    this.#cancelConnect = this.#clock.setTimeout(fail, ms)
  }

  /**
   * The connection ended: schedules `run` after the next backoff delay, at least `floorMs` (the
   * server's wish, from server data: clamped to `[0, maxFloorMs]`, so `Retry-After: 2592000` waits
   * minutes, not a month, and a value past 2^31−1 ms does not fire at once).
   */
  schedule(run: () => void, floorMs = 0): ScheduledRetry {
    this.cancel()
    const uptime = this.#openedAt === null ? 0 : this.#clock.now() - this.#openedAt
    if (uptime >= this.#minUptimeMs) this.#attempt = 0
    this.#openedAt = null
    this.#attempt += 1
    const delayMs = Math.max(backoff(this.#attempt, this.#random), clampMs(floorMs, 0, this.#maxFloorMs))
    this.#cancel = this.#clock.setTimeout(() => { this.#cancel = null; run() }, delayMs)
    return { attempt: this.#attempt, retryAt: this.#clock.now() + delayMs }
  }

  /** Drops a pending retry and connect timeout (a resume, a pause or a close takes over). */
  cancel(): void {
    this.#cancel?.()
    this.#cancel = null
    this.#cancelConnect()
  }
}

/**
 * The end of one attempt, as a promise: a send waiting for its ack races it, so an ack lost with
 * its socket resolves `'timed out'` at once instead of after the call timeout.
 * @example
 * const end = ended(); await Promise.race([channel.send(e, p, true), end.promise]); end.end()
 */
export interface AttemptEnd {
  promise: Promise<'timed out'>
  end(): void
}

/**
 * A fresh {@link AttemptEnd}.
 * @example
 * this.#attemptEnded = ended()
 */
export function ended(): AttemptEnd {
  let end = (): void => undefined
  const promise = new Promise<'timed out'>((resolve) => { end = () => resolve('timed out') })
  return { promise, end }
}
