/**
 * A topic of the transport-neutral client: listeners by event name, sends, status and resync —
 * what a plain socket or stream needs, e.g.
 * `relay.topic('conversation:42').on('TEXT', (msg) => …)`.
 */
import { eventMatches } from '../contract/bindings.ts'
import { fromWire, RelayError } from '../contract/errors.ts'
import type { Binding, ChannelStatus, Delivery, Json, Outgoing, OutboxReport, ResyncReason, SendOutcome, SendResult } from '../contract/protocol.ts'
import { checkEventFor } from '../contract/limits.ts'
import { checkEvent } from '../contract/validate.ts'
import { toJson, type Serializable } from '../contract/payload.ts'
import type { HubClient } from './client.ts'
import { Membership, unknownFate, type ChannelState, type Invoke } from './membership.ts'
import { checkCallback, safely } from './safely.ts'

/**
 * One message on a topic as a listener receives it.
 * @example
 * topic.on('TEXT', (payload, message) => console.log(message.event, payload))
 */
export interface TopicMessage<T = Json> {
  event: string
  payload: T
  meta?: Json
}

/**
 * Options of `relay.topic()`.
 * @example
 * relay.topic('conversation:42', { self: true })
 */
export interface TopicOptions {
  /** Receive this tab's own sends too. On servers that echo to the sender they always arrive. */
  self?: boolean
  /** Wait for the server's acknowledgement of each send, where the server gives one. */
  ack?: boolean
}

/**
 * A topic of this tab on the shared connection; every `on*` returns its unsubscribe function.
 * @example
 * const topic = relay.topic('conversation:42')
 * const off = topic.on('TEXT', (msg: { message: string }) => show(msg.message))
 * await topic.send('TEXT', { message: 'hi' })
 */
export interface Topic {
  readonly name: string
  readonly state: ChannelState
  /** Listens to one event (`'*'` for all); the payload type is the app's to assert. */
  on<T = Json>(event: string, listener: (payload: T, message: TopicMessage<T>) => void): () => void
  onStatus(listener: (status: ChannelStatus, error?: RelayError) => void): () => void
  /** Called after a gap tabrelay could not replay: events after `since` (epoch ms) may be missing; backfill them. `reason` says why (ResyncReason). */
  onResync(listener: (since: number, reason: ResyncReason) => void): () => void
  /**
   * Sends; the payload is serialised as `JSON.stringify` does (undefined fields dropped, `NaN` →
   * `null`, a `Date` → its ISO string); functions, symbols and bigints fail to compile.
   * `'queued'`: stored in the hub's persisted outbox (client option `outbox: 'persist'`); see {@link Topic.onOutbox}.
   */
  send(event: string): Promise<SendOutcome>
  send<T>(event: string, payload: T & Serializable<T>): Promise<SendOutcome>
  /** How this topic's persisted sends fare: `queued`, then `ok` once sent or `error` (see `OutboxReport`). */
  onOutbox(listener: (report: OutboxReport) => void): () => void
  /** Leaves the topic; `relay.topic(name)` afterwards gives a new one. */
  close(): Promise<SendResult>
}

interface EventListener {
  event: string
  callback: (payload: never, message: never) => void
}

/**
 * The implementation of {@link Topic}; `relay.topic(name)` makes one.
 * @example
 * const topic: Topic = new RelayTopic(client, 'room:1', {}, (closed) => topics.delete(closed.name))
 */
export class RelayTopic implements Topic {
  readonly name: string
  readonly #client: HubClient
  readonly #options: TopicOptions
  readonly #member: Membership
  readonly #onClose: (topic: RelayTopic) => void
  readonly #listeners = new Set<EventListener>()
  readonly #statusListeners = new Set<(status: ChannelStatus, error?: RelayError) => void>()
  readonly #resyncListeners = new Set<(since: number, reason: ResyncReason) => void>()
  readonly #outboxListeners = new Set<(report: OutboxReport) => void>()
  #isClosed = false

