/**
 * Plumbing of the transport contract suite: transports wired to the local server with their socket
 * events recorded, and channels whose every handler call lands in one ordered log.
 */
import type { RealtimeServer } from '../../../demo/server/index.ts'
import type { ChannelStatus, Json, WireError } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, ChannelSpec, Transport, TransportChannel, TransportFactory } from '../../../worker/transports/transport.ts'
import { waitFor } from '../helpers/realtime.ts'

/** How long any single condition of the suite may take to come true. */
export const WAIT_MS = 3_000

type PresenceDetail = Parameters<ChannelHandlers['presence']>[1]

/**
 * One handler call, in the order the transport made it.
 * @example
 * const call: HandlerCall = { kind: 'broadcast', event: 'msg', payload: { n: 1 } }
 */
export type HandlerCall =
  | { kind: 'status'; status: ChannelStatus; error?: WireError }
  | { kind: 'broadcast'; event: string; payload: Json }
  | { kind: 'presence'; event: 'sync' | 'join' | 'leave'; detail: PresenceDetail }
  | { kind: 'postgres'; keys: string[]; payload: Json }
  | { kind: 'system'; payload: Json }

/**
 * A channel opened through the contract, with its handler log.
 * @example
 * const room = await peer.join(spec('room')); room.calls.length
 */
export interface OpenedChannel {
  channel: TransportChannel
  calls: HandlerCall[]
  of<K extends HandlerCall['kind']>(kind: K): Array<Extract<HandlerCall, { kind: K }>>
}

/** A socket event of a transport; `retry` is a call of `nextRetryDelayMs()`. */
export type SocketEvent = { kind: 'open' } | { kind: 'closed'; error: WireError } | { kind: 'retry' }

/**
 * A transport of one identity (its own socket) and what it reported.
 * @example
 * const alice = await peers.connect('alice'); alice.events
 */
export interface Peer {
  transport: Transport
  events: SocketEvent[]
  opens(): number
  /** Opens a channel without waiting for its status. */
  open(spec: ChannelSpec): OpenedChannel
  /** Opens a channel and waits for its SUBSCRIBED. */
  join(spec: ChannelSpec): Promise<OpenedChannel>
}

/**
 * A channel spec: public, no presence, no postgres bindings unless overridden.
 * @example
 * spec('room', { isPrivate: true })
 */
export function spec(topic: string, extra: Partial<ChannelSpec> = {}): ChannelSpec {
  return { topic, isPrivate: false, presenceKey: '', hasPresence: false, postgres: [], ...extra }
}

/**
 * Waits up to {@link WAIT_MS} for a condition, failing with what was awaited.
 * @example
 * await until(() => room.of('broadcast').length === 1, 'one broadcast')
 */
export function until<T>(predicate: () => T, label: string): Promise<NonNullable<T>> {
  return waitFor(predicate, WAIT_MS, label)
}

function recorded(channelOf: (handlers: ChannelHandlers) => TransportChannel): OpenedChannel {
  const calls: HandlerCall[] = []
  const handlers: ChannelHandlers = {
    status: (status, error) => { calls.push(error ? { kind: 'status', status, error } : { kind: 'status', status }) },
    broadcast: (event, payload) => { calls.push({ kind: 'broadcast', event, payload }) },
    presence: (event, detail) => { calls.push({ kind: 'presence', event, detail: structuredClone(detail) }) },
    postgres: (keys, payload) => { calls.push({ kind: 'postgres', keys: [...keys], payload }) },
    system: (payload) => { calls.push({ kind: 'system', payload }) },
  }
  const of = <K extends HandlerCall['kind']>(kind: K): Array<Extract<HandlerCall, { kind: K }>> =>
    calls.filter((call): call is Extract<HandlerCall, { kind: K }> => call.kind === kind)
  return { channel: channelOf(handlers), calls, of }
}

/** Options of {@link Peers.connect}. */
export interface ConnectOptions {
  /** The token to set before connecting; a fresh one-hour token of `sub` by default. */
  token?: string
  /** What `nextRetryDelayMs()` answers. */
  retryMs?: number
  /** Wait for `events.open()`; true by default. */
  isAwaitingOpen?: boolean
}

/**
 * Creates peers against one server and closes them all at the end of a test.
 * @example
 * const peers = new Peers(server, supabaseTransport({ WebSocket })); await peers.connect('alice')
 */
export class Peers {
  readonly #server: RealtimeServer
  readonly #factory: TransportFactory
  readonly #transports: Transport[] = []

  constructor(server: RealtimeServer, factory: TransportFactory) {
    this.#server = server
    this.#factory = factory
  }

  /** A transport as the hub drives it: setAuth first, then connect (trap 8). */
  async connect(sub: string, options: ConnectOptions = {}): Promise<Peer> {
    const token = options.token ?? await this.#server.mintToken({ sub })
    const events: SocketEvent[] = []
    const transport = this.#factory({
      url: this.#server.url,
      apikey: this.#server.anonKey,
      token,
      accessToken: async () => token,
      nextRetryDelayMs: () => { events.push({ kind: 'retry' }); return options.retryMs ?? 50 },
      events: {
        open: () => { events.push({ kind: 'open' }) },
        closed: (error) => { events.push({ kind: 'closed', error }) },
      },
    })
    this.#transports.push(transport)
    const opens = (): number => events.filter((event) => event.kind === 'open').length
    await transport.setAuth(token)
    transport.connect()
    if (options.isAwaitingOpen ?? true) await until(() => opens() === 1, `${sub}: events.open()`)
    const open = (channelSpec: ChannelSpec): OpenedChannel => recorded((handlers) => transport.channel(channelSpec, handlers))
    const join = async (channelSpec: ChannelSpec): Promise<OpenedChannel> => {
      const opened = open(channelSpec)
      await until(() => opened.of('status').some((call) => call.status === 'SUBSCRIBED'), `${sub}: ${channelSpec.topic} SUBSCRIBED`)
      return opened
    }
    return { transport, events, opens, open, join }
  }

  /** Closes every transport created, newest first. */
  async closeAll(): Promise<void> {
    for (const transport of this.#transports.splice(0).reverse()) await transport.close()
  }
}
