/**
 * A hand-written fake {@link TransportFactory}: records what the hub asks of the server (connects,
 * setAuth order, channels with their spec, sends, tracks, closes) and lets a test play the server
 * (open, drop, SUBSCRIBED, errors, broadcasts, presence, postgres changes, system messages).
 */
import type { ChannelStatus, Json, PresenceState, SendResult, WireError } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, ChannelSpec, Transport, TransportChannel, TransportFactory, TransportOptions } from '../../../worker/transports/transport.ts'
import { settle } from './clock.ts'

/** One `send()` the hub made on a channel; `reply` settles an acked send. */
export interface SentMessage {
  event: string
  payload: Json
  ack: boolean
  reply(result: SendResult): void
}

/** Picks channels by topic and, optionally, by private/public. */
export interface ChannelFilter {
  isPrivate?: boolean
}

type PresenceDetail = Parameters<ChannelHandlers['presence']>[1]

/** A server channel as the fake sees it. */
export class FakeChannel implements TransportChannel {
  readonly spec: ChannelSpec
  readonly handlers: ChannelHandlers
  readonly sends: SentMessage[] = []
  readonly tracks: Array<{ [key: string]: Json }> = []
  untracks = 0
  isClosed = false
  state: PresenceState = {}
  #owner: FakeTransport

  constructor(owner: FakeTransport, spec: ChannelSpec, handlers: ChannelHandlers) {
    this.#owner = owner
    // The hub may reuse its spec object; keep what this channel was opened with.
    this.spec = structuredClone(spec)
    this.handlers = handlers
  }

  /** Like the Supabase transport: an un-acked send resolves `'ok'` at once, an acked one on `reply`. */
  send(event: string, payload: Json, ack: boolean): Promise<SendResult> {
    if (!ack) {
      this.sends.push({ event, payload, ack, reply: () => undefined })
      return Promise.resolve('ok')
    }
    return new Promise((resolve) => { this.sends.push({ event, payload, ack, reply: resolve }) })
  }

  track(meta: { [key: string]: Json }): Promise<SendResult> {
    this.tracks.push(meta)
    return Promise.resolve('ok')
  }

  untrack(): Promise<SendResult> {
    this.untracks += 1
    return Promise.resolve('ok')
  }

  presenceState(): PresenceState {
    return this.state
  }

  close(): Promise<void> {
    this.isClosed = true
    return Promise.resolve()
  }

  /** Open on a live socket. */
  get isLive(): boolean {
    return !this.isClosed && !this.#owner.isClosed
  }
}

/** One connection the hub built. */
export class FakeTransport implements Transport {
  readonly options: TransportOptions
  readonly channels: FakeChannel[] = []
  /** Every `setAuth` token, in call order. */
  readonly auth: Array<string | null> = []
  /** Every delay the hub's backoff returned to this transport. */
  readonly retryDelays: number[] = []
  /** What the hub did, in order: `connect`, `setAuth <token>`, `channel <topic>`, `close`. */
  readonly calls: string[] = []
  connects = 0
  isClosed = false
  #isOpen = false

  constructor(options: TransportOptions) {
    this.options = options
  }

  connect(): void {
    this.connects += 1
    this.calls.push('connect')
  }

  setAuth(token: string | null): Promise<void> {
    this.auth.push(token)
    this.calls.push(`setAuth ${token}`)
    return Promise.resolve()
  }

  channel(spec: ChannelSpec, handlers: ChannelHandlers): TransportChannel {
    if (this.isClosed) throw new Error('the hub opened a channel on a closed transport')
    const channel = new FakeChannel(this, spec, handlers)
    this.calls.push(`channel ${spec.topic}`)
    this.channels.push(channel)
    return channel
  }

  isOpen(): boolean {
    return this.#isOpen && !this.isClosed
  }

  close(): Promise<void> {
    this.isClosed = true
    this.#isOpen = false
    this.calls.push('close')
    return Promise.resolve()
  }

