/**
 * Supabase Realtime through the unmodified realtime-js client (the one supabase-js uses). One
 * RealtimeClient per identity; reconnects follow the hub's backoff, not realtime-js's table.
 */
import { RealtimeClient, type RealtimeChannel } from '@supabase/realtime-js'
import type { Json, PresenceState, SendResult, WireError } from '../../src/contract/protocol.ts'
import { bindingKey } from '../../src/contract/bindings.ts'
import type { ChannelHandlers, ChannelSpec, Transport, TransportChannel, TransportFactory, TransportOptions } from './transport.ts'
import { channelError, systemError } from './errors.ts'

/** Options of the Supabase transport beyond the hub's. */
export interface SupabaseTransportOptions {
  /** WebSocket constructor; the worker's global one by default, `ws` in Node. */
  WebSocket?: typeof WebSocket
  heartbeatIntervalMs?: number
  timeoutMs?: number
}

interface SocketObserver {
  isClosing: boolean
  options: TransportOptions
}

// realtime-js has no public open/close hooks, so the socket class it constructs reports them.
function observedSocket(Base: typeof WebSocket, observer: SocketObserver): typeof WebSocket {
  return class ObservedSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('open', () => { if (!observer.isClosing) observer.options.events.open() })
      this.addEventListener('close', (event: CloseEvent) => {
        if (observer.isClosing) return
        const reason = event.reason ? `: ${event.reason}` : ''
        observer.options.events.closed({ code: 'transport', message: `socket closed (${event.code}${reason})` })
      })
    }
  }
}

function listen(channel: RealtimeChannel, spec: ChannelSpec, handlers: ChannelHandlers): void {
  // One server message fires every matching binding synchronously with the same payload object;
  // gather them into one delivery. Several messages can arrive in one task (Node's ws): a new
  // payload object, or any other event, flushes the group first, so arrival order is kept.
  let pending: { keys: string[]; payload: Json } | null = null
  const flush = (): void => {
    const group = pending
    pending = null
    if (group !== null) handlers.postgres(group.keys, group.payload)
  }
  for (const filter of spec.postgres) {
    const key = bindingKey(filter)
    channel.on('postgres_changes', { ...filter }, (payload: Json) => {
      if (pending !== null && pending.payload !== payload) flush()
      if (pending === null) {
        pending = { keys: [], payload }
        queueMicrotask(flush)
      }
      pending.keys.push(key)
    })
  }
  channel.on('broadcast', { event: '*' }, (message: { event: string; payload: Json; meta?: Json }) => {
    flush()
    handlers.broadcast(message.event, message.payload, message.meta)
  })
  // Server `system` messages: postgres_changes readiness, and the error that precedes a shutdown
  // (expired token …), which the status callback needs to report CHANNEL_ERROR with its cause.
  channel.on('system', {}, (payload: Json) => { flush(); handlers.system(payload) })
  if (!spec.hasPresence) return
  const state = (): PresenceState => channel.presenceState() as PresenceState
  channel.on('presence', { event: 'sync' }, () => { flush(); handlers.presence('sync', { state: state() }) })
  channel.on('presence', { event: 'join' }, (p: { key: string; currentPresences: Json[]; newPresences: Json[] }) => {
    flush()
    handlers.presence('join', { key: p.key, state: state(), current: p.currentPresences, joined: p.newPresences })
  })
  channel.on('presence', { event: 'leave' }, (p: { key: string; currentPresences: Json[]; leftPresences: Json[] }) => {
    flush()
    handlers.presence('leave', { key: p.key, state: state(), current: p.currentPresences, left: p.leftPresences })
  })
}

class SupabaseChannel implements TransportChannel {
  readonly #client: RealtimeClient
  readonly #channel: RealtimeChannel
  #isClosed = false

  readonly #release: (channel: SupabaseChannel) => void

