/**
 * The token of one shared connection, applied so that no tab can lock the others out. A token is
 * only read, never verified, in the worker (the server verifies), so a tab can offer a forged one
 * with a far `exp`. The rule: a token becomes the connection's *accepted* token only once the
 * server has accepted it (a channel subscribed with it, or it survived a trial while channels were
 * joined). A token the server refuses while it is on trial is dropped for good, the last accepted
 * token is restored, and the tab that offered it is told (`unauthorized`).
 */
import type { Clock } from '../src/contract/clock.ts'
import { RelayError } from '../src/contract/errors.ts'

/** How a token offer ended up. */
export type Offer =
  | { kind: 'ignored' }
  | { kind: 'refused'; error: RelayError }
  /** Apply `token` to the open attempt; `verdict` settles when the server's answer is known. */
  | { kind: 'apply'; token: string | null; verdict: Promise<void> }

interface Trial {
  token: string | null
  resolve(): void
  reject(error: RelayError): void
  cancel(): void
}

function refusal(): RelayError {
  return new RelayError('unauthorized', 'the server refused this token; the shared connection keeps the last token it accepted, and the other tabs are not affected')
}

/** One connection's tokens: current, accepted, refused, and the one on trial. */
export class TokenKeeper {
  readonly #clock: Clock
  readonly #trialMs: number
  readonly #prefers: (offered: string | null, current: string | null) => boolean
  #current: string | null
  /** Proven by the server; `undefined` before any token was. */
  #accepted: string | null | undefined = undefined
  readonly #refused = new Set<string>()
  #trial: Trial | null = null

  constructor(initial: string | null, prefers: (offered: string | null, current: string | null) => boolean, clock: Clock, trialMs: number) {
    this.#current = initial
    this.#prefers = prefers
    this.#clock = clock
    this.#trialMs = trialMs
  }

  /** The token the connection uses now. */
  get current(): string | null {
    return this.#current
  }

  /**
   * A tab offers a token. `isJoined`: channels are joined on the open attempt, so the server will
   * answer an applied token (refuse it by shutting them down, or accept it silently).
   */
  offer(token: string | null, isJoined: boolean): Offer {
    if (token !== null && this.#refused.has(token)) return { kind: 'refused', error: refusal() }
    if (!this.#prefers(token, this.#current)) return { kind: 'ignored' }
    this.#settleTrial('superseded')
    this.#current = token
    if (!isJoined) return { kind: 'apply', token, verdict: Promise.resolve() }
    const verdict = new Promise<void>((resolve, reject) => {
      const cancel = this.#clock.setTimeout(() => this.#settleTrial('accepted'), this.#trialMs)
      this.#trial = { token, resolve, reject, cancel }
    })
    verdict.catch(() => undefined)
    return { kind: 'apply', token, verdict }
  }

  /** A channel subscribed with the current token: the server accepted it. */
  subscribed(): void {
    this.#settleTrial('accepted')
    this.#accepted = this.#current
  }

  /**
   * A channel was refused for its token. When the current token is unproven and another one was
   * accepted before, the current one is dropped for good: returns the token to restore.
   * Otherwise (the accepted token itself expired) returns `undefined`: wait for a fresher one.
   */
  refused(): { restore: string | null } | undefined {
    const token = this.#current
    if (this.#accepted === undefined || token === this.#accepted) return undefined
    if (token !== null) this.#refused.add(token)
    this.#current = this.#accepted
    this.#settleTrial('refused')
    return { restore: this.#accepted }
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
    if (outcome === 'accepted' && this.#current === trial.token) this.#accepted = trial.token
    trial.resolve()
  }
}

/** What {@link ConnectionAuth} needs from its connection. */
export interface AuthedConnection {
  /** The open attempt, if any: where a token is applied. */
  attempt(): { setAuth(token: string | null): Promise<void> } | null
  /** Whether channels are joined on it, so the server will answer a new token. */
  isJoined(): boolean
  /** Re-joins the channels the server shut down for their token. */
  reopenRefused(): void
}

/**
 * Offers, applies and observes one connection's tokens (the rules of {@link TokenKeeper}).
 * @example
 * const auth = new ConnectionAuth(new TokenKeeper(token, prefers, clock, 1_000), connection)
 */
export class ConnectionAuth {
  readonly tokens: TokenKeeper
  readonly #connection: AuthedConnection

  constructor(tokens: TokenKeeper, connection: AuthedConnection) {
    this.tokens = tokens
    this.#connection = connection
  }

  /**
   * Applies the token the transport prefers to the open attempt, without reconnecting. Resolves
   * once the server accepted it (or nothing could refuse it); rejects `unauthorized` when the
   * server refused it, after the last accepted token was restored.
   */
  offer(token: string | null): Promise<void> {
    const offer = this.tokens.offer(token, this.#connection.attempt() !== null && this.#connection.isJoined())
    if (offer.kind === 'ignored') return Promise.resolve()
    if (offer.kind === 'refused') return Promise.reject(offer.error)
    this.#apply(offer.token)
    return offer.verdict
  }

  /** A channel's status, seen for the token's sake. */
  observe(status: string, error: { code: string } | undefined): void {
    if (status === 'SUBSCRIBED') this.tokens.subscribed()
    if (error?.code !== 'unauthorized') return
    // Refused for an unproven token: drop it, restore the accepted one, rejoin what it shut down.
    const restored = this.tokens.refused()
    if (restored) this.#apply(restored.restore)
  }

  #apply(token: string | null): void {
    const attempt = this.#connection.attempt()
    if (!attempt) return
    void attempt.setAuth(token).catch(() => undefined)
    // A channel shut down for its token gets another chance with this one.
    this.#connection.reopenRefused()
  }
}
