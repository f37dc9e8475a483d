/**
 * A hand-written fake transport: records what the hub asks of the server (attempts with their
 * token, setAuth order, channels with their spec, sends, tracks, closes) and lets a test play the
 * server (open, drop, SUBSCRIBED, errors, broadcasts, presence, postgres changes, system
 * messages). It merges subscriptions by Supabase's rules, so specs read like Supabase's.
 */
import type { ChannelStatus, ConnectionTarget, Json, PresenceState, SendResult, Subscription, WireError } from '../../../src/contract/protocol.ts'
import type { Capabilities, ChannelHandlers, CloseReason, OpenOptions, Transport, TransportChannel, TransportConnection } from '../../../worker/transports/transport.ts'
import { SUPABASE_CAPABILITIES } from '../../../worker/transports/supabase/index.ts'
import { coversSupabase, mergeSupabase, supabaseKey, type SupabaseSpec } from '../../../worker/transports/supabase/spec.ts'
import { isFresher, tokenIdentity } from '../../../worker/connection/claims.ts'
import { settle } from './clock.ts'

type ChannelSpec = SupabaseSpec

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

/** One connection attempt the hub opened. */
export class FakeTransport implements TransportConnection<ChannelSpec> {
  readonly options: OpenOptions
  readonly channels: FakeChannel[] = []
  /** The token the attempt opened with, then every `setAuth` token, in call order. */
  readonly auth: Array<string | null> = []
  /** What the hub did, in order: `open <token>`, `setAuth <token>`, `channel <topic>`, `close`. */
  readonly calls: string[] = []
  isClosed = false
  #isOpen = false
  #isDone = false

  constructor(options: OpenOptions) {
    this.options = options
    this.auth.push(options.token)
    this.calls.push(`open ${options.token}`)
  }

  setAuth(token: string | null): Promise<void> {
    this.auth.push(token)
    this.calls.push(`setAuth ${token}`)
    return Promise.resolve()
  }

  join(_key: string, spec: ChannelSpec, handlers: ChannelHandlers): TransportChannel {
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
    this.#isDone = true
    this.isClosed = true
    this.#isOpen = false
    this.calls.push('close')
    return Promise.resolve()
  }

  /** Server side: the socket opened. */
  open(): void {
    if (this.#isDone) throw new Error('this attempt is over; open the latest one')
    this.#isOpen = true
    this.options.events.open()
  }

  /** Server side: the socket dropped; the attempt is over (the hub opens the next one). */
  drop(error: WireError = { code: 'transport', message: 'socket closed (1006)' }, kind: CloseReason['kind'] = 'retry', retryAfterMs?: number): void {
    if (this.#isDone) throw new Error('this attempt is over already')
    this.#isOpen = false
    this.#isDone = true
    this.options.events.closed(retryAfterMs === undefined ? { kind, error } : { kind, error, retryAfterMs })
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
 * Rules a {@link FakeNetwork} can take from a real transport.
 * @example
 * const ws = websocketTransport(); new FakeNetwork({}, { identify: (t, k) => ws.identify(t, k), appliesTokenInPlace: false })
 */
export type FakeRules = Partial<Pick<Transport<ChannelSpec>, 'identify' | 'prefers' | 'appliesTokenInPlace'>>

/**
 * The fake transport the hub receives, with every attempt it opened.
 * @example
 * const net = new FakeNetwork(); new Hub({ transports: { supabase: net.transport } }); net.latest.open()
 */
export class FakeNetwork {
  readonly transports: FakeTransport[] = []
  readonly transport: Transport<ChannelSpec>

  /** `rules`: another transport's identity and token rules (e.g. the WebSocket transport's) instead of Supabase's. */
  constructor(capabilities: Partial<Capabilities> = {}, rules: FakeRules = {}) {
    this.transport = { ...this.#make({ ...SUPABASE_CAPABILITIES, ...capabilities }), ...rules }
  }

  #make = (capabilities: Capabilities): Transport<ChannelSpec> => ({
    capabilities,
    identify: (target: ConnectionTarget, token: string | null) => `${target.params['apikey'] ?? ''}|${tokenIdentity(token, { claim: 'sub', anonymousRole: 'anon' })}`,
    prefers: (offered: string | null, current: string | null) => isFresher(offered, current),
    // Like realtime-js: a new token goes to the joined channels at once.
    appliesTokenInPlace: true,
    key: (sub: Subscription) => supabaseKey(sub),
    merge: (subs: readonly Subscription[], hasTracks: boolean, current?: ChannelSpec) => mergeSupabase(subs, hasTracks, current),
    covers: (current: ChannelSpec, wanted: ChannelSpec) => coversSupabase(current, wanted),
    open: (options: OpenOptions) => {
      const attempt = new FakeTransport(options)
      this.transports.push(attempt)
      return attempt
    },
  })

  /** The attempt opened last; throws when none was. */
  get latest(): FakeTransport {
    const last = this.transports.at(-1)
    if (!last) throw new Error('the hub opened no attempt yet')
    return last
  }

  /** Attempts not closed. */
  live(): FakeTransport[] {
    return this.transports.filter((t) => !t.isClosed)
  }

  /** Live channels of a topic over every live attempt. */
  liveChannels(topic: string, filter: ChannelFilter = {}): number {
    return this.live().reduce((n, t) => n + t.liveChannels(topic, filter), 0)
  }
}
