/**
 * One user's connection: a transport, the topic table riding on it, its status, its token, and the
 * pause/resume and reconnect policy. The hub keeps one per (url, apikey, user).
 */
import type { ChannelSnapshot, Delivery, Json, Outgoing, SendResult, StatusEvent, Subscription, WireError } from '../src/contract/protocol.ts'
import type { Clock } from '../src/contract/clock.ts'
import { RelayError, toWire } from '../src/contract/errors.ts'
import { backoff } from './backoff.ts'
import { claimsOf } from './identity.ts'
import { TopicTable, type TopicEntry } from './topics.ts'
import { ChannelRouter } from './router.ts'
import { PresenceKeeper } from './tracking.ts'
import type { Transport, TransportChannel, TransportFactory } from './transports/transport.ts'

/** What a connection needs from the hub. */
export interface ConnectionDeps {
  url: string
  apikey: string
  transport: TransportFactory
  clock: Clock
  random: () => number
  lingerMs: number
  /** A connection must stay up this long before the reconnect attempt count resets. */
  minUptimeMs: number
  /** How long a send/track waits for the channel to be joined. */
  joinWaitMs: number
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
  #transport: Transport | null = null
  #ready: Promise<void> = Promise.resolve()
  #status: StatusEvent = { status: 'closed' }
  #token: { value: string | null; exp: number } = { value: null, exp: -1 }
  #attempt = 0
  #openedAt: number | null = null
  #lastError: WireError | undefined
  readonly #presence: PresenceKeeper

