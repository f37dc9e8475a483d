/**
 * `createRelay()`: the transport-neutral tab client. Topics, events, sends, connection status,
 * leader, stats — for any transport the worker serves (a plain WebSocket, SSE, Supabase).
 */
import type { UpdateInfo } from './deploy.ts'
import { RelayError } from '../contract/errors.ts'
import { checkTopic } from '../contract/validate.ts'
import type { ConnectionStatus, HubInspection, HubStats, StatusEvent } from '../contract/protocol.ts'
import { HubClient } from './client.ts'
import { HubView } from './hub-view.ts'
import { checkClientOptions, closedError, type ClientOptions } from './options.ts'
import { RelayTopic, type Topic, type TopicOptions } from './topic.ts'

/**
 * What `createRelay()` takes: which connection (transport, endpoint, identity) and the timing.
 * @example
 * createRelay({ transport: 'inbox', endpoint: 'wss://example.com/ws/inbox/', worker, accessToken })
 */
export interface RelayOptions extends ClientOptions {
  /** The transport's name in the worker's `serveHub({ transports })`. */
  transport: string
  /** The server's address, as the worker's transport understands it. */
  endpoint: string
  /** Transport-specific settings that are part of the connection's identity. */
  params?: { [key: string]: string }
  /** The user, for apps that authenticate by cookie: tabs of different identities never share a connection. */
  identity?: string | null
}

/**
 * This tab's handle on the shared connection.
 * @example
 * const relay = createRelay({ transport: 'inbox', endpoint, worker })
 * relay.onStatus((status, detail) => banner(status, detail.retryAt))
 */
export interface Relay {
  readonly status: ConnectionStatus
  readonly isLeader: boolean
  /** The hub worker's id, `''` until the first hello is answered. */
  readonly workerId: string
  /** This tab's topic of that name (the same one until it is closed); joins at once. */
  topic(name: string, options?: TopicOptions): Topic
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
  /** A new token, and with cookie auth maybe a new identity (sign-in, sign-out, switch of user). */
  setAuth(token: string | null, identity?: string | null): Promise<void>
  /** Retries now instead of waiting for the backoff ("Retry now"). */
  reconnect(): Promise<void>
  stats(): Promise<HubStats>
  /** The hub as this tab's user sees it, for `tabrelay/devtools`: tabs, connection, topics, journal after `since`. */
  inspect(since?: number): Promise<HubInspection>
  /** Leaves every topic and says bye; later calls reject `closed`. */
  close(): Promise<void>
}

function bad(message: string): RelayError {
  return new RelayError('bad-input', `createRelay(): ${message}`)
}

/**
 * Connects this tab to the shared hub.
 * @example
 * const relay = createRelay({
 *   transport: 'inbox', endpoint: 'ws://127.0.0.1:8000/ws/inbox/', accessToken: () => session.token,
 *   worker: () => new SharedWorker(new URL('./relay.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
 * })
 * relay.topic('conversation:42').on('TEXT', (msg) => show(msg))
 */
export function createRelay(options: RelayOptions): Relay {
  if (typeof options !== 'object' || options === null) throw bad('pass { transport, endpoint, worker }')
  if (typeof options.transport !== 'string' || options.transport === '') throw bad("transport must be the transport's name in serveHub({ transports })")
  if (typeof options.endpoint !== 'string' || options.endpoint === '') throw bad('endpoint must be the server address')
  const params = options.params ?? {}
  if (typeof params !== 'object' || params === null || Object.values(params).some((v) => typeof v !== 'string')) throw bad('params must be an object of strings')
  const identity = options.identity ?? null
  if (identity !== null && (typeof identity !== 'string' || identity === '')) throw bad('identity must be a non-empty string, or null')
  const target = { transport: options.transport, endpoint: options.endpoint, params: { ...params }, identity }
  return new RelayClient(new HubClient(checkClientOptions(options, target, 'createRelay'), 'createRelay'))
}

class RelayClient extends HubView implements Relay {
  readonly #client: HubClient
  readonly #topics = new Map<string, RelayTopic>()

  constructor(client: HubClient) {
    super(client)
    this.#client = client
  }

  topic(name: string, options: TopicOptions = {}): Topic {
    if (this.#client.isClosed()) throw closedError('topic', 'createRelay')
    if (typeof name !== 'string' || name === '') throw new RelayError('bad-input', `topic(name): name must be a non-empty string such as 'conversation:42'`)
    checkTopic(name, this.#client.transport)
    if (typeof options !== 'object' || options === null) throw new RelayError('bad-input', `topic('${name}', options): options must be an object such as { self: true }`)
    const existing = this.#topics.get(name)
    if (existing) return existing
    const created = new RelayTopic(this.#client, name, options, (topic) => {
      if (this.#topics.get(name) === topic) this.#topics.delete(name)
      this.#client.remove(topic)
    })
    this.#topics.set(name, created)
    this.#client.add(created)
    return created
  }

  setAuth(token: string | null, identity?: string | null): Promise<void> {
    return this.#client.setAuth(token, identity)
  }

  reconnect(): Promise<void> {
    return this.#client.reconnect()
  }

  stats(): Promise<HubStats> {
    return this.#client.stats()
  }

  inspect(since?: number): Promise<HubInspection> {
    return this.#client.inspect(since)
  }

  async close(): Promise<void> {
    if (this.#client.isClosed()) return
    const subIds = [...this.#topics.values()].map((t) => t.drop()).filter((id) => id !== '')
    this.#topics.clear()
    await this.#client.close(subIds)
  }
}
