/**
 * A tab's channel: local listeners plus a {@link Subscription} the hub joins on the shared
 * connection. Deliveries come back through the client's single sink and are routed here.
 */
import type { Remote } from 'comlink'
import { bindingKey, eventMatches, systemMatches } from '../contract/bindings.ts'
import { fromWire, RelayError } from '../contract/errors.ts'
import type { Binding, ChannelConfig, ChannelSnapshot, ChannelStatus, Delivery, HubApi, Json, PresenceState, SendResult, Subscription, WireError } from '../contract/protocol.ts'
import { checkMeta, checkOutgoing, isJson } from '../contract/validate.ts'
import type { ChannelState, Listener, SharedChannel, SubscribeCallback } from './listen.ts'
import { checkListener, presencePayload, safely } from './listen.ts'

/**
 * Runs one call against the hub with the client's timeout and error mapping.
 * @example
 * const snapshot = await call('join', (hub) => hub.join(sub))
 */
export type Invoke = <T>(what: string, fn: (hub: Remote<HubApi>) => Promise<T>) => Promise<T>

/**
 * What a channel needs from the client that made it.
 * @example
 * new Channel({ call, nextSubId: () => `${++seq}`, isClosed: () => false }, 'room:1', {})
 */
export interface ChannelHost {
  call: Invoke
  nextSubId(): string
  isClosed(): boolean
  /** The client's clock, for a rejoin's resync `since`; `Date.now()` without it. */
  now?(): number
}

const STATE_OF: Record<ChannelStatus, ChannelState> = {
  SUBSCRIBED: 'joined', CHANNEL_ERROR: 'errored', TIMED_OUT: 'errored', CLOSED: 'closed',
}

/**
 * The channel implementation behind {@link SharedChannel}; created by `realtime.channel()`.
 * @example
 * const room = realtime.channel('room:1').on('broadcast', { event: '*' }, console.log).subscribe()
 */
export class Channel implements SharedChannel {
  readonly topic: string
  readonly subTopic: string
  #host: ChannelHost
  #config: ChannelConfig
  #listeners: Listener[] = []
  #state: ChannelState = 'closed'
  #subId = ''
  #joinSeq = 0
  #joined: Promise<void> = Promise.resolve()
  #isUpdateQueued = false
  #onStatus: SubscribeCallback | undefined
  #lastStatus: ChannelStatus | undefined
  #presence: PresenceState = {}
  /** When this channel last got an event (or first subscribed); `null` before it ever did. */
  #since: number | null = null
  #isResyncDue = false
  /** What the app last tracked here, sent again after a rejoin on a new hub. */
  #tracked: { [key: string]: Json } | null = null

  constructor(host: ChannelHost, subTopic: string, config: ChannelConfig) {
    if (!isJson(config)) throw new RelayError('bad-input', `channel('${subTopic}'): config must be plain JSON such as { broadcast: { self: true } }`)
    this.#host = host
    this.subTopic = subTopic
    // supabase-js names channels by their wire topic; the hub gets the bare one (`subTopic`).
    this.topic = `realtime:${subTopic}`
    this.#config = config
  }

  get state(): ChannelState {
    return this.#state
  }

  /** The id the hub knows this channel by, `''` while not subscribed. */
  get subId(): string {
    return this.#subId
  }

