/**
 * One identity's connection to a server: the attempts of its transport, the topic table riding on
 * it, its status and token, and the pause/resume and retry policy. The hub keeps one per
 * (transport, endpoint, identity). Attempts come and go; the topics stay, and each new attempt
 * joins them all again (the router then reports `resync` to the tabs).
 */
import type { ChannelSnapshot, ChannelStatus, ConnectionTarget, Delivery, Json, Outgoing, SendResult, StatusEvent, Subscription, WireError } from '../src/contract/protocol.ts'
import type { Clock } from '../src/contract/clock.ts'
import { RelayError, toWire } from '../src/contract/errors.ts'
import { TopicTable, type TopicEntry } from './topics.ts'
import { ChannelRouter } from './router.ts'
import { PresenceKeeper } from './tracking.ts'
import { ended, RetryLoop, type AttemptEnd } from './retry.ts'
import { ConnectionAuth, TokenKeeper } from './auth.ts'
import { SendQueue, sendBytes, type SendQueueLimits } from './send-queue.ts'
import type { CloseReason, Transport, TransportChannel, TransportConnection } from './transports/transport.ts'

/** What a connection needs from the hub. */
export interface ConnectionDeps {
  target: ConnectionTarget
  transport: Transport
  clock: Clock
  random: () => number
  lingerMs: number
  /** A connection must stay up this long before the retry attempt count resets. */
  minUptimeMs: number
  /** How long a track waits for the channel to be joined. */
  joinWaitMs: number
  /** Bounds of the sends waiting for their topic to be joined. */
  sendQueue: SendQueueLimits
  /** How long an attempt may take to open before it counts as failed. */
  connectTimeoutMs: number
  /** How long a new token applied to joined channels is on trial before it counts as accepted. */
  tokenTrialMs: number
  deliver(tabId: string, delivery: Delivery): void
  status(event: StatusEvent): void
  /** Asks a live tab of this identity for a fresh token (its `accessToken()`). */
  askToken(): Promise<string | null>
}

/** A user's shared connection. */
export class Connection {
  readonly topics: TopicTable
  readonly #deps: ConnectionDeps
  readonly #router: ChannelRouter
  readonly #presence: PresenceKeeper
  readonly #retry: RetryLoop
  readonly #queue: SendQueue<TopicEntry>
  /** Survives attempts: a transport keeps resume state here (SSE last event ids). */
  readonly #memory = new Map<string, Json>()
  #attempt: TransportConnection<unknown> | null = null
  /** Settles when the current attempt ends: sends still waiting for their ack learn their fate. */
  #attemptEnded: AttemptEnd = ended()
  #gen = 0
  #isOpen = false
  #status: StatusEvent = { status: 'closed' }
  readonly #auth: ConnectionAuth

