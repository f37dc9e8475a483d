/**
 * `createSharedRealtime()`: this tab's handle on the shared hub. It owns the channels, the status
 * and leader flags, the heartbeats, and recovers by itself when the worker dies or restarts.
 */
import { proxy, type Remote } from 'comlink'
import { Channel, type ChannelHost } from './channel.ts'
import { type Clock, systemClock, withTimeout } from './clock.ts'
import { holdTabLock, openHub, type HubLink, type HubWorker, type TabLock } from './connect.ts'
import { RelayError, toWire } from './errors.ts'
import { safely, type ChannelOptions, type SharedChannel } from './listen.ts'
import { watchPage, type PageWatch } from './page.ts'
import { checkTopic } from './validate.ts'
import { PROTOCOL_VERSION, type ConnectionStatus, type Delivery, type HeartbeatAck, type HubApi, type HubStats, type SendResult, type StatusEvent, type TabHello, type TabSink } from './protocol.ts'
import { checkOptions, closedError, isDataCloneError, randomId, type SharedRealtimeOptions, type Settings } from './options.ts'

/**
 * This tab's view of the shared connection, with supabase-js's channel API.
 * @example
 * const realtime = createSharedRealtime({ url, apikey, worker })
 * realtime.onStatus((status) => banner(status))
 */
export interface SharedRealtime {
  readonly status: ConnectionStatus
  readonly isLeader: boolean
  /** The hub worker's id, `''` until the first hello is answered. */
  readonly workerId: string
  /** Returns the channel of that topic, creating it when this tab has none, as supabase-js does. */
  channel(topic: string, options?: ChannelOptions): SharedChannel
  getChannels(): SharedChannel[]
  removeChannel(channel: SharedChannel): Promise<SendResult>
  removeAllChannels(): Promise<SendResult[]>
  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void
  onLeaderChange(listener: (isLeader: boolean) => void): () => void
  /** Gives the hub a token for this tab's identity; `null` moves this tab to anonymous. */
  setAuth(token: string | null): Promise<void>
  /** Asks the hub to reconnect now instead of waiting for its backoff. */
  reconnect(): Promise<void>
  stats(): Promise<HubStats>
  /** Leaves every channel and says bye; teardown calls afterwards are no-ops, all others reject `closed`. */
  close(): Promise<void>
}

interface Link extends HubLink {
  gen: number
}

/**
 * Connects this tab to the shared hub and returns its client; throws `bad-input` on bad options
 * and `unsupported` when `worker()` throws.
 * @example
 * const realtime = createSharedRealtime({
 *   url: 'http://127.0.0.1:54321', apikey: ANON_KEY, accessToken: async () => session?.access_token ?? null,
 *   worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
 * })
 */
export function createSharedRealtime(options: SharedRealtimeOptions): SharedRealtime {
  return new Realtime(checkOptions(options))
}

class Realtime implements SharedRealtime {
  #o: Settings
  #clock: Clock
  #tabId: string
  #lock: TabLock
  #page: PageWatch
  #host: ChannelHost
  #channels: Channel[] = []
  #link: Promise<Link> = new Promise(() => {})
  #live: Link | undefined
  #gen = 0
  #subSeq = 0
  #attempt = 0
  #status: ConnectionStatus = 'connecting'
  #isLeader = false
  #workerId = ''
  #token: string | null = null
  #isClosed = false
  #isHalted = false
  #isRecovering = false
  #stopTick: () => void = () => {}
  #statusListeners = new Set<(status: ConnectionStatus, detail: StatusEvent) => void>()
  #leaderListeners = new Set<(isLeader: boolean) => void>()

  constructor(settings: Settings) {
    this.#o = settings
    this.#clock = settings.clock ?? systemClock
    const opened = openHub(settings.worker)
    this.#tabId = settings.tabId ?? randomId()
    this.#lock = holdTabLock(`tabrelay-tab-${this.#tabId}`, settings.callTimeoutMs, this.#clock)
    this.#page = watchPage(() => this.#beat())
    this.#host = {
      call: (what, fn) => (this.#isClosed ? Promise.reject(closedError(what)) : this.#call(what, fn)),
      nextSubId: () => `${++this.#subSeq}`,
      isClosed: () => this.#isClosed,
    }
    this.#start(opened)
    this.#tick()
  }