  on(type: string, filter: unknown, callback: (payload: never) => void): this {
    this.#assertOpen('on')
    const binding = checkListener(type, filter, callback)
    const key = binding.type === 'postgres_changes' ? bindingKey(binding.filter) : binding.event
    this.#listeners.push({ binding, key, callback })
    if (this.#state !== 'closed') this.#queueUpdate()
    return this
  }

  subscribe(callback?: SubscribeCallback): this {
    this.#assertOpen('subscribe')
    if (callback !== undefined && typeof callback !== 'function') {
      throw new RelayError('bad-input', 'subscribe() takes an optional callback (status, error) => void')
    }
    if (callback) this.#onStatus = callback
    if (this.#state === 'closed' || this.#state === 'errored') this.#join()
    return this
  }

  async send(message: { type: 'broadcast'; event: string; payload?: unknown }): Promise<SendResult> {
    const outgoing = checkOutgoing(message)
    const subId = await this.#whenJoined('send')
    return this.#host.call('send', (hub) => hub.send(subId, outgoing))
  }

  async track(meta: { [key: string]: unknown }): Promise<SendResult> {
    const checked = checkMeta(meta)
    const subId = await this.#whenJoined('track')
    this.#tracked = checked
    return this.#host.call('track', (hub) => hub.track(subId, checked))
  }

  async untrack(): Promise<SendResult> {
    const subId = await this.#whenJoined('untrack')
    this.#tracked = null
    return this.#host.call('untrack', (hub) => hub.untrack(subId))
  }

  presenceState(): PresenceState {
    return { ...this.#presence }
  }

  async unsubscribe(): Promise<SendResult> {
    const subId = this.drop()
    if (!subId || this.#host.isClosed()) return 'ok'
    try {
      await this.#host.call('leave', (hub) => hub.leave(subId))
      return 'ok'
    } catch (error) {
      return error instanceof RelayError && error.code === 'timeout' ? 'timed out' : 'error'
    }
  }

  /** Leaves locally at once (status `CLOSED`) and returns the subId the hub should forget. */
  drop(): string {
    const subId = this.#subId
    if (!subId) return ''
    this.#joinSeq++
    this.#subId = ''
    this.#presence = {}
    this.#tracked = null
    this.#setStatus('CLOSED')
    return subId
  }

  /** Joins again on a fresh hub connection; `SUBSCRIBED` is reported again, as supabase-js does. */
  rejoin(call: Invoke): void {
    if (this.#state === 'closed') return
    this.#lastStatus = undefined
    // A new hub connection (often a restarted worker, WebKit bug 318873) starts with fresh topics,
    // so the hub cannot know what this channel missed meanwhile: the channel says resync itself.
    this.#isResyncDue = this.#since !== null
    this.#join(call)
    // The new hub has no presence of this tab: track again what the app last tracked.
    const tracked = this.#tracked
    const subId = this.#subId
    if (tracked) void call('track', (hub) => hub.track(subId, tracked)).catch(() => undefined)
  }

  /** The connection dropped: the next `SUBSCRIBED` is a new transition worth reporting. */
  forgetStatus(): void {
    this.#lastStatus = undefined
  }

  /** Routes one delivery from the hub to this channel's listeners. */
  receive(delivery: Delivery): void {
    if (delivery.kind !== 'channel' && delivery.kind !== 'system') this.#since = this.#now()
    switch (delivery.kind) {
      case 'channel':
        return this.#setStatus(delivery.status, delivery.error)
      case 'broadcast': {
        const { event, payload, meta } = delivery
        const message = meta === undefined ? { type: 'broadcast', event, payload } : { type: 'broadcast', event, payload, meta }
        return this.#emit('broadcast', (key) => eventMatches(key, event), message)
      }
      case 'presence':
        this.#presence = delivery.state
        return this.#emit('presence', (key) => key === delivery.event, presencePayload(delivery))
      case 'postgres_changes':
        return this.#emit('postgres_changes', (key) => delivery.bindingKeys.includes(key), delivery.payload)
      case 'system':
        return this.#emit('system', (key) => systemMatches(key, delivery.event), delivery.payload)
    }
  }

  #emit(type: Binding['type'], matches: (key: string) => boolean, payload: unknown): void {
    for (const listener of [...this.#listeners]) {
      if (listener.binding.type === type && matches(listener.key)) safely(listener.callback, payload)
    }
  }

  #subscription(): Subscription {
    const unique = new Map(this.#listeners.map((l) => [`${l.binding.type}|${l.key}`, l.binding]))
    return { subId: this.#subId, topic: this.subTopic, config: this.#config, bindings: [...unique.values()] }
  }

  #join(call: Invoke = this.#host.call): void {
    if (!this.#subId) this.#subId = this.#host.nextSubId()
    if (this.#state !== 'joined') this.#state = 'joining'
    const seq = ++this.#joinSeq
    const sub = this.#subscription()
    this.#joined = call('join', (hub) => hub.join(sub)).then(
      (snapshot) => { if (seq === this.#joinSeq) this.#seed(snapshot) },
      (error: unknown) => { if (seq === this.#joinSeq) this.#failed(error) },
    )
  }

  /** Several `.on()` in one chain after `subscribe()` send one updated join, not one each. */
  #queueUpdate(): void {
    if (this.#isUpdateQueued) return
    this.#isUpdateQueued = true
    queueMicrotask(() => {
      this.#isUpdateQueued = false
      if (this.#state !== 'closed' && !this.#host.isClosed()) this.#join()
    })
  }

  #seed(snapshot: ChannelSnapshot): void {
    this.#presence = snapshot.presence
    // A late tab learns presence from the hub's snapshot, without waiting for the server.
    if (Object.keys(snapshot.presence).length > 0) this.#emit('presence', (key) => key === 'sync', { event: 'sync' })
    // 'joining' says nothing new, and a status delivered meanwhile must not be undone.
    if (snapshot.status !== 'joining') this.#setStatus(snapshot.status, snapshot.error)
  }

  #failed(error: unknown): void {
    if (this.#host.isClosed()) return
    const isTimeout = error instanceof RelayError && error.code === 'timeout'
    this.#setStatus(isTimeout ? 'TIMED_OUT' : 'CHANNEL_ERROR', isTimeout ? undefined : toWireish(error))
  }

  #setStatus(status: ChannelStatus, error?: WireError): void {
    this.#state = STATE_OF[status]
    if (status === this.#lastStatus) return
    this.#lastStatus = status
    const callback = this.#onStatus
    if (callback) safely(() => callback(status, error && fromWire(error)), undefined)
    if (status !== 'SUBSCRIBED') return
    if (this.#since === null) {
      this.#since = this.#now()
    } else if (this.#isResyncDue) {
      this.#isResyncDue = false
      this.#emit('system', (key) => systemMatches(key, 'resync'), { since: this.#since })
    }
  }

  #now(): number {
    return this.#host.now ? this.#host.now() : Date.now()
  }

  async #whenJoined(what: string): Promise<string> {
    this.#assertOpen(what)
    if (this.#state === 'joining') await this.#joined
    if (!this.#subId) {
      throw new RelayError('closed', `${what}() on '${this.subTopic}' needs subscribe() first: tabrelay talks over the shared connection, never REST`)
    }
    return this.#subId
  }

  #assertOpen(what: string): void {
    if (this.#host.isClosed()) throw new RelayError('closed', `${what}() after realtime.close(): create a new client with createSharedRealtime()`)
  }
}

function toWireish(error: unknown): WireError {
  if (error instanceof RelayError) return { code: error.code, message: error.message }
  return { code: 'join-failed', message: error instanceof Error ? error.message : String(error) }
}
