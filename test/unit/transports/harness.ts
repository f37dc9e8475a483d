/**
 * Plumbing of the transport contract suite: attempts opened the way the hub opens them, with their
 * events recorded, and channels whose every handler call lands in one ordered log.
 */
import type { ChannelStatus, ConnectionTarget, Json, Subscription, WireError } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, CloseReason, Transport, TransportChannel, TransportConnection } from '../../../worker/transports/transport.ts'
import { waitFor } from '../helpers/realtime.ts'

/**
 * How long any single condition of the suite may take to come true. A bound, not a wait: on 2
 * cores running Vitest's workers beside real servers, five tabs joining through a real hub took
 * over 3 s once; the condition still ends the wait the moment it holds.
 */
export const WAIT_MS = 10_000

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
 * const room = await peer.join(sub('room')); room.calls.length
 */
export interface OpenedChannel {
  channel: TransportChannel
  calls: HandlerCall[]
  of<K extends HandlerCall['kind']>(kind: K): Array<Extract<HandlerCall, { kind: K }>>
}

/** An attempt's event: `open`, or `closed` with its reason. */
export type AttemptEvent = { kind: 'open' } | { kind: 'closed'; reason: CloseReason }

/**
 * One attempt of one identity (its own socket) and what it reported.
 * @example
 * const alice = await peers.connect('alice'); alice.events
 */
export interface Peer {
  attempt: TransportConnection<unknown>
  events: AttemptEvent[]
  /** Opens a channel without waiting for its status. */
  open(sub: Subscription): OpenedChannel
  /** Opens a channel and waits for its SUBSCRIBED. */
  join(sub: Subscription): Promise<OpenedChannel>
}

/**
 * A subscription as a tab gives it: listens to every broadcast unless told otherwise.
 * @example
 * sub('room', { config: { private: true } })
 */
export function sub(topic: string, extra: Partial<Subscription> = {}): Subscription {
  return { subId: 's1', topic, config: {}, bindings: [{ type: 'broadcast', event: '*' }], ...extra }
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

/** Where and as whom a peer connects. */
export interface Credentials {
  target: ConnectionTarget
  token: string | null
}

/** Options of {@link Peers.connect}. */
export interface ConnectOptions {
  /** Replaces the fixture's credentials of this user (an expired token, …). */
  credentials?: Credentials
  /** Wait for `events.open()`; true by default. */
  isAwaitingOpen?: boolean
}

/**
 * Opens attempts as the hub does and closes them all at the end of a test.
 * @example
 * const peers = new Peers(transport, (user) => fixture.credentials(user)); await peers.connect('alice')
 */
export class Peers {
  readonly #transport: Transport
  readonly #credentials: (user: string) => Promise<Credentials>
  readonly #attempts: Array<TransportConnection<unknown>> = []

  constructor(transport: Transport, credentials: (user: string) => Promise<Credentials>) {
    this.#transport = transport
    this.#credentials = credentials
  }

  /** One attempt of `user`; resolves once it reported `open` (unless told not to wait). */
  async connect(user: string, options: ConnectOptions = {}): Promise<Peer> {
    const { target, token } = options.credentials ?? await this.#credentials(user)
    const events: AttemptEvent[] = []
    const attempt = this.#transport.open({
      target, token, memory: new Map(),
      events: {
        open: () => { events.push({ kind: 'open' }) },
        closed: (reason) => { events.push({ kind: 'closed', reason }) },
      },
    })
    this.#attempts.push(attempt)
    if (options.isAwaitingOpen ?? true) await until(() => events.some((e) => e.kind === 'open'), `${user}: events.open()`)
    const open = (subscription: Subscription): OpenedChannel => {
      const spec = this.#transport.merge([subscription], false)
      return recorded((handlers) => attempt.join(this.#transport.key(subscription), spec, handlers))
    }
    const join = async (subscription: Subscription): Promise<OpenedChannel> => {
      const opened = open(subscription)
      await until(() => opened.of('status').some((call) => call.status === 'SUBSCRIBED'), `${user}: ${subscription.topic} SUBSCRIBED`)
      return opened
    }
    return { attempt, events, open, join }
  }

  /** Closes every attempt made, newest first. */
  async closeAll(): Promise<void> {
    for (const attempt of this.#attempts.splice(0).reverse()) await attempt.close()
  }
}
