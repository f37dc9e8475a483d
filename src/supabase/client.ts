/**
 * `createSharedRealtime()`: supabase-js's realtime API (`channel()`, `removeChannel()`, …) for
 * this tab, over the adapter-neutral {@link HubClient}.
 */
import type { UpdateInfo } from '../core/deploy.ts'
import { RelayError } from '../contract/errors.ts'
import type { ConnectionStatus, HubInspection, HubStats, SendResult, StatusEvent } from '../contract/protocol.ts'
import { checkTopic } from '../contract/validate.ts'
import { HubClient } from '../core/client.ts'
import { HubView } from '../core/hub-view.ts'
import { closedError } from '../core/options.ts'
import { Channel } from './channel.ts'
import type { ChannelOptions, SharedChannel } from './types.ts'
import { checkOptions, type SharedRealtimeOptions } from './options.ts'

/** Three base64url segments, the signature possibly empty (an unsigned JWT): what a JWT looks like. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/

const REALTIME_TOPIC_BYTES = 255 - 'realtime:'.length

/**
 * realtime-js's socket states, as `connectionState()` reports them.
 * @example
 * if (realtime.connectionState() === 'open') showOnline()
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed'

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
  /**
   * `update-available`: a newer deploy of the app runs in another tab. `moved: true` = this tab's
   * realtime already rides on the newer deploy's worker (still one connection); `false` = it
   * cannot (another protocol), so the user has two until this tab reloads: offer a reload.
   */
  onUpdateAvailable(listener: (info: UpdateInfo) => void): () => void
  /** What `onUpdateAvailable` last said, `null` while no newer deploy is known. */
  readonly updateAvailable: UpdateInfo | null
  /**
   * Gives the hub a token for this tab's identity; `null` moves this tab to anonymous; no
   * argument asks `accessToken()` again, as supabase-js does.
   */
  setAuth(token?: string | null): Promise<void>
  /** Whether this user's shared connection is open. */
  isConnected(): boolean
  connectionState(): ConnectionState
  /**
   * Joins this tab's channels again after `disconnect()`; while connected, asks the hub to retry
   * now. The shared connection belongs to every tab of the user, so this tab cannot open or close
   * it for the others.
   */
  connect(): void
  /** Leaves this tab's channels (kept in `getChannels()` for `connect()`); the other tabs keep theirs. */
  disconnect(): Promise<void>
  /** Asks the hub to reconnect now instead of waiting for its backoff. */
  reconnect(): Promise<void>
  stats(): Promise<HubStats>
  /** The hub as this tab's user sees it, for `tabrelay/devtools`: tabs, connection, topics, journal after `since`. */
  inspect(since?: number): Promise<HubInspection>
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

class Realtime extends HubView implements SharedRealtime {
  readonly #client: HubClient
  #channels: Channel[] = []
  #parked: Channel[] = []
  readonly #list = {
    left: (channel: Channel): void => { this.#channels = this.#channels.filter((c) => c !== channel) },
    rejoined: (channel: Channel): void => {
      // An app may subscribe() a channel again after unsubscribe(): it is listed again unless a
      // fresh channel of the topic took its place.
      if (!this.#channels.includes(channel) && !this.#channels.some((c) => c.subTopic === channel.subTopic)) this.#channels.push(channel)
    },
  }

  constructor(options: SharedRealtimeOptions) {
    const client = new HubClient(checkOptions(options), 'createSharedRealtime')
    super(client)
    this.#client = client
  }

  channel(topic: string, options: ChannelOptions = {}): SharedChannel {
    if (this.#client.isClosed()) throw closedError('channel', 'createSharedRealtime')
    // Before the hub's welcome names the transport's limit, realtime-js's own applies: this adapter
    // speaks to Supabase, whose binary frames hold `realtime:<topic>` in a 255-byte field.
    const name = checkTopic(topic, this.#client.transport ?? { maxTopicBytes: REALTIME_TOPIC_BYTES })
    if (typeof options !== 'object' || options === null) {
      throw new RelayError('bad-input', `channel('${name}', options): options must be an object such as { config: {} }`)
    }
    const existing = this.#channels.find((c) => c.subTopic === name)
    if (existing) return existing
    const created = new Channel(this.#client, this.#list, name, options.config ?? {})
    this.#channels.push(created)
    this.#client.add(created)
    return created
  }

  getChannels(): SharedChannel[] {
    return [...this.#channels]
  }

  async removeChannel(channel: SharedChannel): Promise<SendResult> {
    const index = this.#channels.findIndex((c) => c === channel)
    const [removed] = index < 0 ? [] : this.#channels.splice(index, 1)
    const parked = this.#parked.find((c) => c === channel)
    this.#parked = this.#parked.filter((c) => c !== channel)
    const target = removed ?? parked
    if (!target) return 'ok'
    const result = await target.unsubscribe()
    this.#client.remove(target)
    return result
  }

  async removeAllChannels(): Promise<SendResult[]> {
    return Promise.all([...this.#channels].map((c) => this.removeChannel(c)))
  }

  async setAuth(token?: string | null): Promise<void> {
    // Supabase Realtime reads a JWT (header.payload.signature). Anything else would only be
    // refused later by the server as a channel error, with sends left waiting: say so here.
    if (typeof token === 'string' && !JWT_SHAPE.test(token)) {
      throw new RelayError('unauthorized', "setAuth(token): Supabase Realtime takes a JWT (header.payload.signature, such as session.access_token); this token is not one, so the connection keeps its current token")
    }
    return token === undefined ? this.#client.refreshAuth() : this.#client.setAuth(token)
  }

  isConnected(): boolean {
    return this.#client.status === 'open'
  }

  connectionState(): ConnectionState {
    const status = this.#client.status
    if (status === 'open') return 'open'
    return status === 'connecting' || status === 'reconnecting' ? 'connecting' : 'closed'
  }

  connect(): void {
    if (this.#client.isClosed()) throw closedError('connect', 'createSharedRealtime')
    const parked = this.#parked
    this.#parked = []
    for (const channel of parked) channel.subscribe()
    if (parked.length === 0 && this.#client.status !== 'open') void this.#client.reconnect().catch(() => undefined)
  }

  async disconnect(): Promise<void> {
    const joined = this.#channels.filter((c) => c.state !== 'closed')
    this.#parked.push(...joined)
    await Promise.all(joined.map((c) => c.unsubscribe()))
    // Still listed, as in supabase-js, where disconnect() keeps the channels for connect().
    for (const channel of joined) this.#list.rejoined(channel)
  }

  async reconnect(): Promise<void> {
    return this.#client.reconnect()
  }

  async stats(): Promise<HubStats> {
    return this.#client.stats()
  }

  inspect(since?: number): Promise<HubInspection> {
    return this.#client.inspect(since)
  }

  async close(): Promise<void> {
    if (this.#client.isClosed()) return
    const subIds = this.#channels.map((c) => c.drop()).filter((id) => id !== '')
    this.#channels = []
    await this.#client.close(subIds)
  }
}
