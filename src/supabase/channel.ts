/**
 * A tab's Supabase channel: supabase-js's channel API over a {@link Membership} of the shared hub.
 * Deliveries come back through the client's single sink and are routed here.
 */
import { bindingKey, eventMatches, systemMatches } from '../contract/bindings.ts'
import { fromWire, RelayError } from '../contract/errors.ts'
import type { Binding, ChannelConfig, ChannelSnapshot, ChannelStatus, Delivery, Json, Outgoing, Persist, PresenceState, SendOutcome, SendResult, TransportInfo, WireError } from '../contract/protocol.ts'
import type { Clock } from '../contract/clock.ts'
import { checkEventFor } from '../contract/limits.ts'
import { checkMeta, checkOutgoing, checkReplay, isJson } from '../contract/validate.ts'
import { toJson, type Serializable } from '../contract/payload.ts'
import { Membership, unknownFate, type ChannelState, type Invoke, type MemberHost } from '../core/membership.ts'
import type { Listener } from './listen.ts'
import { safely } from '../core/safely.ts'
import { closedError } from '../core/options.ts'
import { checkListener, presencePayload } from './listen.ts'
import type { CallOptions, HttpSendResult, RealtimePresenceState, SharedChannel, SubscribeCallback } from './types.ts'

/** What a channel needs from the client beyond a membership's host. */
export interface ChannelHost extends MemberHost {
  readonly clock: Clock
  /** The transport's limits once the hub answered, else `null` (the hub checks them anyway). */
  readonly transport: TransportInfo | null
}

/** How the client keeps its channel list in step (supabase-js drops a channel once it is left). */
export interface ChannelList {
  left(channel: Channel): void
  rejoined(channel: Channel): void
}

function timeoutOf(options: CallOptions | undefined, what: string): number | undefined {
  const ms = options?.timeout
  if (ms === undefined) return undefined
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > 2 ** 31 - 1) throw new RelayError('bad-input', `${what}(…, { timeout }): timeout must be a positive number of milliseconds`)
  return ms
}

/**
 * The channel implementation behind {@link SharedChannel}; created by `realtime.channel()`.
 * @example
 * const room = realtime.channel('room:1').on('broadcast', { event: '*' }, console.log).subscribe()
 */
export class Channel implements SharedChannel {
  readonly topic: string
  readonly subTopic: string
  readonly #host: ChannelHost
  readonly #list: ChannelList
  readonly #config: ChannelConfig
  readonly #member: Membership
  #listeners: Listener[] = []
  #onStatus: SubscribeCallback | undefined
  #presence: PresenceState = {}
  /** What the app last tracked here, sent again after a rejoin on a new hub. */
  #tracked: { [key: string]: Json } | null = null
  #cancelSubscribeTimeout: () => void = () => undefined
  #hasWarnedKey = false