  constructor(deps: ConnectionDeps, token: string | null) {
    this.#deps = deps
    this.#router = new ChannelRouter(deps)
    this.#presence = new PresenceKeeper((entry) => this.#joined(entry))
    this.topics = new TopicTable({
      open: (entry) => this.#open(entry),
      respec: (entry) => { this.#drop(entry); this.#open(entry) },
      close: (entry) => this.#drop(entry),
    }, deps.clock, deps.lingerMs)
    // After the table exists: offerToken walks it.
    this.offerToken(token)
  }

  get status(): StatusEvent {
    return this.#status
  }

  /** Number of open sockets (0 or 1). */
  get sockets(): number {
    return this.#transport?.isOpen() === true ? 1 : 0
  }

  /** Opens the socket if it is not open yet: a tab's status means something from its hello on. */
  start(): void {
    if (this.#status.status === 'closed') this.#start('connecting', false)
  }

  /** Adds or updates a tab's channel and returns its state at once. */
  join(tabId: string, sub: Subscription): ChannelSnapshot {
    this.start()
    const entry = this.topics.add(tabId, sub)
    const snapshot: ChannelSnapshot = { status: entry.status, presence: entry.presence }
    if (entry.error) snapshot.error = entry.error
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

  /** Sends a broadcast: echoed to the topic's other channels here, then to the server. */
  async send(tabId: string, subId: string, message: Outgoing): Promise<SendResult> {
    const entry = this.#entryOf(tabId, subId)
    const channel = await this.#joined(entry)
    if (!channel) return 'timed out'
    this.#router.echo(entry, tabId, subId, message.event, message.payload ?? {})
    const ack = entry.subs.get(`${tabId}/${subId}`)?.sub.config.broadcast?.ack === true
    return channel.send(message.event, message.payload ?? {}, ack)
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

  /** Keeps the freshest token (latest `exp`) and applies it without reconnecting. */
  offerToken(token: string | null): void {
    const exp = token === null ? -1 : claimsOf(token).exp ?? Number.MAX_SAFE_INTEGER
    if (token === this.#token.value || exp < this.#token.exp) return
    this.#token = { value: token, exp }
    const transport = this.#transport
    if (transport) this.#ready = this.#ready.then(() => transport.setAuth(token)).catch(() => undefined)
    for (const entry of this.topics.entries()) {
      // A channel shut down for its token gets another chance with the fresher one.
      if (entry.error?.code === 'unauthorized' && transport) { this.#drop(entry); this.#open(entry) }
    }
  }

  /** Closes the socket while nobody looks; channels stay registered for the resume. */
  async pause(): Promise<void> {
    if (this.#status.status === 'paused' || this.#status.status === 'closed') return
    // Status first, close after: a resume arriving while the socket closes must see 'paused'.
    const stopped = this.#stopTransport()
    this.#setStatus({ status: 'paused' })
    await stopped
  }

  /** Reconnects after a pause (or now, while reconnecting), with a token fresh from a live tab. */
  async resume(): Promise<void> {
    const current = this.#status.status
    if (current !== 'paused' && current !== 'reconnecting') return
    // Start in the same task as the check, so two resumes at once cannot build two transports.
    const stopped = this.#stopTransport()
    this.#start(current === 'paused' ? 'connecting' : 'reconnecting', true)
    await stopped
  }

  /** Final close: leaves every topic and closes the socket. */
  async close(): Promise<void> {
    await this.#stopTransport()
    this.topics.clear()
    this.#setStatus({ status: 'closed' })
  }

  #start(status: 'connecting' | 'reconnecting', refresh: boolean): void {
    const transport = this.#deps.transport({
      url: this.#deps.url,
      apikey: this.#deps.apikey,
      token: this.#token.value,
      accessToken: async () => this.#token.value,
      nextRetryDelayMs: () => this.#nextRetry(transport),
      events: {
        open: () => { if (this.#transport === transport) this.#onOpen() },
        closed: (error) => { if (this.#transport === transport) this.#onClosed(error) },
      },
    })
    this.#transport = transport
    this.#setStatus(status === 'reconnecting' ? { ...this.#status, status } : { status })
    // Trap 8: realtime-js joins without a token unless setAuth finished first. A first start uses
    // the token the tab just gave; a resume or retry asks a live tab first (supabase-js #2613).
    const refreshed = refresh ? this.#refreshToken() : Promise.resolve()
    this.#ready = refreshed.then(() => transport.setAuth(this.#token.value)).catch(() => undefined)
    transport.connect()
    for (const entry of this.topics.entries()) this.#open(entry)
  }

  async #stopTransport(): Promise<void> {
    const transport = this.#transport
    this.#transport = null
    this.#openedAt = null
    for (const entry of this.topics.entries()) { entry.channel = null; entry.status = 'joining' }
    await transport?.close()
  }

  #open(entry: TopicEntry): void {
    const transport = this.#transport
    if (!transport) return
    entry.status = 'joining'
    void this.#ready.then(() => {
      if (this.#transport !== transport || !this.topics.has(entry) || entry.channel) return
      let channel: TransportChannel | null = null
      const handlers = this.#router.handlers(entry, () => channel !== null && entry.channel === channel, () => this.#presence.rejoined(entry))
      channel = transport.channel(entry.spec, handlers)
      entry.channel = channel
    })
  }

  #drop(entry: TopicEntry): void {
    const channel = entry.channel
    entry.channel = null
    entry.status = 'joining'
    void channel?.close().catch(() => undefined)
  }

  #onOpen(): void {
    this.#openedAt = this.#deps.clock.now()
    this.#lastError = undefined
    this.#setStatus({ status: 'open' })
  }

  #onClosed(error: WireError): void {
    const uptime = this.#openedAt === null ? 0 : this.#deps.clock.now() - this.#openedAt
    if (uptime >= this.#deps.minUptimeMs) this.#attempt = 0
    this.#openedAt = null
    this.#lastError = error
    // Ask a live tab for a fresh token now, so realtime-js's rejoin (which awaits a pending
    // setAuth) does not rejoin with an expired one (supabase-js issue 2613).
    const transport = this.#transport
    this.#ready = this.#refreshToken().then(() => transport?.setAuth(this.#token.value)).catch(() => undefined)
  }

  #nextRetry(transport: Transport): number {
    this.#attempt += 1
    const delayMs = backoff(this.#attempt, this.#deps.random)
    if (this.#transport === transport) {
      const event: StatusEvent = { status: 'reconnecting', attempt: this.#attempt, retryAt: this.#deps.clock.now() + delayMs }
      if (this.#lastError) event.error = this.#lastError
      this.#setStatus(event)
    }
    return delayMs
  }

  async #refreshToken(): Promise<void> {
    try {
      this.offerToken(await this.#deps.askToken())
    } catch (error) {
      this.#lastError = toWire(error)
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
