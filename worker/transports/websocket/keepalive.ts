/**
 * Ping/pong keep-alive of one socket: a ping every `intervalMs`, and a deadline of `timeoutMs` for
 * its pong. A socket whose peer vanished without a close (a laptop lid, a NAT timeout) stays
 * "open" for minutes; the missed deadline ends the attempt instead.
 */
import type { Clock } from '../../../src/contract/clock.ts'
import type { PingOptions } from './options.ts'

/**
 * One socket's keep-alive timers; `start()` once the socket is open, `stop()` when it ends.
 * @example
 * const keepAlive = new KeepAlive(clock, ping, () => writeFrame(ping.frame), () => end(missedPong(ping.timeoutMs)))
 * keepAlive.start()   // on open; keepAlive.pong() on each pong frame; keepAlive.stop() on close
 */
export class KeepAlive {
  readonly #clock: Clock
  readonly #ping: PingOptions
  readonly #write: () => boolean
  readonly #missed: () => void
  #cancelNext: (() => void) | null = null
  #cancelDeadline: (() => void) | null = null

  /** `write` sends the ping frame (false: not written); `missed` ends the attempt. */
  constructor(clock: Clock, ping: PingOptions, write: () => boolean, missed: () => void) {
    this.#clock = clock
    this.#ping = ping
    this.#write = write
    this.#missed = missed
  }

  start(): void {
    this.stop()
    this.#schedule()
  }

  /** A pong arrived: the outstanding ping's deadline is met. */
  pong(): void {
    this.#cancelDeadline?.()
    this.#cancelDeadline = null
  }

  stop(): void {
    this.#cancelNext?.()
    this.#cancelNext = null
    this.pong()
  }

  #schedule(): void {
    this.#cancelNext = this.#clock.setTimeout(() => this.#send(), this.#ping.intervalMs)
  }

  #send(): void {
    this.#cancelNext = null
    if (!this.#write()) return
    // One deadline at a time: a ping sent while one is outstanding does not push it back.
    this.#cancelDeadline ??= this.#clock.setTimeout(() => {
      this.#cancelDeadline = null
      this.stop()
      this.#missed()
    }, this.#ping.timeoutMs)
    this.#schedule()
  }
}
