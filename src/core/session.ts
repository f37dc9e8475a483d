/**
 * One tab's connection to the hub across worker restarts: hello, heartbeats, call timeouts, and
 * recovery (new worker connection, hello, rejoin), guarded by a generation counter so callbacks
 * of an older connection are dropped (Phoenix's `connectClock`).
 */
import type { Invoke } from './membership.ts'
import { type Clock, systemClock, withTimeout } from '../contract/clock.ts'
import type { HubLink } from '../hosts/worker.ts'
import { openHost, type HubHost } from '../hosts/strategy.ts'
import { holdTabLock, type TabLock } from './lock.ts'
import { TokenSource } from './token-source.ts'
import { RelayError, toWire } from '../contract/errors.ts'
import { randomId } from '../contract/ids.ts'
import type { Settings } from './options.ts'
import { PAGE_LOADED_AT, watchPage, type PageWatch } from './page.ts'
import { PROTOCOL_VERSION, type ConnectionTarget, type Heartbeat, type HeartbeatAck, type HubApi, type HubOffer, type TabHello, type TransportInfo, type Welcome } from '../contract/protocol.ts'
import { FATAL, serveSink, type Link, type LinkEvents } from './session-events.ts'
import type { DeployMover } from './deploy.ts'
import { HubCalls } from './calls.ts'

/**
 * The tab's session with the hub; `call()` is the only way to the hub.
 * @example
 * const session = new HubSession(settings, events); await session.calls.run('stats', (hub) => hub.stats())
 */
export class HubSession {
  #o: Settings
  #events: LinkEvents
  #clock: Clock
  #tabId: string
  #lock: TabLock
  #host: HubHost
  #page: PageWatch
  #link: Promise<Link> = new Promise(() => {})
  /** Where calls go: the link once hello is posted (first hello) or answered (after recovery). */
  #sent: Promise<Link> = new Promise(() => {})
  #live: Link | undefined
  /** The newest worker connection, answered or not (a goodbye goes there, right behind a hello). */
  #opened: HubLink | undefined
  /** The current generation; `#genSeq` hands out new ones (a move's hello runs beside the current). */
  #gen = 0
  #genSeq = 0
  #attempt = 0
  #workerId = ''
  #transport: TransportInfo | null = null
  #target: ConnectionTarget
  readonly #tokens: TokenSource
  /** Loaded with the first offer of a newer deploy (its own chunk: most tabs never see one); `#moved` once loaded. */
  #mover: Promise<DeployMover> | null = null
  #moved: DeployMover | null = null
  readonly #calls: HubCalls
  /** Counts setAuth() calls: a move's hello that named the user before one is said again. */
  #authSeq = 0
  #isStopped = false
  #isRecovering = false
  #stopTick: () => void = () => {}

  constructor(settings: Settings, events: LinkEvents) {
    this.#o = settings
    this.#events = events
    this.#clock = settings.clock ?? systemClock
    this.#tokens = new TokenSource(settings.accessToken, settings.callTimeoutMs, this.#clock, (error) => this.#events.problem(error))
    this.#target = settings.target
    this.#calls = new HubCalls({ gen: () => this.#gen, sent: () => this.#sent, answered: () => this.#link, timeoutMs: settings.callTimeoutMs, clock: this.#clock, unanswered: () => this.#beat() })
    this.#host = openHost({ worker: settings.worker, host: settings.host, hostEnv: settings.hostEnv, startTimeoutMs: settings.callTimeoutMs, clock: this.#clock })
    const opened = this.#host.open()
    this.#tabId = settings.tabId ?? randomId()
    this.#lock = holdTabLock(`tabrelay-tab-${this.#tabId}`, settings.callTimeoutMs, this.#clock)
    this.#page = watchPage(() => this.#beat(), () => this.#leave())
    this.#start(opened)
    this.#tick()
  }

