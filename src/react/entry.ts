/**
 * One channel as every hook of one client sees it: the ONE owner of its snapshot (state, error,
 * the client's channel), its presence snapshot, and the routes from the client's listeners to the
 * hooks' handlers. However many components listen to an event, the client holds one listener.
 */
import { RelayError } from '../contract/errors.ts'
import type { Json, PresenceState, SendOutcome, SendResult } from '../contract/protocol.ts'
import type { ChannelState } from '../core/membership.ts'
import { safely } from '../core/safely.ts'
import { openBackend, type Backend, type ChannelHookOptions, type Dispatch, type Listen, type RawChannel, type RealtimeClient } from './backend.ts'

/**
 * A channel's state as hooks render it; a new object on every change (for `useSyncExternalStore`).
 * @example
 * const { state, error, channel } = useChannel('room:1')
 */
export interface ChannelSnapshot {
  /** The topic, `null` when the hook was told to skip. */
  readonly name: string | null
  /** `'joining'` on the server and before the first effect; `'closed'` when skipped. */
  readonly state: ChannelState
  readonly error: Error | undefined
  /** The client's own channel; `null` on the server, before the first effect, or when skipped. */
  readonly channel: RawChannel | null
}

interface Route {
  listen: Listen
  dispatch: Dispatch
  handlers: Set<Dispatch>
  /** Removes the client's listener; `null` when the client cannot (it then stays until the channel goes). */
  off: (() => void) | null
}

const EMPTY_PRESENCE: PresenceState = Object.freeze({})

function routeKey(listen: Listen): string {
  return listen.type === 'broadcast' ? `broadcast:${listen.event}` : listen.type
}

/**
 * The shared state of one channel of one client; made and ended by the registry only.
 * @example
 * const entry = new ChannelEntry(client, 'room:1', {}); const off = entry.on({ type: 'presence' }, notify)
 */
export class ChannelEntry {
  readonly name: string
  #backend: Backend | null = null
  readonly #ready: Promise<Backend | null>
  #isClosed = false
  readonly #routes = new Map<string, Route>()
  readonly #watchers = new Set<() => void>()
  #snapshot: ChannelSnapshot
  #presence: PresenceState = EMPTY_PRESENCE
  #error: Error | undefined

  constructor(client: RealtimeClient, name: string, options: ChannelHookOptions) {
    this.name = name
    this.#snapshot = { name, state: 'joining', error: undefined, channel: null }
    // Opened a microtask later: every hook of the same commit has added its listener by then, so
    // the first join carries all their bindings (presence on at once, not a second server join).
    this.#ready = Promise.resolve().then(() => this.#open(client, options))
  }

  get snapshot(): ChannelSnapshot {
    return this.#snapshot
  }

  get presence(): PresenceState {
    return this.#presence
  }

  /** Calls `notify` on every change of the snapshot or the presence. */
  watch(notify: () => void): () => void {
    this.#watchers.add(notify)
    return () => { this.#watchers.delete(notify) }
  }

  /** Routes what the client delivers for `listen` to `handler`; returns the removal. */
  on(listen: Listen, handler: Dispatch): () => void {
    const key = routeKey(listen)
    let route = this.#routes.get(key)
    if (!route) {
      const handlers = new Set<Dispatch>()
      const dispatch: Dispatch = (value, message) => {
        if (listen.type === 'presence') this.#refreshPresence()
        // One component's throwing handler must not keep the others from the event.
        for (const h of [...handlers]) safely(() => h(value, message), undefined)
      }
      route = { listen, dispatch, handlers, off: null }
      this.#routes.set(key, route)
      if (this.#backend) this.#attach(this.#backend, route)
    }
    const current = route
    current.handlers.add(handler)
    return () => {
      current.handlers.delete(handler)
      // A client listener that cannot be removed stays, and the route with it, until the channel goes.
      if (current.handlers.size > 0 || (this.#backend !== null && current.off === null)) return
      current.off?.()
      this.#routes.delete(key)
    }
  }

  async send(event: string, payload?: Json): Promise<SendOutcome> {
    return (await this.#usable('send')).send(event, payload)
  }

  async track(meta: { [key: string]: Json }): Promise<SendResult> {
    return (await this.#usable('track')).track(meta)
  }

  async untrack(): Promise<SendResult> {
    return (await this.#usable('untrack')).untrack()
  }

  /** Leaves the channel on the client; the registry calls it after the linger. */
  async close(): Promise<SendResult> {
    this.#isClosed = true
    this.#routes.clear()
    this.#watchers.clear()
    const backend = await this.#ready
    return backend ? backend.close() : 'ok'
  }

  #open(client: RealtimeClient, options: ChannelHookOptions): Backend | null {
    if (this.#isClosed) return null
    try {
      this.#backend = openBackend(client, this.name, options, (error) => this.#changed(error))
    } catch (error) {
      // A closed client or a bad topic: the hook renders the error instead of throwing in an effect.
      this.#error = error instanceof Error ? error : new RelayError('bad-input', String(error))
    }
    const backend = this.#backend
    if (backend) {
      for (const route of this.#routes.values()) this.#attach(backend, route)
      backend.start()
    }
    this.#changed(this.#error)
    return backend
  }

  #attach(backend: Backend, route: Route): void {
    route.off = backend.listen(route.listen, route.dispatch)
    if (route.listen.type === 'presence') this.#refreshPresence()
  }

  async #usable(what: string): Promise<Backend> {
    const backend = await this.#ready
    if (backend && !this.#isClosed) return backend
    throw this.#error ?? new RelayError('closed', `${what}() on '${this.name}': the channel is closed`)
  }

  #changed(error?: Error): void {
    this.#error = error
    const next = this.#build()
    if (next.state === this.#snapshot.state && next.error === this.#snapshot.error && next.channel === this.#snapshot.channel) return
    this.#snapshot = next
    this.#notify()
  }

  #refreshPresence(): void {
    const state = this.#backend?.presence() ?? EMPTY_PRESENCE
    // presenceState() returns a fresh copy each call; keep the old object when nothing changed so
    // useSyncExternalStore does not re-render (or loop) for an equal snapshot.
    if (JSON.stringify(state) === JSON.stringify(this.#presence)) return
    this.#presence = state
    this.#notify()
  }

  #build(): ChannelSnapshot {
    const backend = this.#backend
    if (!backend) return { name: this.name, state: this.#error ? 'errored' : 'joining', error: this.#error, channel: null }
    return { name: this.name, state: backend.state, error: this.#error, channel: backend.raw }
  }

  #notify(): void {
    for (const notify of [...this.#watchers]) notify()
  }
}