  constructor(deps: ConnectionDeps, token: string | null) {
    this.#deps = deps
    this.#router = new ChannelRouter(deps)
    this.#presence = new PresenceKeeper((entry) => this.#joined(entry))
    this.#retry = new RetryLoop(deps.clock, deps.random, deps.minUptimeMs)
    this.#queue = new SendQueue(deps.clock, deps.sendQueue)
    this.topics = new TopicTable({
      open: (entry) => this.#open(entry),
      respec: (entry) => { this.#drop(entry); this.#open(entry) },
      close: (entry) => { this.#queue.fail(entry.key); this.#drop(entry) },
    }, deps.transport, deps.clock, deps.lingerMs)
    const { transport } = deps
    const prefers = (offered: string | null, current: string | null): boolean => (transport.prefers ? transport.prefers(offered, current) : offered !== current)
    this.#auth = new ConnectionAuth(new TokenKeeper(token, prefers, deps.clock, deps.tokenTrialMs), {
      attempt: () => this.#attempt,
      isJoined: () => [...this.topics.entries()].some((entry) => entry.status === 'SUBSCRIBED' && entry.channel !== null),
      reopenRefused: () => { for (const entry of this.topics.entries()) if (entry.error?.code === 'unauthorized') { this.#drop(entry); this.#open(entry) } },
    })
  }

  get status(): StatusEvent {
    return this.#status
  }

  /** Number of open sockets or streams (0 or 1). */
  get sockets(): number {
    return this.#isOpen ? 1 : 0
  }

  /** Sends waiting for their topic to be joined. */
  get queuedSends(): number {
    return this.#queue.size
  }

  /** Opens the connection if it is not open yet: a tab's status means something from its hello on. */
  start(): void {
    if (this.#status.status === 'closed') this.#start('connecting', false)
  }

  /** Adds or updates a tab's channel and returns its state at once. */
  join(tabId: string, sub: Subscription): ChannelSnapshot {
    this.start()
    const entry = this.topics.add(tabId, sub)
    const snapshot: ChannelSnapshot = { status: entry.status, presence: entry.presence }
    if (entry.error) snapshot.error = entry.error
    const notice = this.#deps.transport.notice?.(entry.spec, sub)
    if (notice !== undefined) snapshot.notice = notice
    return snapshot
  }

  leave(tabId: string, subId: string): void {
    const entry = this.topics.find(tabId, subId)
    this.topics.remove(tabId, subId)
    if (entry && ![...entry.subs.values()].some((s) => s.tabId === tabId)) this.#presence.forgetTab(entry, tabId)
  }

  /** Forgets everything of a tab: its channels and its presence. */
  removeTab(tabId: string): void {
    for (const entry of this.topics.entries()) this.#presence.forgetTab(entry, tabId)
    this.topics.removeTab(tabId)
  }

  /**
   * Sends on a topic now when it is joined, else through the bounded send queue, flushed in order
   * once it is (after a reconnect too). Where the server does not echo to the sender (Supabase),
   * the topic's other channels here get it from the hub as it is written; where it does, from the server.
   */
  async send(tabId: string, subId: string, message: Outgoing): Promise<SendResult> {
    const entry = this.#entryOf(tabId, subId)
    const payload = message.payload ?? {}
    const { capabilities } = this.#deps.transport
    const ack = capabilities.acks && (message.ack ?? entry.subs.get(`${tabId}/${subId}`)?.sub.config.broadcast?.ack === true)
    const write = (target: TopicEntry): Promise<SendResult> => {
      if (!target.channel) return Promise.resolve('timed out')
      target.sent += 1
      if (!capabilities.echoesToSender) this.#router.echo(target, tabId, subId, message.event, payload)
      // A send whose ack is lost with its socket may or may not have reached the others: its fate
      // is unknown, which supabase-js reports as 'timed out' (never an error an app would retry on,
      // duplicating it). Without an ack it resolved 'ok' as soon as it was written.
      const { promise: lost } = this.#attemptEnded
      return Promise.race([target.channel.send(message.event, payload, ack), lost])
    }
    if (entry.status !== 'SUBSCRIBED' || !entry.channel) return this.#queue.push(entry.key, sendBytes(message.event, payload), write)
    // Whatever still waits for this topic goes first: order is kept per topic.
    this.#queue.flush(entry.key, entry)
    return write(entry)
  }

  /** Records a tab's presence; the newest track of any tab is what the server holds. */
  async track(tabId: string, subId: string, meta: { [key: string]: Json }): Promise<SendResult> {
    const entry = this.#entryOf(tabId, subId)
    this.#presence.record(entry, tabId, meta)
    // A track can enable presence on the topic: re-spec before the meta goes out.
    this.topics.refresh(entry)
    return this.#presence.apply(entry)
  }

  /** Withdraws a tab's track; another tab's newest track takes over, or the user is untracked. */
  async untrack(tabId: string, subId: string): Promise<SendResult> {
    return this.#presence.untrack(this.#entryOf(tabId, subId), tabId)
  }

  /** Offers a tab's token to this connection (see auth.ts: it may be refused). */
  offerToken(token: string | null): Promise<void> {
    return this.#auth.offer(token)
  }

  /** Closes the socket while nobody looks; channels stay registered for the resume. */
  async pause(): Promise<void> {
    if (this.#status.status === 'paused' || this.#status.status === 'closed') return
    // Status first, close after: a resume arriving while the socket closes must see 'paused'.
    const stopped = this.#stopAttempt()
    this.#setStatus({ status: 'paused' })
    await stopped
  }

  /**
   * Reconnects after a pause (or now, while reconnecting, or after a fatal close: the app's
   * "Retry" once it fixed the cause, e.g. a new token), with a token fresh from a live tab.
   */
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
    const stopped = this.#stopAttempt()
    this.topics.clear()
    this.#queue.fail()
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
      target: this.#deps.target, token: this.#auth.tokens.current, memory: this.#memory,
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
    this.#isOpen = false
    for (const entry of this.topics.entries()) { entry.channel = null; entry.status = 'joining' }
    await attempt?.close().catch(() => undefined)
  }

  #open(entry: TopicEntry): void {
    const attempt = this.#attempt
    if (!attempt || !this.topics.has(entry) || entry.channel) return
    entry.status = 'joining'
    let channel: TransportChannel | null = null
    const isCurrent = (): boolean => channel !== null && entry.channel === channel
    const routed = this.#router.handlers(entry, isCurrent, () => {
      this.#queue.flush(entry.key, entry)
      this.#presence.rejoined(entry)
    })
    const handlers = { ...routed, status: (status: ChannelStatus, error?: WireError) => { routed.status(status, error); if (isCurrent()) this.#auth.observe(status, error) } }
    channel = attempt.join(entry.key, entry.spec, handlers)
    entry.channel = channel
  }

  #drop(entry: TopicEntry): void {
    const channel = entry.channel
    entry.channel = null
    entry.status = 'joining'
    void channel?.close().catch(() => undefined)
  }

  #onOpen(): void {
    this.#isOpen = true
    this.#retry.opened()
    this.#setStatus({ status: 'open' })
  }

  /** The attempt ended: back off and open the next one (the hub's one retry policy). */
  #onClosed(reason: CloseReason): void {
    const error: WireError = reason.error
    void this.#stopAttempt()
    if (reason.kind === 'fatal') {
      this.#setStatus({ status: 'closed', error })
      return
    }
    const next = this.#retry.schedule(() => void this.#start('reconnecting', true), reason.retryAfterMs ?? 0)
    this.#setStatus({ status: 'reconnecting', attempt: next.attempt, retryAt: next.retryAt, error })
  }

  async #refreshToken(): Promise<void> {
    try {
      await this.offerToken(await this.#deps.askToken()).catch(() => undefined)
    } catch (error) {
      this.#setStatus({ ...this.#status, error: toWire(error) })
    }
  }

  #entryOf(tabId: string, subId: string): TopicEntry {
    const entry = this.topics.find(tabId, subId)
    if (!entry) throw new RelayError('bad-input', `channel ${subId} is not subscribed; call subscribe() first`)
    return entry
  }

  #joined(entry: TopicEntry): Promise<TransportChannel | null> {
    return this.#router.whenSubscribed(entry, this.#deps.joinWaitMs)
  }

  #setStatus(event: StatusEvent): void {
    this.#status = event
    this.#deps.status(event)
  }
}