  get workerId(): string { return this.#workerId }
  /** The target transport's capabilities, once a hub answered. */
  get transport(): TransportInfo | null { return this.#transport }

  /** Remembers what `setAuth()` gave: the token for `token()` without a callback, the identity for later hellos. */
  setAuth(token: string | null, identity?: string | null): void {
    this.#authSeq += 1
    this.#tokens.set(token)
    if (identity !== undefined) this.#target = { ...this.#target, identity }
  }

  /** The calls to the hub, on the current worker connection, each failing with `timeout` after `callTimeoutMs`. */
  get calls(): HubCalls { return this.#calls }

  /** Leaves `subIds`, says bye and lets go of the worker and the tab lock; best effort, bounded. */
  async close(subIds: string[]): Promise<void> {
    // Calls still waiting get their answer now, not at their timeout.
    this.#calls.abandon(new RelayError('closed', 'the realtime client was closed while this call was in flight'))
    this.#stop()
    this.#page.stop()
    const link = this.#live
    if (link) {
      await Promise.allSettled(subIds.map((id) => this.#calls.run('leave', (hub) => hub.leave(id), link)))
      await this.#calls.run('bye', (hub) => hub.bye(), link).catch(() => undefined)
      link.release()
    } else {
      this.#link.then((late) => late.release(), () => undefined)
    }
    this.#lock.release()
    this.#host.close()
  }

  /** The page is going away (not into the back/forward cache): bye now, on the newest connection. */
  #leave(): void {
    const opened = this.#opened
    if (!opened || this.#isStopped) return
    void opened.hub.bye().catch(() => undefined)
  }

  #stop(): void {
    this.#isStopped = true
    this.#stopTick()
  }

  #start(opened: HubLink): void {
    this.#opened = opened
    const gen = ++this.#genSeq
    this.#gen = gen
    this.#live = undefined
    // The host may know before any heartbeat that this hub is gone (a tab host closed).
    void opened.lost?.then((error) => this.#linkLost(gen, error))
    const said = this.#hello(opened, gen)
    this.#link = said.then(async ({ link, welcome }) => { this.#welcomed(await welcome, link); return link }).then((link) => {
      if (gen === this.#gen && !this.#isStopped) {
        this.#live = link
        this.#isRecovering = false
        this.#attempt = 0
        // The lock came after hello went out: tell this worker now, not at the next heartbeat.
        if (!link.hadLock) void this.#lock.held.then(() => { if (this.#lock.isHeld()) this.#beat() })
        if (gen > 1) this.#events.rejoin((what, fn) => this.#calls.run(what, fn, link))
      }
      return link
    })
    this.#link.catch((error: unknown) => {
      // A refused or unanswered hello leaves this connection unused: let go of it, or each retry
      // leaks a port and, as a fallback Worker, a hub that may answer late and open a socket.
      opened.release()
      if (gen === this.#gen) this.#lost(error)
    })
    // The first hello is pipelined (a port's messages are handled in order): the first joins go
    // right behind it, not a round trip later. After a recovery, calls wait for the rejoin first.
    this.#sent = gen === 1 ? said.then(({ link }) => link) : this.#link
    this.#sent.catch(() => undefined)
  }

  /** Posts hello; resolves once it is on its way, with the answer still to come. */
  async #hello(opened: HubLink, gen: number): Promise<{ link: Link; welcome: Promise<Welcome> }> {
    // No waiting for the tab lock: hello says whether it is held, a heartbeat says so once it is.
    // Read a microtask later, not while the client is being created: a setAuth() the app makes right
    // after creating it (same task) is then in this hello, and the hub does not open an anonymous
    // connection for the tab first only to move it (unit test "puts a setAuth() made right after…").
    const token = await Promise.resolve().then(() => this.freshToken())
    // The sink lives on the hub's own endpoint: nothing to transfer (a tab host's address works too).
    const isCurrent = (): boolean => gen === this.#gen && !this.#isStopped
    const heard = { status: false, leader: false }
    serveSink(opened.endpoint, isCurrent, this.#events, () => this.freshToken(), (offer) => this.#offered(offer), heard)
    const hello = this.#helloData(token)
    // A worker script that failed to load (404, wrong MIME type) says so through its `error`
    // event; without it the hello would only time out.
    const welcome = Promise.race([withTimeout(opened.hub.hello(hello), this.#o.callTimeoutMs, 'hello', this.#clock), opened.failed ?? new Promise<never>(() => {})])
    return { link: { ...opened, gen, hadLock: hello.hasLock, heard }, welcome }
  }

  #welcomed(welcome: Welcome, link: Link): void {
    if (welcome.protocol !== PROTOCOL_VERSION) {
      link.release()
      throw new RelayError('version-mismatch', `this tab speaks protocol ${PROTOCOL_VERSION}, the worker ${welcome.protocol}: name the SharedWorker with workerName() so each version gets its own worker, then reload`)
    }
    if (link.gen === this.#gen) {
      this.#workerId = welcome.workerId
      this.#transport = welcome.transport
      if (!link.heard.leader) this.#events.leader(welcome.isLeader)
      if (!link.heard.status) this.#events.status(welcome.status)
      if (welcome.moveTo) this.#offered(welcome.moveTo)
    }
  }

  /** A newer deploy's hub runs: hello there while this hub still serves the tab, then switch. */
  #offered(offer: HubOffer): void {
    const { deployWorker, acceptDeploy } = this.#o
    this.#mover ??= import('./deploy.ts').then(({ DeployMover }) => new DeployMover(deployWorker, (info) => this.#events.update(info), acceptDeploy))
    void this.#mover.then((mover) => { this.#moved = mover; this.#offeredTo(mover, offer) })
  }

  #offeredTo(mover: DeployMover, offer: HubOffer): void {
    const opened = this.#isStopped ? null : mover.open(offer, this.#host.kind)
    if (!opened) return
    const [from, auth] = [this.#gen, this.#authSeq]
    const isGone = (): boolean => this.#isStopped || this.#gen !== from
    this.#hello(opened, ++this.#genSeq).then(async ({ link, welcome }) => {
      const answer = await welcome
      if (isGone() || this.#authSeq !== auth || answer.protocol !== PROTOCOL_VERSION) throw new RelayError('transport', 'this tab reconnected, closed or changed user meanwhile')
      this.#adopt(link, answer)
      mover.moved(offer)
    }).catch((error: unknown) => {
      void opened.hub.bye().catch(() => undefined)
      opened.release()
      const again = isGone() || this.#authSeq !== auth ? mover.dropped(offer) : mover.failed(offer, error)
      // After a setAuth() that hello named the old user: say it again, as the new one.
      const next = again ?? (!isGone() && this.#authSeq !== auth ? offer : null)
      if (next) this.#offeredTo(mover, next)
    })
  }

  /** Switches to a link whose hello was answered; the previous hub gets bye once it answered the rest. */
  #adopt(link: Link, welcome: Welcome): void {
    const previous = this.#opened
    this.#gen = link.gen
    this.#opened = this.#live = link
    this.#link = this.#sent = Promise.resolve(link)
    void link.lost?.then((error) => this.#linkLost(link.gen, error))
    this.#welcomed(welcome, link)
    if (!link.hadLock) void this.#lock.held.then(() => { if (this.#lock.isHeld()) this.#beat() })
    // Joins (and a resync for what fell between the hubs) go out before any queued call.
    this.#events.rejoin((what, fn) => this.#calls.run(what, fn, link))
    if (!previous) return
    // The old hub answers what it got before bye first; what is left unanswered has an unknown fate.
    void withTimeout(previous.hub.bye(), this.#o.callTimeoutMs, 'bye', this.#clock).catch(() => undefined).finally(() => {
      this.#calls.abandon()
      previous.release()
    })
  }

  #beatData(): Heartbeat {
    return { ...this.#page.read(), hasLock: this.#lock.isHeld() }
  }

  #helloData(token: string | null): TabHello {
    const { pauseWhenHiddenMs, heartbeatIntervalMs, lingerMs } = this.#o
    const lockName = `tabrelay-tab-${this.#tabId}`
    return { tabId: this.#tabId, protocol: PROTOCOL_VERSION, target: this.#target, token, ...this.#beatData(), lockName, pauseWhenHiddenMs, heartbeatIntervalMs, lingerMs, loadedAt: PAGE_LOADED_AT }
  }

  #tick(): void {
    this.#stopTick = this.#clock.setTimeout(() => { this.#beat(); this.#tick() }, this.#o.heartbeatIntervalMs)
  }