  get status(): ConnectionStatus { return this.#status }
  get isLeader(): boolean { return this.#isLeader }
  get workerId(): string { return this.#workerId }

  channel(topic: string, options: ChannelOptions = {}): SharedChannel {
    if (this.#isClosed) throw closedError('channel')
    const name = checkTopic(topic)
    if (typeof options !== 'object' || options === null) throw new RelayError('bad-input', `channel('${name}', options): options must be an object such as { config: {} }`)
    const existing = this.#channels.find((c) => c.subTopic === name)
    if (existing) return existing
    const created = new Channel(this.#host, name, options.config ?? {})
    this.#channels.push(created)
    return created
  }

  getChannels(): SharedChannel[] {
    return [...this.#channels]
  }

  async removeChannel(channel: SharedChannel): Promise<SendResult> {
    const index = this.#channels.findIndex((c) => c === channel)
    const [removed] = index < 0 ? [] : this.#channels.splice(index, 1)
    return removed ? removed.unsubscribe() : 'ok'
  }

  async removeAllChannels(): Promise<SendResult[]> {
    return Promise.all([...this.#channels].map((c) => this.removeChannel(c)))
  }

  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void {
    this.#statusListeners.add(listener)
    return () => { this.#statusListeners.delete(listener) }
  }

  onLeaderChange(listener: (isLeader: boolean) => void): () => void {
    this.#leaderListeners.add(listener)
    return () => { this.#leaderListeners.delete(listener) }
  }

  async setAuth(token: string | null): Promise<void> {
    if (token !== null && typeof token !== 'string') throw new RelayError('bad-input', 'setAuth() takes a JWT string, or null for anonymous')
    this.#token = token
    return this.#host.call('setAuth', (hub) => hub.setAuth(token))
  }

  async reconnect(): Promise<void> {
    return this.#host.call('reconnect', (hub) => hub.reconnect())
  }

  async stats(): Promise<HubStats> {
    return this.#host.call('stats', (hub) => hub.stats())
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#stopTick()
    this.#page.stop()
    const subIds = this.#channels.map((c) => c.drop()).filter((id) => id !== '')
    this.#channels = []
    this.#setStatus({ status: 'closed' })
    const link = this.#live
    if (link) {
      await Promise.allSettled(subIds.map((id) => this.#call('leave', (hub) => hub.leave(id), link)))
      await this.#call('bye', (hub) => hub.bye(), link).catch(() => undefined)
      link.release()
    } else {
      this.#link.then((late) => late.release(), () => undefined)
    }
    this.#lock.release()
  }

  #call<T>(what: string, fn: (hub: Remote<HubApi>) => Promise<T>, link?: Link): Promise<T> {
    let gen = this.#gen
    const run = (l: Link): Promise<T> => { gen = l.gen; return fn(l.hub) }
    const attempt = link ? new Promise<T>((resolve) => resolve(run(link))) : this.#link.then(run)
    return withTimeout(attempt, this.#o.callTimeoutMs, what, this.#clock).catch((error: unknown) => {
      if (isDataCloneError(error)) throw new RelayError('bad-input', `${what}(): the data cannot be structured-cloned; pass plain JSON`)
      // A call with no answer may mean a dead worker: check now rather than at the next heartbeat.
      if (error instanceof RelayError && error.code === 'timeout' && gen === this.#gen) this.#beat()
      throw error
    })
  }

  /** Opens one generation: hello, then (when recovering) rejoin; older generations are ignored. */
  #start(opened: HubLink): void {
    const gen = ++this.#gen
    const isRecovery = gen > 1
    this.#live = undefined
    this.#link = this.#hello(opened, gen).then((link) => {
      if (gen === this.#gen && !this.#isClosed) {
        this.#live = link
        this.#isRecovering = false
        this.#attempt = 0
        if (isRecovery) for (const c of this.#channels) c.rejoin((what, fn) => this.#call(what, fn, link))
      }
      return link
    })
    this.#link.catch((error: unknown) => { if (gen === this.#gen) this.#lost(error) })
  }

  async #hello(opened: HubLink, gen: number): Promise<Link> {
    await this.#lock.held
    const token = await this.#freshToken()
    const sink = proxy(this.#sink(gen))
    const welcome = await withTimeout(opened.hub.hello(this.#helloData(token), sink), this.#o.callTimeoutMs, 'hello', this.#clock)
    if (welcome.protocol !== PROTOCOL_VERSION) {
      opened.release()
      throw new RelayError('version-mismatch', `this tab speaks protocol ${PROTOCOL_VERSION}, the worker ${welcome.protocol}: name the SharedWorker with workerName() so each version gets its own worker, then reload`)
    }
    if (gen === this.#gen) {
      this.#workerId = welcome.workerId
      this.#setLeader(welcome.isLeader)
      this.#setStatus(welcome.status)
    }
    return { ...opened, gen }
  }

  #helloData(token: string | null): TabHello {
    const { url, apikey, pauseWhenHiddenMs, heartbeatIntervalMs, lingerMs } = this.#o
    const lockName = `tabrelay-tab-${this.#tabId}`
    return { tabId: this.#tabId, protocol: PROTOCOL_VERSION, url, apikey, token, ...this.#page.read(), lockName, pauseWhenHiddenMs, heartbeatIntervalMs, lingerMs }
  }

  #sink(gen: number): TabSink {
    const isCurrent = () => gen === this.#gen && !this.#isClosed
    return {
      deliver: (batch) => { if (isCurrent()) this.#deliver(batch) },
      status: (event) => { if (isCurrent()) this.#setStatus(event) },
      leader: (isLeader) => { if (isCurrent()) this.#setLeader(isLeader) },
      token: () => this.#freshToken(),
    }
  }

  #deliver(batch: Delivery[]): void {
    for (const delivery of batch) {
      for (const c of this.#channels) if (c.subId !== '' && delivery.subIds.includes(c.subId)) c.receive(delivery)
    }
  }

  #tick(): void {
    this.#stopTick = this.#clock.setTimeout(() => { this.#beat(); this.#tick() }, this.#o.heartbeatIntervalMs)
  }

  /** Reports visibility and checks the worker: a new workerId, `known: false` or silence mean recover. */
  #beat(): void {
    const link = this.#live
    if (!link || this.#isClosed) return
    const beat = this.#page.read()
    withTimeout(link.hub.heartbeat(beat), 2 * this.#o.heartbeatIntervalMs, 'heartbeat', this.#clock).then(
      (ack) => { if (link.gen === this.#gen) this.#acked(ack) },
      (error: unknown) => { if (link.gen === this.#gen) this.#recover(error) },
    )
  }

  #acked(ack: HeartbeatAck): void {
    if (ack.workerId !== this.#workerId || !ack.known) {
      this.#recover(new RelayError('transport', `the hub worker restarted (${this.#workerId} → ${ack.workerId}); reconnecting this tab`))
    } else {
      this.#setLeader(ack.isLeader)
    }
  }

  #lost(error: unknown): void {
    if (error instanceof RelayError && error.code === 'version-mismatch') {
      this.#isHalted = true
      this.#stopTick()
      this.#setStatus({ status: 'closed', error: toWire(error) })
    } else {
      this.#isRecovering = false
      this.#recover(error)
    }
  }

  /** Idempotent: one recovery at a time; re-creates the worker connection and rejoins every channel. */
  #recover(error: unknown): void {
    if (this.#isClosed || this.#isHalted || this.#isRecovering) return
    this.#isRecovering = true
    this.#attempt++
    this.#live?.release()
    this.#setStatus({ status: 'reconnecting', attempt: this.#attempt, error: toWire(error) })
    try {
      this.#start(openHub(this.#o.worker))
    } catch (failure) {
      // worker() threw this time: try again later rather than spin.
      this.#clock.setTimeout(() => { this.#isRecovering = false; this.#recover(failure) }, this.#o.heartbeatIntervalMs)
    }
  }

  async #freshToken(): Promise<string | null> {
    const source = this.#o.accessToken
    if (!source) return this.#token
    try {
      const token = await withTimeout(Promise.resolve().then(source), this.#o.callTimeoutMs, 'accessToken()', this.#clock)
      if (token === null || typeof token === 'string') this.#token = token
    } catch {
      // Keep the last token: the hub keeps the freshest one it has seen for this identity.
    }
    return this.#token
  }

  #setStatus(event: StatusEvent): void {
    const isNew = event.status !== this.#status || event.status === 'reconnecting'
    this.#status = event.status
    if (event.status !== 'open') for (const c of this.#channels) c.forgetStatus()
    if (isNew) for (const listener of [...this.#statusListeners]) safely(() => listener(event.status, event), undefined)
  }

  #setLeader(isLeader: boolean): void {
    if (isLeader === this.#isLeader) return
    this.#isLeader = isLeader
    for (const listener of [...this.#leaderListeners]) safely(() => listener(isLeader), undefined)
  }
}