  constructor(client: HubClient, name: string, options: TopicOptions, onClose: (topic: RelayTopic) => void) {
    this.#client = client
    this.name = name
    this.#options = options
    this.#onClose = onClose
    this.#member = new Membership(client, {
      subscription: () => ({ topic: name, config: { broadcast: { self: options.self === true, ack: options.ack === true } }, bindings: this.#bindings() }),
      status: (status, error) => { for (const l of [...this.#statusListeners]) safely(() => l(status, error && fromWire(error)), undefined) },
      resync: (since, reason) => this.#resync(since ?? client.now(), reason),
      seed: () => undefined,
    })
    this.#member.join()
  }

  get state(): ChannelState {
    return this.#member.state
  }

  get subId(): string {
    return this.#member.subId
  }

  on<T = Json>(event: string, listener: (payload: T, message: TopicMessage<T>) => void): () => void {
    this.#assertOpen('on')
    const name = event === '*' ? event : checkEvent(event, `topic('${this.name}').on(event)`)
    checkCallback(listener, `topic('${this.name}').on('${name}', listener)`)
    const entry: EventListener = { event: name, callback: listener as EventListener['callback'] }
    const isNewEvent = ![...this.#listeners].some((l) => l.event === name)
    this.#listeners.add(entry)
    if (isNewEvent) this.#member.update()
    return () => { if (this.#listeners.delete(entry)) this.#member.update() }
  }

  onStatus(listener: (status: ChannelStatus, error?: RelayError) => void): () => void {
    checkCallback(listener, 'onStatus(listener)')
    this.#statusListeners.add(listener)
    return () => { this.#statusListeners.delete(listener) }
  }

  onResync(listener: (since: number, reason: ResyncReason) => void): () => void {
    checkCallback(listener, 'onResync(listener)')
    const isFirst = this.#resyncListeners.size === 0
    this.#resyncListeners.add(listener)
    if (isFirst) this.#member.update()
    return () => { this.#resyncListeners.delete(listener) }
  }

  onOutbox(listener: (report: OutboxReport) => void): () => void {
    checkCallback(listener, 'onOutbox(listener)')
    this.#outboxListeners.add(listener)
    if (this.#outboxListeners.size === 1) this.#member.update()
    return () => { this.#outboxListeners.delete(listener) }
  }

  async send(event: string, payload?: unknown): Promise<SendOutcome> {
    this.#assertOpen('send')
    // The same rule and messages as checkOutgoing(), which the hub applies again; a topic builds
    // the message itself, so only the event and the payload can be wrong (no ack/persist/outbox
    // checks to carry in every tab).
    const name = checkEvent(event, 'send()')
    const outgoing: Outgoing = payload === undefined ? { type: 'broadcast', event: name } : { type: 'broadcast', event: name, payload: toJson(payload, `send('${name}')`) }
    // The transport's event rules, once the hub said which (the same rule the hub applies again).
    // Byte sizes are the hub's alone: measuring a large payload here would be work done twice on
    // the page's thread, and the hub's refusal is what the devtools journal shows.
    const info = this.#client.transport
    if (info) checkEventFor(info, 'this server', outgoing.event)
    const subId = await this.#member.whenJoined('send', this.name)
    const message = this.#client.persists ? { ...outgoing, outbox: 'persist' as const } : outgoing
    return this.#client.call('send', (hub) => hub.send(subId, message)).catch(unknownFate)
  }

  async close(): Promise<SendResult> {
    this.#isClosed = true
    const subId = this.#member.drop()
    this.#onClose(this)
    if (!subId || this.#client.isClosed()) return 'ok'
    try {
      await this.#client.call('leave', (hub) => hub.leave(subId))
      return 'ok'
    } catch (error) {
      return error instanceof RelayError && error.code === 'timeout' ? 'timed out' : 'error'
    }
  }

  /** Leaves locally at once and returns the subId the hub should forget. */
  drop(): string {
    return this.#member.drop()
  }

  rejoin(call: Invoke): void {
    this.#member.rejoin(call)
  }

  forgetStatus(): void {
    this.#member.forgetStatus()
  }

  receive(delivery: Delivery): void {
    if (this.#member.receive(delivery)) return
    if (delivery.kind === 'broadcast') {
      const { event, payload, meta } = delivery
      const message: TopicMessage = meta === undefined ? { event, payload } : { event, payload, meta }
      for (const l of [...this.#listeners]) if (eventMatches(l.event, event)) safely(() => l.callback(payload as never, message as never), undefined)
    }
    // The hub's own report of a persisted send (worker/persist/outbox.ts builds it).
    const report = delivery.kind === 'system' && delivery.event === 'outbox' ? (delivery.payload as OutboxReport) : null
    if (report) for (const l of [...this.#outboxListeners]) safely(() => l(report), undefined)
  }

  #resync(since: number, reason: ResyncReason): void {
    for (const listener of [...this.#resyncListeners]) safely(() => listener(since, reason), undefined)
  }

  #bindings(): Binding[] {
    const events = new Set([...this.#listeners].map((l) => l.event))
    const bindings: Binding[] = [...events].map((event) => ({ type: 'broadcast', event }))
    if (this.#resyncListeners.size > 0) bindings.push({ type: 'system', event: 'resync' })
    if (this.#outboxListeners.size > 0) bindings.push({ type: 'system', event: 'outbox' })
    return bindings
  }

  #assertOpen(what: string): void {
    if (this.#client.isClosed()) throw new RelayError('closed', `${what}() after relay.close(): create a new client with createRelay()`)
    if (this.#isClosed) throw new RelayError('closed', `${what}() after topic.close(): call relay.topic('${this.name}') again`)
  }
}
