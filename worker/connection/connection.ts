/**
 * One identity's connection to a server: its transport's attempts, the topics riding on it, its
 * status and token, pause/resume and retry. One per (transport, endpoint, identity); each new
 * attempt joins every topic again (the router reports `resync`). Only admitted tabs get its events.
 * What its tabs write (sends, tracks) takes its own path, sends.ts, which the tab's session calls.
 */
import type { ChannelSnapshot, Json, StatusEvent, Subscription, WireError } from '../../src/contract/protocol.ts'
import { toWire } from '../../src/contract/errors.ts'
import { TopicTable } from '../topic/table.ts'
import type { Topic } from '../topic/topic.ts'
import { ChannelRouter } from '../topic/router.ts'
import { PresenceKeeper } from '../topic/presence-keeper.ts'
import { ended, RetryLoop, type AttemptEnd } from './retry.ts'
import { ConnectionAuth } from './auth.ts'
import { Sends } from './sends.ts'
import type { ConnectionDeps } from './deps.ts'
import type { ChannelHandlers, CloseReason, TransportChannel, TransportConnection } from '../transports/transport.ts'

/**
 * A user's shared connection.
 * @example
 * const connection = new Connection({ target, transport, clock, identity, tabs: registry, status, refused, askToken, ...timings }, token)
 * connection.start(); connection.join('tab-1', sub) // { status: 'joining', presence: {} }
 */
export class Connection {
  readonly topics: TopicTable
  /** What its tabs write: sends and tracks (sends.ts). */
  readonly sends: Sends
  /**
   * Whose token it uses and which tabs it admits (auth.ts, admission.ts): the hub hands a tab's
   * arrival (`enter`) and new token (`offer`) to it, and asks `admission` who may see what.
   */
  readonly auth: ConnectionAuth
  readonly #deps: ConnectionDeps
  readonly #router: ChannelRouter
  readonly #presence: PresenceKeeper
  readonly #retry: RetryLoop
  /** Survives attempts: a transport keeps resume state here (SSE last event ids). */
  readonly #memory = new Map<string, Json>()
  #attempt: TransportConnection<unknown> | null = null
  /** Settles when the current attempt ends: sends still waiting for their ack learn their fate. */
  #attemptEnded: AttemptEnd = ended()
  #gen = 0
  #isOpen = false
  /** Set by `close()`: the hub replaced or dropped this connection for good. */
  #isClosed = false
  #status: StatusEvent = { status: 'closed' }

