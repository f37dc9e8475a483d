/**
 * One connection attempt to Supabase Realtime through the unmodified realtime-js client (the one
 * supabase-js uses): a RealtimeClient whose own reconnect timer never fires. When its socket
 * closes, the attempt reports it once and tears the client down; the hub backs off and opens the
 * next attempt, rejoining every topic there.
 */
import type { IdentityClaim } from '../../connection/claims.ts'
import { RealtimeClient } from '@supabase/realtime-js'
import type { OpenOptions, TransportChannel, TransportConnection, ChannelHandlers } from '../transport.ts'
import { SupabaseChannel } from './channel.ts'
import { closeReason } from './errors.ts'
import { probeUpgrade, type Fetch } from './probe.ts'
import type { SupabaseSpec } from './spec.ts'

/** Options of the Supabase transport. */
export interface SupabaseTransportOptions {
  /** The JWT claim(s) naming the user (see worker/claims.ts); default `'sub'`, as Supabase Auth writes it. */
  identityClaim?: IdentityClaim
  /** WebSocket constructor; the worker's global one by default, `ws` in Node. */
  WebSocket?: typeof WebSocket
  heartbeatIntervalMs?: number
  timeoutMs?: number
  /** For the probe after a socket that never opened; the global `fetch` by default. */
  fetch?: Fetch
  /**
   * The most messages a re-join asks Supabase to replay (Broadcast Replay); the server returns at
   * most 25 whatever is asked, so a larger value is only for servers that allow more. Default 25.
   */
  replayLimit?: number
}

// The longest delay a timer takes (2^31-1 ms): realtime-js's own retry must never fire.
const NEVER_MS = 2 ** 31 - 1

interface SocketObserver {
  isDone: boolean
  hasOpened: boolean
  options: OpenOptions
}

// realtime-js has no public open/close hooks, so the socket class it constructs reports them.
function observedSocket(Base: typeof WebSocket, observer: SocketObserver, onClose: (event: CloseEvent) => void): typeof WebSocket {
  return class ObservedSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('open', () => {
        observer.hasOpened = true
        if (!observer.isDone) observer.options.events.open()
      })
      this.addEventListener('close', (event: CloseEvent) => { if (!observer.isDone) onClose(event) })
    }
  }
}

/**
 * One RealtimeClient, used for one socket's life.
 * @example
 * const attempt = new SupabaseAttempt({ target, token, memory, events }, {})   // supabaseTransport().open(...)
 * const channel = attempt.join('realtime:room', spec, handlers)
 */
export class SupabaseAttempt implements TransportConnection<SupabaseSpec> {
  readonly #client: RealtimeClient
  readonly #observer: SocketObserver
  readonly #channels = new Set<SupabaseChannel>()
  readonly #replayLimit: number | undefined
  #ready: Promise<void>

  constructor(options: OpenOptions, extra: SupabaseTransportOptions) {
    this.#observer = { isDone: false, hasOpened: false, options }
    this.#replayLimit = extra.replayLimit
    const Base = extra.WebSocket ?? globalThis.WebSocket
    const apikey = options.target.params['apikey'] ?? ''
    const fetcher: Fetch = extra.fetch ?? ((url, init) => globalThis.fetch(url, init))
    this.#client = new RealtimeClient(`${options.target.endpoint.replace(/^http/, 'ws').replace(/\/$/, '')}/realtime/v1`, {
      params: { apikey },
      transport: observedSocket(Base, this.#observer, (event) => void this.#closed(event, apikey, fetcher)),
      // `worker: true` needs a nested Worker; a SharedWorker's timers are not throttled anyway.
      worker: false,
      heartbeatIntervalMs: extra.heartbeatIntervalMs ?? 25_000,
      timeout: extra.timeoutMs ?? 10_000,
      // The hub owns retry: this client never reconnects by itself (one client per attempt).
      reconnectAfterMs: () => NEVER_MS,
      // Hub channels come and go with tabs; the hub decides when the socket closes.
      disconnectOnEmptyChannelsAfterMs: NEVER_MS,
    })
    // realtime-js joins without a token unless setAuth finished first (supabase-js #2613), so
    // every join waits for it.
    this.#ready = this.#client.setAuth(options.token).catch(() => undefined)
    this.#client.connect()
  }

  join(_key: string, spec: SupabaseSpec, handlers: ChannelHandlers): TransportChannel {
    const channel = new SupabaseChannel(this.#client, spec, handlers, this.#ready, (c) => this.#channels.delete(c), this.#replayLimit)
    this.#channels.add(channel)
    return channel
  }

  async setAuth(token: string | null): Promise<void> {
    const applied = this.#ready.then(() => this.#client.setAuth(token))
    this.#ready = applied.catch(() => undefined)
    await applied
  }

  async close(): Promise<void> {
    this.#observer.isDone = true
    await this.#teardown()
  }

  /** The socket closed by itself: report why once (after asking the server if it never opened). */
  async #closed(event: CloseEvent, apikey: string, fetcher: Fetch): Promise<void> {
    void this.#teardown()
    const { options } = this.#observer
    const reason = this.#observer.hasOpened
      ? closeReason(event.code, event.reason)
      : await probeUpgrade(options.target.endpoint, apikey, event.code, event.reason, fetcher)
    // The hub may have closed the attempt while the probe ran: then nothing is reported.
    if (this.#observer.isDone) return
    this.#observer.isDone = true
    options.events.closed(reason)
  }

  async #teardown(): Promise<void> {
    for (const channel of this.#channels) channel.drop()
    this.#channels.clear()
    await this.#client.disconnect()
  }
}