  /** Server side: the socket opened. */
  open(): void {
    this.#isOpen = true
    this.options.events.open()
  }

  /**
   * Server side: the socket dropped. Like realtime-js, reports the close, then asks the hub's
   * backoff for the retry delay (returned).
   */
  drop(error: WireError = { code: 'transport', message: 'socket closed (1006)' }): number {
    this.#isOpen = false
    this.options.events.closed(error)
    const delayMs = this.options.nextRetryDelayMs()
    this.retryDelays.push(delayMs)
    return delayMs
  }

  /** Live channels of a topic (all topics when omitted). */
  live(topic?: string, filter: ChannelFilter = {}): FakeChannel[] {
    return this.channels.filter((c) => c.isLive && (topic === undefined || c.spec.topic === topic) &&
      (filter.isPrivate === undefined || c.spec.isPrivate === filter.isPrivate))
  }

  liveChannels(topic: string, filter: ChannelFilter = {}): number {
    return this.live(topic, filter).length
  }

  /** The only live channel of a topic; throws when there is none or more than one. */
  single(topic: string, filter: ChannelFilter = {}): FakeChannel {
    const live = this.live(topic, filter)
    const [channel] = live
    if (live.length !== 1 || !channel) throw new Error(`expected one live channel on ${topic}, found ${live.length}`)
    return channel
  }

  /** Server side: joins succeed. Asynchronous like the real one: pending joins get opened first. */
  async subscribe(topic: string, filter: ChannelFilter = {}): Promise<void> {
    await this.status(topic, 'SUBSCRIBED', undefined, filter)
  }

  /** Server side: the channel failed (`CHANNEL_ERROR` unless told otherwise). */
  async error(topic: string, error: WireError, status: ChannelStatus = 'CHANNEL_ERROR', filter: ChannelFilter = {}): Promise<void> {
    await this.status(topic, status, error, filter)
  }

  async status(topic: string, status: ChannelStatus, error?: WireError, filter: ChannelFilter = {}): Promise<void> {
    await settle()
    for (const channel of this.live(topic, filter)) channel.handlers.status(status, error)
    await settle()
  }

  broadcast(topic: string, event: string, payload: Json, filter: ChannelFilter = {}): void {
    for (const channel of this.live(topic, filter)) channel.handlers.broadcast(event, payload)
  }

  presence(topic: string, event: 'sync' | 'join' | 'leave', detail: PresenceDetail, filter: ChannelFilter = {}): void {
    for (const channel of this.live(topic, filter)) {
      channel.state = detail.state
      channel.handlers.presence(event, detail)
    }
  }

  postgres(topic: string, bindingKeys: string[], payload: Json, filter: ChannelFilter = {}): void {
    for (const channel of this.live(topic, filter)) channel.handlers.postgres(bindingKeys, payload)
  }

  system(topic: string, payload: Json, filter: ChannelFilter = {}): void {
    for (const channel of this.live(topic, filter)) channel.handlers.system(payload)
  }
}

/**
 * The factory the hub receives, with every transport it built.
 * @example
 * const net = new FakeNetwork(); new Hub({ transport: net.factory }); net.latest.open()
 */
export class FakeNetwork {
  readonly transports: FakeTransport[] = []

  readonly factory: TransportFactory = (options) => {
    const transport = new FakeTransport(options)
    this.transports.push(transport)
    return transport
  }

  /** The transport built last; throws when none was. */
  get latest(): FakeTransport {
    const last = this.transports.at(-1)
    if (!last) throw new Error('the hub built no transport yet')
    return last
  }

  /** Transports not closed. */
  live(): FakeTransport[] {
    return this.transports.filter((t) => !t.isClosed)
  }

  /** Live channels of a topic over every live transport. */
  liveChannels(topic: string, filter: ChannelFilter = {}): number {
    return this.live().reduce((n, t) => n + t.liveChannels(topic, filter), 0)
  }
}
