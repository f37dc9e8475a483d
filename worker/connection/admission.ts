/**
 * Which tabs of a connection may receive its events. The hub reads a token's identity claim
 * without verifying it, so a tab (or another page of the origin) can name any user. A tab is
 * *admitted* once its token is proven for this connection (the server accepted it, or a tab
 * admitted already gave it, see tokens.ts); until then it is *held*: none of the connection's
 * events, presence or `SUBSCRIBED` reach it (failures do, so it can tell why), and its sends and
 * tracks wait for admission. Admission ends with a catch-up: each channel's status, presence and a
 * `resync`. A tab stays admitted while it stays on the connection.
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { ChannelSnapshot, Delivery } from '../../src/contract/protocol.ts'
import { RelayError } from '../../src/contract/errors.ts'
import type { Topic } from '../topic/topic.ts'

interface TabState {
  token: string | null
  isAdmitted: boolean
  /** When the tab arrived (held since). */
  since: number
  /** The tab switched user into this connection: its channels owe it a `resync`. */
  isMove: boolean
  /** A delivery was held back from it. */
  hasMissed: boolean
}

/**
 * What an admitted tab needs to catch up on: the `resync` it is owed (`since`: `null` = all).
 * @example
 * const catchUp: CatchUp = { resync: true, since: null }
 */
export interface CatchUp {
  resync: boolean
  since: number | null
}

/**
 * The error of a held tab's send or track.
 * @example
 * throw notAdmitted()
 */
export function notAdmitted(): RelayError {
  return new RelayError('unauthorized', "the server has not accepted this tab's token for this user's connection; call setAuth() with the session's current token")
}

/**
 * Whether a delivery may reach a held tab: only a channel's failure, never an event or `SUBSCRIBED`.
 * @example
 * passesHold({ kind: 'channel', subIds: ['s1'], status: 'CHANNEL_ERROR' }) // true
 */
export function passesHold(delivery: Delivery): boolean {
  return delivery.kind === 'channel' && delivery.status !== 'SUBSCRIBED'
}

/**
 * The admitted and held tabs of one connection, with the token each holds.
 * @example
 * const admission = new Admission((token) => keeper.isProven(token), clock)
 * if (admission.enter('tab-1', token, false)) catchUp('tab-1')
 */
export class Admission {
  readonly #tabs = new Map<string, TabState>()
  readonly #waiters = new Map<string, Set<() => void>>()
  readonly #isProven: (token: string | null) => boolean
  readonly #clock: Clock

  constructor(isProven: (token: string | null) => boolean, clock: Clock) {
    this.#isProven = isProven
    this.#clock = clock
  }

  /** A tab arrives (hello, or a switch of user when `isMove`); returns its catch-up when admitted at once. */
  enter(tabId: string, token: string | null, isMove: boolean): CatchUp | null {
    const state: TabState = { token, isAdmitted: false, since: this.#clock.now(), isMove, hasMissed: false }
    this.#tabs.set(tabId, state)
    return this.#tryAdmit(tabId, state) ? { resync: isMove, since: null } : null
  }

  /** A tab's token changed (same identity); an admitted tab stays admitted. */
  setToken(tabId: string, token: string | null): void {
    const state = this.#tabs.get(tabId)
    if (state) state.token = token
  }

  leave(tabId: string): void {
    this.#tabs.delete(tabId)
    for (const wake of this.#waiters.get(tabId) ?? []) wake()
    this.#waiters.delete(tabId)
  }

  isKnown(tabId: string): boolean {
    return this.#tabs.has(tabId)
  }

  admits(tabId: string): boolean {
    return this.#tabs.get(tabId)?.isAdmitted === true
  }

  /** Whether `delivery` may reach the tab: all of it when admitted; a held one gets failures only (and a `resync` at admission). */
  passes(tabId: string, delivery: Delivery): boolean {
    const state = this.#tabs.get(tabId)
    if (state?.isAdmitted === true || passesHold(delivery)) return true
    if (state) state.hasMissed = true
    return false
  }

  /** A channel's state for a tab joining it: a held tab learns neither its presence nor that it is joined. */
  snapshot(tabId: string, entry: Topic): ChannelSnapshot {
    const isHeld = !this.admits(tabId)
    const snapshot: ChannelSnapshot = { status: isHeld && entry.status === 'SUBSCRIBED' ? 'joining' : entry.status, presence: isHeld ? {} : entry.presence }
    if (entry.error) snapshot.error = entry.error
    return snapshot
  }

  /** Waits (up to `ms`) for a held tab to be admitted before it sends or tracks as the user. */
  async admitted(tabId: string, ms: number): Promise<void> {
    if (!(await this.whenAdmitted(tabId, ms))) throw notAdmitted()
  }

  /** Admitted tabs, or every tab when none is (then the server decides between their tokens). */
  trusted(): string[] {
    const admitted = [...this.#tabs].filter(([, s]) => s.isAdmitted).map(([tabId]) => tabId)
    return admitted.length > 0 ? admitted : [...this.#tabs.keys()]
  }

  hasAdmitted(): boolean {
    return [...this.#tabs.values()].some((s) => s.isAdmitted)
  }

  /** Held: another tab of the user is admitted and this one is not (yet); it waits, sees nothing. */
  isHeld(tabId: string): boolean {
    return !this.admits(tabId) && this.hasAdmitted()
  }

  /** The tokens of {@link trusted} tabs: what may replace a refused token. */
  candidates(): Array<string | null> {
    return this.trusted().flatMap((tabId) => { const s = this.#tabs.get(tabId); return s ? [s.token] : [] })
  }

  /** The server refused `token`: tabs admitted with it (a socket accepted, then closed 4401) are held again. */
  revoke(token: string): void {
    for (const state of this.#tabs.values()) {
      if (!state.isAdmitted || state.token !== token) continue
      state.isAdmitted = false
      state.since = this.#clock.now()
    }
  }

  /** Admits every held tab whose token is proven now; returns them with what they missed. */
  admitProven(): Array<[string, CatchUp]> {
    const admitted: Array<[string, CatchUp]> = []
    for (const [tabId, state] of this.#tabs) {
      if (state.isAdmitted || !this.#tryAdmit(tabId, state)) continue
      admitted.push([tabId, { resync: state.isMove || state.hasMissed, since: state.isMove ? null : state.since }])
    }
    return admitted
  }

  /** Resolves true once the tab is admitted, false after `ms` or when it left. */
  whenAdmitted(tabId: string, ms: number): Promise<boolean> {
    if (this.admits(tabId)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(tabId) ?? new Set<() => void>()
      this.#waiters.set(tabId, waiters)
      const wake = (): void => { cancel(); waiters.delete(wake); resolve(this.admits(tabId)) }
      const cancel = this.#clock.setTimeout(wake, ms)
      waiters.add(wake)
    })
  }

  #tryAdmit(tabId: string, state: TabState): boolean {
    if (!this.#isProven(state.token)) return false
    state.isAdmitted = true
    for (const wake of this.#waiters.get(tabId) ?? []) wake()
    this.#waiters.delete(tabId)
    return true
  }
}
