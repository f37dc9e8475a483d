/**
 * `createSharedRealtime()`: this tab's handle on the shared hub. It owns the channels and the
 * status and leader flags; the connection itself (heartbeats, recovery) lives in `link.ts`.
 */
import { Channel, type ChannelHost, type Invoke } from './channel.ts'
import { systemClock } from '../contract/clock.ts'
import { RelayError } from '../contract/errors.ts'
import { HubConnection } from '../core/session.ts'
import { safely, type ChannelOptions, type SharedChannel } from './listen.ts'
import { checkOptions, closedError, type SharedRealtimeOptions } from '../core/options.ts'
import type { ConnectionStatus, Delivery, HubStats, SendResult, StatusEvent } from '../contract/protocol.ts'
import { checkTopic } from '../contract/validate.ts'

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
  /** Returns this tab's channel of that topic, creating it if there is none, as supabase-js does. */
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

/**
 * Connects this tab to the shared hub and returns its client; throws `bad-input` on bad options
 * and `unsupported` when `worker()` throws.
 * @example
 * const realtime = createSharedRealtime({
 *   url: 'http://127.0.0.1:54321', apikey: ANON_KEY, accessToken: async () => session?.access_token ?? null,
 *   // extendedLifetime (Chromium 148+) keeps the socket through a reload of the only tab.
 *   worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url),
 *     { type: 'module', name: workerName(), extendedLifetime: true } as WorkerOptions),
 * })
 */
export function createSharedRealtime(options: SharedRealtimeOptions): SharedRealtime {
  return new Realtime(options)
}

class Realtime implements SharedRealtime {
  #link: HubConnection
  #host: ChannelHost
  #channels: Channel[] = []
  #subSeq = 0
  #status: ConnectionStatus = 'connecting'
  #isLeader = false
  #isClosed = false
  #statusListeners = new Set<(status: ConnectionStatus, detail: StatusEvent) => void>()
  #leaderListeners = new Set<(isLeader: boolean) => void>()

  constructor(options: SharedRealtimeOptions) {
    const settings = checkOptions(options)
    this.#link = new HubConnection(settings, {
      deliver: (batch) => this.#deliver(batch),
      status: (event) => this.#setStatus(event),
      leader: (isLeader) => this.#setLeader(isLeader),
      rejoin: (call) => this.#rejoin(call),
    })
    this.#host = {
      call: (what, fn) => (this.#isClosed ? Promise.reject(closedError(what)) : this.#link.call(what, fn)),
      nextSubId: () => `${++this.#subSeq}`,
      isClosed: () => this.#isClosed,
      now: () => (settings.clock ?? systemClock).now(),
    }
  }

  get status(): ConnectionStatus { return this.#status }
  get isLeader(): boolean { return this.#isLeader }
  get workerId(): string { return this.#link.workerId }

  channel(topic: string, options: ChannelOptions = {}): SharedChannel {
    if (this.#isClosed) throw closedError('channel')
    const name = checkTopic(topic)
    if (typeof options !== 'object' || options === null) {
      throw new RelayError('bad-input', `channel('${name}', options): options must be an object such as { config: {} }`)
    }
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
    if (!this.#isClosed) this.#link.setToken(token)
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
    const subIds = this.#channels.map((c) => c.drop()).filter((id) => id !== '')
    this.#channels = []
    this.#setStatus({ status: 'closed' })
    await this.#link.close(subIds)
  }

  #deliver(batch: Delivery[]): void {
    for (const delivery of batch) {
      for (const c of this.#channels) if (c.subId !== '' && delivery.subIds.includes(c.subId)) c.receive(delivery)
    }
  }

  #rejoin(call: Invoke): void {
    for (const c of this.#channels) c.rejoin(call)
  }

  #setStatus(event: StatusEvent): void {
    const isNew = event.status !== this.#status || event.status === 'reconnecting'
    this.#status = event.status
    // Once the connection drops, the next SUBSCRIBED is a new transition, as in supabase-js.
    if (event.status !== 'open') for (const c of this.#channels) c.forgetStatus()
    if (isNew) for (const listener of [...this.#statusListeners]) safely(() => listener(event.status, event), undefined)
  }

  #setLeader(isLeader: boolean): void {
    if (isLeader === this.#isLeader) return
    this.#isLeader = isLeader
    for (const listener of [...this.#leaderListeners]) safely(() => listener(isLeader), undefined)
  }
}