  /** Reports visibility and checks the worker: a new workerId, `known: false` or silence mean recover. */
  #beat(): void {
    const link = this.#live
    if (!link || this.#isStopped) return
    withTimeout(link.hub.heartbeat(this.#beatData()), 2 * this.#o.heartbeatIntervalMs, 'heartbeat', this.#clock).then(
      (ack) => { if (link.gen === this.#gen) this.#acked(ack) },
      (error: unknown) => { if (link.gen === this.#gen) this.#recover(error) },
    )
  }

  #acked(ack: HeartbeatAck): void {
    if (ack.workerId !== this.#workerId || !ack.known) {
      this.#recover(new RelayError('transport', `the hub worker restarted (${this.#workerId} → ${ack.workerId}); reconnecting this tab`))
    } else {
      this.#events.leader(ack.isLeader)
    }
  }

  /** Hello failed: stop for good on errors a retry cannot fix, else retry after a pause. */
  #lost(error: unknown): void {
    if (error instanceof RelayError && FATAL.has(error.code)) {
      this.#stop()
      this.#events.status({ status: 'closed', error: toWire(error) })
    } else {
      this.#retryLater(error)
    }
  }

  /** Idempotent: one recovery at a time; a new worker connection, hello, then rejoin. */
  #recover(error: unknown): void {
    if (this.#isStopped || this.#isRecovering) return
    this.#isRecovering = true
    this.#live?.release()
    this.#events.status({ status: 'reconnecting', attempt: ++this.#attempt, error: toWire(error) })
    try {
      // After a move, the newer deploy's hub is where this tab belongs, not the app's worker URL.
      this.#start(this.#moved?.reopen() ?? this.#host.open(error))
      this.#calls.abandon()
    } catch (failure) {
      this.#retryLater(failure)
    }
  }

  /** The host reported this link's hub gone: recover now, even while an earlier recovery waits. */
  #linkLost(gen: number, error: RelayError): void {
    if (gen !== this.#gen || this.#isStopped) return
    this.#isRecovering = false
    this.#recover(error)
  }

  /** A worker that fails at once (or a factory that throws) must not be hammered in a tight loop. */
  #retryLater(error: unknown): void {
    this.#isRecovering = true
    this.#clock.setTimeout(() => { this.#isRecovering = false; this.#recover(error) }, this.#o.heartbeatIntervalMs)
  }

  /** The hub asks before it resumes or rejoins: the callback's token, else the last `setAuth()` one. */
  freshToken(): Promise<string | null> { return this.#tokens.fresh() }
}
