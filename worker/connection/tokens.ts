/**
 * The tokens of one shared connection, kept so that no tab can lock the others out. A token is
 * only read, never verified, in the worker (the server verifies), so a tab can offer a forged one
 * with a far `exp`. The rules:
 * - a token is *accepted* once the server accepted it: a channel subscribed on an attempt that
 *   showed the server that token, or it survived a trial on joined channels (transports that apply
 *   a token in place); elsewhere a token offered while an attempt is open is shown to the server
 *   by the next attempt only. Where a subscription is only a frame written (a plain WebSocket),
 *   the token is proven at once but accepted only once the attempt outlived the trial: a server
 *   may accept a socket and close it 4401 right after, which then refuses the token;
 * - a token the server refuses (its channels shut down, or the attempt closed `unauthorized`) is
 *   dropped for good and the last accepted token restored — or, before any was accepted, the
 *   freshest token a tab of the connection holds: a forged token can never lock the real ones out;
 * - `null` and older tokens (`exp`, then `iat`; the transport's `prefers`) never replace a newer one.
 * *Proven* tokens (accepted, or given by a tab admitted already) decide which tabs get events.
 */
import type { Clock } from '../../src/contract/clock.ts'
import { RelayError } from '../../src/contract/errors.ts'
import { tokenDigest } from './claims.ts'

/**
 * How a token offer ended up.
 * @example
 * const offer: Offer = { kind: 'ignored' } // not fresher than the current token
 */
export type Offer =
  | { kind: 'ignored' }
  | { kind: 'refused'; error: RelayError }
  /** Apply `token` to the open attempt; `verdict` settles when the server's answer is known. */
  | { kind: 'apply'; token: string | null; verdict: Promise<void> }

/**
 * Where an offer lands: whether an attempt is open, and channels are joined on it (so the server
 * answers a new token applied in place).
 * @example
 * keeper.offer(token, { isOpen: true, isJoined: true })
 */
export interface OfferPlace {
  isOpen: boolean
  isJoined: boolean
}

interface Trial {
  token: string | null
  resolve(): void
  reject(error: RelayError): void
  cancel(): void
}

/**
 * What a {@link TokenKeeper} reports: a token became proven (tabs holding it may be admitted), or
 * the server refused one (tabs admitted with it are held again).
 * @example
 * const events: TokenEvents = { proven: () => admitTabs(), refused: (token) => holdTabsWith(token) }
 */
export interface TokenEvents {
  proven(): void
  refused(token: string): void
}

/**
 * How many proven and refused tokens a connection remembers (oldest forgotten first).
 * @example
 * TOKEN_MEMORY // 32
 */
export const TOKEN_MEMORY = 32

/** A bounded set of tokens, held as digests: the set never keeps a token itself. */
class TokenSet {
  readonly #digests = new Set<string>()
  add(token: string | null): void {
    const key = token === null ? 'null' : tokenDigest(token)
    this.#digests.delete(key)
    this.#digests.add(key)
    const oldest = this.#digests.values().next()
    if (this.#digests.size > TOKEN_MEMORY && !oldest.done) this.#digests.delete(oldest.value)
  }
  delete(token: string | null): void {
    this.#digests.delete(token === null ? 'null' : tokenDigest(token))
  }
  has(token: string | null): boolean {
    return this.#digests.has(token === null ? 'null' : tokenDigest(token))
  }
}

function refusal(): RelayError {
  return new RelayError('unauthorized', 'the server refused this token; the shared connection keeps the last token it accepted, and the other tabs are not affected')
}

/**
 * One connection's tokens: current, shown to the server, accepted, proven, refused, on trial.
 * @example
 * const keeper = new TokenKeeper(token, isFresher, clock, { trialMs: 1_000, inPlace: true }, { proven: admitTabs, refused: holdTabsWith })
 */
export class TokenKeeper {
  readonly #clock: Clock
  readonly #trialMs: number
  readonly #inPlace: boolean
  readonly #prefers: (offered: string | null, current: string | null) => boolean
  readonly #events: TokenEvents
  #current: string | null
  /** The token the open attempt showed the server; `undefined` without an attempt. */
  #shown: string | null | undefined = undefined
  /** Proven by the server; `undefined` before any token was. */
  #accepted: string | null | undefined = undefined
  readonly #proven = new TokenSet()
  readonly #refused = new TokenSet()
  #trial: Trial | null = null
  /** Cancels the open attempt's own trial (transports that do not apply a token in place). */
  #attemptTrial: (() => void) | null = null

  /** `inPlace`: the transport shows a new token to the server on the open attempt (see transport.ts). */
  constructor(initial: string | null, prefers: (offered: string | null, current: string | null) => boolean, clock: Clock, trial: { trialMs: number; inPlace: boolean }, events: TokenEvents) {
    this.#current = initial
    this.#prefers = prefers
    this.#clock = clock
    this.#trialMs = trial.trialMs
    this.#inPlace = trial.inPlace
    this.#events = events
  }

  /** The token the open attempt showed the server (`undefined`: no attempt). */
  get shown(): string | null | undefined {
    return this.#shown
  }

