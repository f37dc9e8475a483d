/**
 * The tab's calls to its hub: each goes to the current worker connection (or, for a rejoin, to a
 * given one ahead of the queue), has a timeout, and is failed at once when its worker is given up
 * instead of waiting for that timeout.
 */
import { type Clock, withTimeout } from '../contract/clock.ts'
import { RelayError } from '../contract/errors.ts'
import type { HubApi } from '../contract/protocol.ts'
import { isDataCloneError } from './options.ts'
import type { Link } from './session-events.ts'

/**
 * Where calls go, as the session knows it at the moment of the call.
 * @example
 * new HubCalls({ gen: () => gen, sent: () => sent, answered: () => link, timeoutMs: 10_000, clock, unanswered: () => beat() })
 */
export interface CallRoute {
  /** The current generation of worker connection. */
  gen(): number
  /** The link once hello is posted (the first hello) or answered (after a recovery). */
  sent(): Promise<Link>
  /** The link once its hello is answered: a refused hello fails the calls queued on it. */
  answered(): Promise<Link>
  timeoutMs: number
  clock: Clock
  /** A call of the current generation timed out: the worker may be dead, check it now. */
  unanswered(): void
}

/**
 * The calls in flight of one tab session.
 * @example
 * const stats = await calls.run('stats', (hub) => hub.stats())
 */
export class HubCalls {
  readonly #route: CallRoute
  readonly #inFlight = new Set<(error?: RelayError) => void>()

  constructor(route: CallRoute) {
    this.#route = route
  }

  /** Calls the hub; with `link`, that connection at once (a rejoin goes out before queued calls). */
  run<T>(what: string, fn: (hub: HubApi) => Promise<T>, link?: Link, timeoutMs = this.#route.timeoutMs): Promise<T> {
    const route = this.#route
    let gen = route.gen()
    const call = (l: Link): Promise<T> => { gen = l.gen; return fn(l.hub) }
    // A pipelined call also waits for the hello's answer: a refused hello fails it with its reason.
    const sent = link ? new Promise<T>((resolve) => resolve(call(link))) : Promise.all([route.sent().then(call), route.answered()]).then(([value]) => value)
    // A call in flight to a worker that died never settles: recovery fails it at once instead of
    // leaving it to the timeout.
    let abandon = (_error?: RelayError): void => {}
    const lost = new Promise<never>((_, reject) => {
      abandon = (error) => {
        if (error) reject(error)
        else if (gen !== route.gen()) reject(new RelayError('transport', `${what}(): the worker restarted before it answered; try again`))
      }
      this.#inFlight.add(abandon)
    })
    const attempt = Promise.race([sent, lost]).finally(() => this.#inFlight.delete(abandon))
    return withTimeout(attempt, timeoutMs, what, route.clock).catch((error: unknown) => {
      if (isDataCloneError(error)) throw new RelayError('bad-input', `${what}(): the data cannot be structured-cloned; pass plain JSON`)
      if (error instanceof RelayError && error.code === 'timeout' && gen === route.gen()) route.unanswered()
      throw error
    })
  }

  /** Fails every call in flight with `error`; without one, the calls sent to an older generation. */
  abandon(error?: RelayError): void {
    for (const abandon of [...this.#inFlight]) abandon(error)
  }
}
