/**
 * One connection's auth: the tokens its tabs offer (tokens.ts decides which one the connection
 * uses) and which tabs may receive its events (admission.ts). A tab admitted already is the
 * user's, so the tokens it gives are proven for routing; a held tab's token is never offered to
 * a connection that has admitted tabs as it is: the hub asks the admitted tabs, then the held
 * tab, for a fresh token, and admits it once they agree; failing that, the server judges the held
 * tab's token (a trial, or a new attempt), at most once per {@link CHECK_INTERVAL_MS}.
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { ChannelStatus, WireError } from '../../src/contract/protocol.ts'
import { Admission, type CatchUp } from './admission.ts'
import { isFresher } from './claims.ts'
import { TokenKeeper } from './tokens.ts'
import type { StatusDetail, Transport } from '../transports/transport.ts'

/**
 * How often a held tab's token may be shown to the server to be judged (see {@link ConnectionAuth}).
 * @example
 * CHECK_INTERVAL_MS // 10_000
 */
export const CHECK_INTERVAL_MS = 10_000

/**
 * A tab's answer when the hub asked for a fresh token.
 * @example
 * const answer: TokenAnswer = { tabId: 'tab-1', token: session.access_token }
 */
export interface TokenAnswer {
  tabId: string
  token: string | null
}

/**
 * What {@link ConnectionAuth} needs from its connection.
 * @example
 * const connection: AuthedConnection = { attempt, isJoined, reopenRefused, catchUp, reshow, askToken }
 */
export interface AuthedConnection {
  /** The open attempt, if any: where a token is applied. */
  attempt(): { setAuth(token: string | null): Promise<void> } | null
  /** Whether channels are joined on it, so the server will answer a new token. */
  isJoined(): boolean
  /** Re-joins the channels the server shut down for their token. */
  reopenRefused(): void
  /** Brings a tab admitted just now up to date (statuses, presence, a `resync`). */
  catchUp(tabId: string, catchUp: CatchUp): void
  /** Opens a new attempt now, so the server sees the current token (transports that cannot apply it in place). */
  reshow(): void
  /** Asks these tabs (leader first) for a fresh token; the first `accepts` takes wins. */
  askToken(tabIds: readonly string[], accepts: (token: string | null) => boolean): Promise<TokenAnswer | null>
}

/**
 * Offers, applies and observes one connection's tokens, and admits its tabs.
 * @example
 * const auth = new ConnectionAuth({ token, transport: supabaseTransport(), clock, trialMs: 1_000 }, connection)
 */
export class ConnectionAuth {
  readonly tokens: TokenKeeper
  readonly admission: Admission
  readonly #connection: AuthedConnection
  readonly #inPlace: boolean
  readonly #clock: Clock
  #asking: Promise<void> | null = null
  #nextCheckAt = 0

  constructor(options: { token: string | null; transport: Pick<Transport, 'prefers' | 'appliesTokenInPlace'>; clock: Clock; trialMs: number }, connection: AuthedConnection) {
    const { transport } = options
    const prefers = (offered: string | null, current: string | null): boolean => (transport.prefers ? transport.prefers(offered, current) : isFresher(offered, current))
    this.tokens = new TokenKeeper(options.token, prefers, options.clock, { trialMs: options.trialMs, inPlace: transport.appliesTokenInPlace === true }, {
      proven: () => this.#admitProven(),
      refused: (token) => this.admission.revoke(token),
    })
    this.admission = new Admission((token) => this.tokens.isProven(token), options.clock)
    this.#inPlace = transport.appliesTokenInPlace === true
    this.#clock = options.clock
    this.#connection = connection
  }

  /** A tab arrives with its token (`isMove`: it switched user into this connection). */
  enter(tabId: string, token: string | null, isMove: boolean): Promise<void> {
    const catchUp = this.admission.enter(tabId, token, isMove)
    if (catchUp) this.#connection.catchUp(tabId, catchUp)
    return this.offer(tabId, token)
  }