  constructor(deps: ConnectionDeps, token: string | null) {
    this.#deps = deps
    // A closed connection finishes closing (realtime-js: up to 10 s) after a new one of the same
    // identity may have replaced it: it reaches no tab (no delivery, no status), and no tab that
    // moved to another user.
    this.#router = new ChannelRouter({
      clock: deps.clock, inbound: deps.stored?.inbound, admits: (tabId, delivery) => this.auth.admission.passes(tabId, delivery),
      outboxOf: (tabId) => (this.#isClosed ? null : deps.tabs.get(tabId)?.outboxFor(deps.identity) ?? null),
      reopen: (entry) => { if (this.topics.has(entry) && entry.channel) { this.#drop(entry); this.#open(entry) } },
    })
    this.#presence = new PresenceKeeper((topic) => topic.whenJoined(deps.clock, deps.joinWaitMs))
    this.#retry = new RetryLoop(deps.clock, deps.random, deps.minUptimeMs, deps.maxRetryFloorMs)
    this.topics = new TopicTable({
      open: (entry) => this.#open(entry),
      respec: (entry) => { this.#drop(entry); this.#open(entry) },
      close: (entry) => { this.sends.fail(entry.key); this.#drop(entry) },
    }, deps.transport, deps.clock, () => deps.lingerMs())
    this.auth = new ConnectionAuth({ token, transport: deps.transport, clock: deps.clock, trialMs: deps.tokenTrialMs }, {
      attempt: () => this.#attempt,
      catchUp: (tabId, catchUp) => { for (const entry of this.topics.entries()) this.#router.catchUp(entry, tabId, catchUp) },
      askToken: deps.askToken,
      reshow: () => { void this.#stopAttempt(); void this.#start('reconnecting', false) },
      isJoined: () => [...this.topics.entries()].some((topic) => topic.isJoined),
      reopenRefused: () => { for (const entry of this.topics.entries()) if (entry.error?.code === 'unauthorized') { this.#drop(entry); this.#open(entry) } },
    })
    this.sends = new Sends(deps, this.topics, this.#router, this.auth.admission, this.#presence, () => this.#attemptEnded.promise)
  }

  get status(): StatusEvent { return this.#status }

  /** Number of open sockets or streams (0 or 1). */
  get sockets(): number { return this.#isOpen ? 1 : 0 }

  /** Opens the connection if it is not open yet: a tab's status means something from its hello on. */
  start(): void {
    if (this.#status.status === 'closed') this.#start('connecting', false)
  }

  /** Adds or updates a tab's channel and returns its state at once. */
  join(tabId: string, sub: Subscription): ChannelSnapshot {
    this.start()
    const entry = this.topics.add(tabId, sub)
    this.#router.rejoined(entry, tabId, sub)
    const snapshot = this.auth.admission.snapshot(tabId, entry)
    const notice = this.#deps.transport.notice?.(entry.spec, sub)
    if (notice !== undefined) snapshot.notice = notice
    return snapshot
  }

  leave(tabId: string, subId: string): void {
    const entry = this.topics.find(tabId, subId)
    this.topics.remove(tabId, subId)
    if (entry && !entry.hasTab(tabId)) this.#presence.forgetTab(entry, tabId)
  }

  /** Forgets everything of a tab: its channels and its presence. */
  removeTab(tabId: string): void {
    for (const entry of this.topics.entries()) this.#presence.forgetTab(entry, tabId)
    this.topics.removeTab(tabId)
    this.auth.admission.leave(tabId)
  }

  /** Closes the socket while nobody looks; channels stay registered for the resume. */
  async pause(): Promise<void> {
    if (this.#status.status === 'paused' || this.#status.status === 'closed') return
    // Status first, close after: a resume arriving while the socket closes must see 'paused'.
    const stopped = this.#stopAttempt()
    this.#setStatus({ status: 'paused' })
    await stopped
  }

  /** Reconnects after a pause (or now: reconnecting, or the app's "Retry" after a fatal close), with a fresh token. */
  async resume(): Promise<void> {
    const current = this.#status.status
    const isFatal = current === 'closed' && this.#status.error !== undefined
    if (current !== 'paused' && current !== 'reconnecting' && !isFatal) return
    // Start in the same task as the check, so two resumes at once cannot build two attempts.
    const stopped = this.#stopAttempt()
    const started = this.#start(current === 'reconnecting' ? 'reconnecting' : 'connecting', true)
    await Promise.all([stopped, started])
  }

  /** Final close: leaves every topic and closes the socket. */
  async close(): Promise<void> {
    this.#isClosed = true
    const stopped = this.#stopAttempt()
    this.topics.clear()
    this.sends.fail()
    this.#setStatus({ status: 'closed' })
    await stopped
  }

  async #start(status: 'connecting' | 'reconnecting', refresh: boolean): Promise<void> {
    const gen = ++this.#gen
    this.#setStatus(status === 'reconnecting' ? { ...this.#status, status } : { status })
    // A retry or resume asks a live tab for a fresh token first, so the attempt does not join with
    // an expired one (supabase-js #2613); a first start uses the token the tab just gave.
    if (refresh) await this.#refreshToken()
    if (gen !== this.#gen) return
    const attempt: TransportConnection<unknown> = this.#deps.transport.open({
      target: this.#deps.target, token: this.auth.tokens.opened(), memory: this.#memory,
      events: {
        open: () => { if (this.#attempt === attempt) this.#onOpen() },
        closed: (reason) => { if (this.#attempt === attempt) this.#onClosed(reason) },
      },
    })
    this.#attempt = attempt
    this.#attemptEnded = ended()
    const ms = this.#deps.connectTimeoutMs
    this.#retry.watchConnect(ms, () => {
      if (this.#attempt === attempt && !this.#isOpen) this.#onClosed({ kind: 'retry', error: { code: 'transport', message: `no connection within ${ms} ms; retrying` } })
    })
    for (const entry of this.topics.entries()) this.#open(entry)
  }

  /** Ends the current attempt, if any, and forgets its channels. */
  async #stopAttempt(): Promise<void> {
    this.#gen += 1
    this.#retry.cancel()
    const attempt = this.#attempt
    this.#attempt = null
    this.#attemptEnded.end()
    this.auth.tokens.closed()
    this.#isOpen = false
    for (const topic of this.topics.entries()) topic.detach()
    await attempt?.close().catch(() => undefined)
  }

  #open(entry: Topic): void {
    const attempt = this.#attempt
    if (!attempt || !this.topics.has(entry) || entry.channel) return
    let channel: TransportChannel | null = null
    const isCurrent = (): boolean => entry.isCurrent(channel)
    const routed = this.#router.handlers(entry, isCurrent, () => this.sends.joined(entry))
    const handlers: ChannelHandlers = { ...routed, status: this.auth.watch(routed.status, isCurrent) }
    channel = attempt.join(entry.key, entry.spec, handlers)
    entry.attach(channel)
  }

  #drop(entry: Topic): void {
    void entry.detach()?.close().catch(() => undefined)
  }

  #onOpen(): void {
    this.#isOpen = true
    this.#retry.opened()
    this.#setStatus({ status: 'open' })
  }

  /** The attempt ended: back off and open the next one (the hub's one retry policy). */
  #onClosed(reason: CloseReason): void {
    const error: WireError = reason.error
    if (reason.kind === 'unauthorized') this.auth.attemptRefused()
    void this.#stopAttempt()
    if (reason.kind === 'fatal') {
      this.#setStatus({ status: 'closed', error })
      return
    }
    const next = this.#retry.schedule(() => void this.#start('reconnecting', true), reason.retryAfterMs ?? 0)
    this.#setStatus({ status: 'reconnecting', attempt: next.attempt, retryAt: next.retryAt, error })
  }

  async #refreshToken(): Promise<void> {
    await this.auth.refresh().catch((error: unknown) => this.#setStatus({ ...this.#status, error: toWire(error) }))
  }

  // A retry that starts reports the status its schedule already reported: say each change once.
  #setStatus(event: StatusEvent): void {
    const isNew = JSON.stringify(event) !== JSON.stringify(this.#status)
    this.#status = event
    if (isNew && !this.#isClosed) this.#deps.status(event)
  }
}