  /** The token the connection uses now (the next attempt opens with it). */
  get current(): string | null {
    return this.#current
  }

  isProven(token: string | null): boolean {
    return this.#proven.has(token)
  }

  isRefused(token: string | null): boolean {
    return token !== null && this.#refused.has(token)
  }

  /** A tab admitted already gives this token: it is the user's, as far as routing goes. */
  vouch(token: string | null): void {
    if (!this.isRefused(token)) this.#prove(token)
  }

  /** An attempt opens now: it shows the server the current token, which it returns. */
  opened(): string | null {
    this.#shown = this.#current
    return this.#current
  }

  /** The attempt ended: nothing shows the server a token until the next one. */
  closed(): void {
    this.#shown = undefined
    this.#attemptTrial?.()
    this.#attemptTrial = null
    this.#settleTrial('superseded')
  }

  /** A tab offers a token (see the module comment for when it replaces the current one). */
  offer(token: string | null, place: OfferPlace): Offer {
    if (this.isRefused(token)) return { kind: 'refused', error: refusal() }
    const current = this.#current
    const gives = current !== null && this.#refused.has(current)
    if (token === current || (!gives && !this.#prefers(token, current))) return { kind: 'ignored' }
    this.#settleTrial('superseded')
    this.#current = token
    if (!this.#inPlace || !place.isOpen) return { kind: 'apply', token, verdict: Promise.resolve() }
    this.#shown = token
    if (!place.isJoined) return { kind: 'apply', token, verdict: Promise.resolve() }
    const verdict = new Promise<void>((resolve, reject) => {
      const cancel = this.#clock.setTimeout(() => this.#settleTrial('accepted'), this.#trialMs)
      this.#trial = { token, resolve, reject, cancel }
    })
    verdict.catch(() => undefined)
    return { kind: 'apply', token, verdict }
  }

  /** A channel subscribed on the open attempt: the server accepted the token it was shown. */
  subscribed(): void {
    this.#settleTrial('accepted')
    const shown = this.#shown
    if (shown === undefined) return
    if (this.#inPlace) {
      this.#accept(shown)
      return
    }
    // A subscribe frame written: proven for now, accepted once the attempt outlived the trial.
    this.#prove(shown)
    this.#attemptTrial ??= this.#clock.setTimeout(() => {
      this.#attemptTrial = null
      if (this.#shown === shown) this.#accept(shown)
    }, this.#trialMs)
  }

  /**
   * A channel was refused for its token. When the current token is not the accepted one, it is
   * dropped for good: returns the token to restore (the accepted one, else the freshest of
   * `candidates`, the tokens the connection's tabs hold). `undefined`: the accepted token itself
   * expired (or nothing is left): wait for a fresher one.
   */
  refused(candidates: Iterable<string | null>): { restore: string | null } | undefined {
    const token = this.#current
    if (this.#accepted !== undefined && token === this.#accepted) return undefined
    this.#drop(token)
    this.#settleTrial('refused')
    const restore = this.#accepted !== undefined ? this.#accepted : this.#freshest(candidates)
    // Nothing else to try (or only the refused token itself): wait for a fresher one.
    if (restore === undefined || restore === token) return undefined
    this.#current = restore
    if (this.#shown !== undefined) this.#shown = restore
    return { restore }
  }

  /**
   * The attempt closed `unauthorized` (a WebSocket close code, an SSE 401): when the token it
   * showed was never accepted, that token is dropped for good and the next attempt uses the
   * accepted one, else the freshest of `candidates`.
   */
  attemptRefused(candidates: Iterable<string | null>): void {
    const token = this.#shown
    if (token === undefined || (this.#accepted !== undefined && token === this.#accepted)) return
    this.#drop(token)
    if (this.#current !== token && !this.isRefused(this.#current)) return
    const restore = this.#accepted !== undefined ? this.#accepted : this.#freshest(candidates)
    if (restore !== undefined) this.#current = restore
  }

  #drop(token: string | null): void {
    if (token === null) return
    this.#refused.add(token)
    this.#proven.delete(token)
    this.#events.refused(token)
  }

  #accept(token: string | null): void {
    this.#accepted = token
    this.#prove(token)
  }

  #prove(token: string | null): void {
    if (this.#proven.has(token)) return
    this.#proven.add(token)
    this.#events.proven()
  }

  #freshest(candidates: Iterable<string | null>): string | null | undefined {
    let best: string | null | undefined = undefined
    for (const token of candidates) {
      if (this.isRefused(token)) continue
      if (best === undefined || this.#prefers(token, best)) best = token
    }
    return best
  }

  // 'superseded': a newer offer replaced the token on trial before the server answered; its
  // offer succeeded as far as the tab can tell, but it proved nothing.
  #settleTrial(outcome: 'accepted' | 'refused' | 'superseded'): void {
    const trial = this.#trial
    if (!trial) return
    this.#trial = null
    trial.cancel()
    if (outcome === 'refused') {
      trial.reject(refusal())
      return
    }
    if (outcome === 'accepted' && this.#current === trial.token) this.#accept(trial.token)
    trial.resolve()
  }
}