  constructor(client: RealtimeClient, spec: ChannelSpec, handlers: ChannelHandlers, release: (channel: SupabaseChannel) => void) {
    this.#client = client
    this.#release = release
    this.#channel = client.channel(spec.topic, {
      config: {
        // The hub echoes to local tabs itself and answers un-acked sends at once.
        broadcast: { self: false, ack: true },
        presence: { key: spec.presenceKey, enabled: spec.hasPresence },
        private: spec.isPrivate,
      },
    })
    let lastSystemError: WireError | undefined
    const guarded: ChannelHandlers = {
      ...handlers,
      system: (payload) => {
        lastSystemError = systemError(payload) ?? lastSystemError
        if (!this.#isClosed) handlers.system(payload)
      },
    }
    listen(this.#channel, spec, guarded)
    this.#channel.subscribe((status, err) => {
      if (this.#isClosed) return
      // A server shutdown (expired token …) arrives as `system` error + CLOSED: report why.
      if (status === 'CLOSED' && lastSystemError) handlers.status('CHANNEL_ERROR', lastSystemError)
      else handlers.status(status, err ? channelError(err) : undefined)
    })
  }

  send(event: string, payload: Json, ack: boolean): Promise<SendResult> {
    const sent = this.#channel.send({ type: 'broadcast', event, payload })
    return ack ? (sent as Promise<SendResult>) : Promise.resolve('ok')
  }

  track(meta: { [key: string]: Json }): Promise<SendResult> {
    return this.#channel.track(meta) as Promise<SendResult>
  }

  untrack(): Promise<SendResult> {
    return this.#channel.untrack() as Promise<SendResult>
  }

  presenceState(): PresenceState {
    return this.#channel.presenceState() as PresenceState
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#release(this)
    await this.#client.removeChannel(this.#channel)
  }

  /** Stops timers without talking to the server: the socket is going away anyway. */
  drop(): void {
    this.#isClosed = true
    this.#channel.teardown()
  }
}

class SupabaseTransport implements Transport {
  readonly #client: RealtimeClient
  readonly #observer: SocketObserver
  readonly #channels = new Set<SupabaseChannel>()

  constructor(options: TransportOptions, extra: SupabaseTransportOptions) {
    this.#observer = { isClosing: false, options }
    const Base = extra.WebSocket ?? globalThis.WebSocket
    this.#client = new RealtimeClient(`${options.url.replace(/^http/, 'ws').replace(/\/$/, '')}/realtime/v1`, {
      params: { apikey: options.apikey },
      transport: observedSocket(Base, this.#observer),
      // Trap 9: `worker: true` needs a nested Worker; a SharedWorker's timers are not throttled.
      worker: false,
      heartbeatIntervalMs: extra.heartbeatIntervalMs ?? 25_000,
      timeout: extra.timeoutMs ?? 10_000,
      accessToken: () => options.accessToken(),
      reconnectAfterMs: () => options.nextRetryDelayMs(),
      // Hub channels come and go with tabs; the hub decides when the socket closes.
      disconnectOnEmptyChannelsAfterMs: 2 ** 31 - 1,
    })
  }

  connect(): void {
    this.#client.connect()
  }

  async setAuth(token: string | null): Promise<void> {
    // Trap 8: the join must carry the token, so the hub awaits this before joining.
    await this.#client.setAuth(token)
  }

  channel(spec: ChannelSpec, handlers: ChannelHandlers): TransportChannel {
    const channel = new SupabaseChannel(this.#client, spec, handlers, (c) => this.#channels.delete(c))
    this.#channels.add(channel)
    return channel
  }

  isOpen(): boolean {
    return this.#client.isConnected()
  }

  async close(): Promise<void> {
    this.#observer.isClosing = true
    for (const channel of this.#channels) channel.drop()
    this.#channels.clear()
    await this.#client.disconnect()
  }
}

/**
 * A {@link TransportFactory} for Supabase Realtime.
 * @example
 * serveHub({ transport: supabaseTransport() })
 */
export function supabaseTransport(extra: SupabaseTransportOptions = {}): TransportFactory {
  return (options) => new SupabaseTransport(options, extra)
}