  constructor(host: ChannelHost, list: ChannelList, subTopic: string, config: ChannelConfig) {
    if (!isJson(config)) throw new RelayError('bad-input', `channel('${subTopic}'): config must be plain JSON such as { broadcast: { self: true } }`)
    checkReplay(config.broadcast?.replay, config.private === true)
    this.#host = host
    this.#list = list
    this.subTopic = subTopic
    // supabase-js names channels by their wire topic; the hub gets the bare one (`subTopic`).
    this.topic = `realtime:${subTopic}`
    this.#config = config
    this.#member = new Membership(host, {
      subscription: () => this.#subscription(),
      status: (status, error) => this.#status(status, error),
      resync: (since, reason) => this.#emit('system', (key) => systemMatches(key, 'resync'), { since, reason }),
      seed: (snapshot) => this.#seed(snapshot),
    })
  }

  get state(): ChannelState {
    return this.#member.state
  }

  /** The id the hub knows this channel by, `''` while not subscribed. */
  get subId(): string {
    return this.#member.subId
  }

  on(type: string, filter: unknown, callback: (payload: never) => void): this {
    this.#assertOpen('on')
    const binding = checkListener(type, filter, callback)
    const key = binding.type === 'postgres_changes' ? bindingKey(binding.filter) : binding.event
    this.#listeners.push({ binding, key, callback })
    this.#member.update()
    return this
  }

  subscribe(callback?: SubscribeCallback, timeout?: number): this {
    this.#assertOpen('subscribe')
    if (callback !== undefined && typeof callback !== 'function') {
      throw new RelayError('bad-input', 'subscribe() takes an optional callback (status, error) => void')
    }
    const ms = timeoutOf(timeout === undefined ? undefined : { timeout }, 'subscribe')
    if (callback) this.#onStatus = callback
    if (this.state === 'closed' || this.state === 'errored') {
      this.#list.rejoined(this)
      this.#member.join()
      // supabase-js's join timeout: TIMED_OUT when not joined in time (the hub keeps trying).
      this.#cancelSubscribeTimeout()
      if (ms !== undefined) this.#cancelSubscribeTimeout = this.#host.clock.setTimeout(() => { if (this.state === 'joining') this.#member.setStatus('TIMED_OUT') }, ms)
    }
    return this
  }

  /**
   * As supabase-js; `'queued'` when the client has `outbox: 'persist'` and the send was stored in
   * the hub's persisted outbox (the channel's `system` event `outbox` reports when it went out).
   */
  async send<M extends { type: 'broadcast'; event: string; payload?: unknown; persist?: Persist }>(message: M & Serializable<M>, options?: CallOptions): Promise<SendOutcome> {
    const checked = this.#checkSend(checkOutgoing(message, toJson))
    const outgoing: Outgoing = this.#host.persists === true ? { ...checked, outbox: 'persist' } : checked
    const ms = timeoutOf(options, 'send')
    const subId = await this.#whenJoined('send')
    return this.#host.call('send', (hub) => hub.send(subId, outgoing), ms).catch(unknownFate)
  }

  async httpSend<T = unknown>(event: string, payload: T & Serializable<T>, options?: CallOptions & { persist?: Persist }): Promise<HttpSendResult> {
    if (payload === undefined || payload === null) throw new RelayError('bad-input', 'httpSend(event, payload): a payload is required, as in supabase-js')
    const persist = options?.persist
    const checked = this.#checkSend(checkOutgoing(persist === undefined ? { type: 'broadcast', event, payload } : { type: 'broadcast', event, payload, persist }, toJson))
    const outgoing: Outgoing = { ...checked, ack: true }
    const ms = timeoutOf(options, 'httpSend')
    const subId = await this.#whenJoined('httpSend')
    const result = await this.#host.call('httpSend', (hub) => hub.send(subId, outgoing), ms).catch((error: unknown) => {
      if (error instanceof RelayError && error.code === 'timeout') return 'timed out' as const
      return unknownFate(error)
    })
    if (result === 'ok') return { success: true }
    return result === 'timed out' ? { success: false, status: 408, error: 'timed out' } : { success: false, status: 500, error: 'the server refused the broadcast' }
  }

  async track<T extends object>(meta: T & Serializable<T>, options?: CallOptions): Promise<SendResult> {
    const checked = checkMeta(toJson(meta, 'track()'))
    if (this.#host.transport?.presence === false) throw new RelayError('unsupported', "this server has no presence; send a message instead")
    const ms = timeoutOf(options, 'track')
    const subId = await this.#whenJoined('track')
    this.#tracked = checked
    return this.#host.call('track', (hub) => hub.track(subId, checked), ms)
  }

  async untrack(options?: CallOptions): Promise<SendResult> {
    const ms = timeoutOf(options, 'untrack')
    const subId = await this.#whenJoined('untrack')
    this.#tracked = null
    return this.#host.call('untrack', (hub) => hub.untrack(subId), ms)
  }

  presenceState<T extends object = {}>(): RealtimePresenceState<T> {
    // The hub's state is plain JSON with `presence_ref`; T is the app's reading of the metas.
    return { ...this.#presence } as unknown as RealtimePresenceState<T>
  }

  async unsubscribe(timeout?: number): Promise<SendResult> {
    const ms = timeoutOf(timeout === undefined ? undefined : { timeout }, 'unsubscribe')
    const subId = this.drop()
    // supabase-js forgets a channel it left: `channel(topic)` then makes a fresh one, so this
    // channel's listeners never fire for the next one.
    this.#list.left(this)
    if (!subId || this.#host.isClosed()) return 'ok'
    try {
      await this.#host.call('leave', (hub) => hub.leave(subId), ms)
      return 'ok'
    } catch (error) {
      return error instanceof RelayError && error.code === 'timeout' ? 'timed out' : 'error'
    }
  }

  /** Leaves locally at once (status `CLOSED`) and returns the subId the hub should forget. */
  drop(): string {
    this.#cancelSubscribeTimeout()
    this.#presence = {}
    this.#tracked = null
    return this.#member.drop()
  }

  /** Joins again on a fresh hub connection and tracks again what the app last tracked. */
  rejoin(call: Invoke): void {
    if (!this.#member.rejoin(call)) return
    // The new hub has no presence of this tab.
    const tracked = this.#tracked
    const subId = this.#member.subId
    if (tracked) void call('track', (hub) => hub.track(subId, tracked)).catch(() => undefined)
  }

  /** The connection dropped: the next `SUBSCRIBED` is a new transition worth reporting. */
  forgetStatus(): void {
    this.#member.forgetStatus()
  }

  /** Routes one delivery from the hub to this channel's listeners. */
  receive(delivery: Delivery): void {
    if (this.#member.receive(delivery)) return
    switch (delivery.kind) {
      case 'broadcast': {
        const { event, payload, meta } = delivery
        const message = meta === undefined ? { type: 'broadcast', event, payload } : { type: 'broadcast', event, payload, meta }
        return this.#emit('broadcast', (key) => eventMatches(key, event), message)
      }
      case 'presence':
        this.#presence = delivery.state
        return this.#emit('presence', (key) => key === delivery.event || key === '*', presencePayload(delivery))
      case 'postgres_changes':
        return this.#emit('postgres_changes', (key) => delivery.bindingKeys.includes(key), delivery.payload)
      case 'system':
        return this.#emit('system', (key) => systemMatches(key, delivery.event), delivery.payload)
      case 'channel':
        return
    }
  }

  // The transport's event rules, once the hub said which; byte sizes are the hub's (see topic.ts).
  #checkSend(outgoing: Outgoing): Outgoing {
    // supabase-js refuses to store a message on a public channel too (send: 'error', httpSend: rejects).
    if (outgoing.persist !== undefined && this.#config.private !== true) throw new RelayError('bad-input', `send('${outgoing.event}', { persist }): only private channels store messages for replay; pass config: { private: true }`)
    const info = this.#host.transport
    if (info) checkEventFor(info, 'this server', outgoing.event)
    return outgoing
  }

  #emit(type: Binding['type'], matches: (key: string) => boolean, payload: unknown): void {
    for (const listener of [...this.#listeners]) {
      if (listener.binding.type === type && matches(listener.key)) safely(listener.callback, payload)
    }
  }

  #subscription(): { topic: string; config: ChannelConfig; bindings: Binding[] } {
    const unique = new Map(this.#listeners.map((l) => [`${l.binding.type}|${l.key}`, l.binding]))
    return { topic: this.subTopic, config: this.#config, bindings: [...unique.values()] }
  }

  #seed(snapshot: ChannelSnapshot): void {
    this.#presence = snapshot.presence
    // One socket holds one presence per topic: another tab's key may serve this channel.
    if (snapshot.notice && !this.#hasWarnedKey) {
      this.#hasWarnedKey = true
      console.warn(`tabrelay: channel('${this.subTopic}'): ${snapshot.notice}`)
    }
    // A late tab learns presence from the hub's snapshot, without waiting for the server.
    if (Object.keys(snapshot.presence).length > 0) this.#emit('presence', (key) => key === 'sync', { event: 'sync' })
  }

  #status(status: ChannelStatus, error?: WireError): void {
    if (status !== 'CLOSED' && status !== 'TIMED_OUT') this.#cancelSubscribeTimeout()
    const callback = this.#onStatus
    if (callback) safely(() => callback(status, error && fromWire(error)), undefined)
  }

  async #whenJoined(what: string): Promise<string> {
    this.#assertOpen(what)
    return this.#member.whenJoined(what, this.subTopic)
  }

  #assertOpen(what: string): void {
    if (this.#host.isClosed()) throw closedError(what, 'createSharedRealtime')
  }
}