  /**
   * A tab's token. Resolves once the server accepted it (or nothing could refuse it, or it is
   * held back); rejects `unauthorized` when the server refused it, after the last accepted token
   * was restored.
   */
  offer(tabId: string, token: string | null): Promise<void> {
    this.admission.setToken(tabId, token)
    // A held tab giving a proven token (the user's current one) is admitted right away.
    if (!this.admission.admits(tabId)) this.#admitProven()
    if (this.admission.admits(tabId)) {
      this.tokens.vouch(token)
      return this.#offer(token)
    }
    if (this.admission.hasAdmitted()) {
      void this.#prove(tabId)
      return Promise.resolve()
    }
    // Nobody is admitted: the server decides between the tabs' tokens.
    return this.#offer(token)
  }

  /** Asks a trusted tab for a fresh token (before a retry or resume) and offers it. */
  async refresh(): Promise<void> {
    const answer = await this.#connection.askToken(this.admission.trusted(), (token) => !this.tokens.isRefused(token))
    if (answer) await this.offer(answer.tabId, answer.token).catch(() => undefined)
  }

  /** A channel's status handler that also observes it; SUBSCRIBED proves the token first, so the tabs it admits get that status like the others. */
  watch(route: (status: ChannelStatus, error?: WireError, detail?: StatusDetail) => void, isCurrent: () => boolean): (status: ChannelStatus, error?: WireError, detail?: StatusDetail) => void {
    return (status, error, detail) => {
      if (status === 'SUBSCRIBED' && isCurrent()) this.observe(status, error)
      route(status, error, detail)
      if (status !== 'SUBSCRIBED' && isCurrent()) this.observe(status, error)
    }
  }

  /** A channel's status, seen for the token's sake. */
  observe(status: string, error: { code: string } | undefined): void {
    if (status === 'SUBSCRIBED') this.tokens.subscribed()
    if (error?.code !== 'unauthorized') return
    // Refused for an unproven token: drop it, restore the accepted one, rejoin what it shut down.
    const restored = this.tokens.refused(this.admission.candidates())
    if (restored) this.#apply(restored.restore)
  }

  /** The attempt closed `unauthorized`: a token never accepted is not tried again. */
  attemptRefused(): void {
    this.tokens.attemptRefused(this.admission.candidates())
  }

  #offer(token: string | null): Promise<void> {
    const attempt = this.#connection.attempt()
    const offer = this.tokens.offer(token, { isOpen: attempt !== null, isJoined: attempt !== null && this.#connection.isJoined() })
    if (offer.kind === 'ignored') return Promise.resolve()
    if (offer.kind === 'refused') return Promise.reject(offer.error)
    this.#apply(offer.token)
    return offer.verdict
  }

  #apply(token: string | null): void {
    const attempt = this.#connection.attempt()
    if (!attempt) return
    void attempt.setAuth(token).catch(() => undefined)
    // A channel shut down for its token gets another chance with this one.
    this.#connection.reopenRefused()
  }

  // A held tab: the admitted tabs' fresh token first (one question at a time for all held tabs),
  // then the held tab's own; it is admitted when its token is proven by then.
  async #prove(tabId: string): Promise<void> {
    this.#asking ??= this.refresh().finally(() => { this.#asking = null })
    await this.#asking
    if (!this.#isHeld(tabId)) return
    const own = await this.#connection.askToken([tabId], (token) => !this.tokens.isRefused(token))
    if (!own || !this.#isHeld(tabId)) return
    this.admission.setToken(tabId, own.token)
    this.#admitProven()
    if (this.#isHeld(tabId)) this.#check(own.token)
  }

  // A held tab's own token (another valid token of the user, or a forged one): the server judges
  // it. Applied in place it goes on trial at once; elsewhere a new attempt shows it. At most once
  // per CHECK_INTERVAL_MS, so forged tokens cost the user's tabs a blip, never a storm.
  #check(token: string | null): void {
    const now = this.#clock.now()
    if (now < this.#nextCheckAt) return
    this.#nextCheckAt = now + CHECK_INTERVAL_MS
    void this.#offer(token).catch(() => undefined)
    const shown = this.tokens.shown
    if (!this.#inPlace && shown !== undefined && shown !== token && this.tokens.current === token) this.#connection.reshow()
  }

  #isHeld(tabId: string): boolean {
    return this.admission.isKnown(tabId) && !this.admission.admits(tabId)
  }

  #admitProven(): void {
    for (const [tabId, catchUp] of this.admission.admitProven()) this.#connection.catchUp(tabId, catchUp)
  }
}
