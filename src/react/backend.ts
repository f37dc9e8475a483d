/**
 * The two clients behind one face: what the hooks need of a channel (listen, status, presence,
 * send, track, leave), whether the provider was given a `Relay` (`createRelay`) or a
 * `SharedRealtime` (`createSharedRealtime`). Only types are imported from the clients, so this
 * entry never bundles the Supabase adapter an app does not use.
 */
import { RelayError } from '../contract/errors.ts'
import type { Json, PresenceState, SendOutcome, SendResult } from '../contract/protocol.ts'
import type { ChannelState } from '../core/membership.ts'
import type { Relay } from '../core/relay.ts'
import type { Topic, TopicOptions } from '../core/topic.ts'
import type { SharedRealtime } from '../supabase/client.ts'
import type { ChannelOptions, SharedChannel } from '../supabase/listen.ts'

/**
 * The client a provider takes: the transport-neutral one or the Supabase adapter.
 * @example
 * const client: RealtimeClient = createSharedRealtime({ url, apikey, worker })
 */
export type RealtimeClient = Relay | SharedRealtime

/**
 * The client's own channel object: a `Topic` of a `Relay`, a `SharedChannel` of a `SharedRealtime`.
 * @example
 * const raw: RawChannel | null = useChannel('room:1').channel
 */
export type RawChannel = Topic | SharedChannel

/**
 * What `useChannel()` passes to the client when it opens the channel: `{ self, ack }` for a
 * `Relay`, `{ config }` for a `SharedRealtime`; each client reads its own part.
 * @example
 * useChannel('room:1', { config: { presence: { key: userId } } })
 */
export type ChannelHookOptions = TopicOptions & ChannelOptions

/**
 * One broadcast as `useEvent()` handlers receive it (the same for both clients).
 * @example
 * useEvent(room, 'message', (payload, message) => console.log(message.event, payload))
 */
export interface EventMessage<T = Json> {
  event: string
  payload: T
  meta?: Json
}

/**
 * What a hook listens to on a channel.
 * @example
 * const listen: Listen = { type: 'broadcast', event: 'message' }
 */
export type Listen = { type: 'broadcast'; event: string } | { type: 'resync' } | { type: 'presence' }

/**
 * Called by the client for one listened thing: a payload and message, a `since`, or nothing.
 * @example
 * const dispatch: Dispatch = (payload, message) => console.log(message?.event, payload)
 */
export type Dispatch = (value: unknown, message?: EventMessage) => void

/**
 * One open channel, whichever client opened it.
 * @example
 * const backend = openBackend(client, 'room:1', {}, () => refresh())
 */
export interface Backend {
  readonly raw: RawChannel
  readonly state: ChannelState
  /** Registers `dispatch`; returns its removal, or `null` when the client cannot remove listeners. */
  listen(listen: Listen, dispatch: Dispatch): (() => void) | null
  presence(): PresenceState
  send(event: string, payload?: Json): Promise<SendOutcome>
  track(meta: { [key: string]: Json }): Promise<SendResult>
  untrack(): Promise<SendResult>
  /** Joins, once the first listeners are added (so the first join carries their bindings). */
  start(): void
  /** Leaves the channel; the client's next `topic()`/`channel()` of that name is a fresh one. */
  close(): Promise<SendResult>
}

const NO_PRESENCE: PresenceState = Object.freeze({})

function isSupabase(client: RealtimeClient): client is SharedRealtime {
  return 'channel' in client && typeof client.channel === 'function'
}

/**
 * Opens (or takes over) the client's channel of `name`; `changed` is told of every status change.
 * @example
 * const backend = openBackend(relay, 'conversation:42', { self: true }, (error) => show(error))
 */
export function openBackend(client: RealtimeClient, name: string, options: ChannelHookOptions, changed: (error?: Error) => void): Backend {
  return isSupabase(client) ? supabaseBackend(client, name, options, changed) : relayBackend(client, name, options, changed)
}

function relayBackend(relay: Relay, name: string, options: TopicOptions, changed: (error?: Error) => void): Backend {
  const topic = relay.topic(name, options)
  const offStatus = topic.onStatus((_status, error) => changed(error))
  const unsupported = (what: string): Promise<SendResult> =>
    Promise.reject(new RelayError('unsupported', `${what}() needs presence: give the provider a client of createSharedRealtime()`))
  return {
    raw: topic,
    get state() { return topic.state },
    listen(listen, dispatch) {
      if (listen.type === 'broadcast') return topic.on(listen.event, (payload, message) => dispatch(payload, message))
      if (listen.type === 'resync') return topic.onResync((since) => dispatch(since))
      return () => undefined
    },
    presence: () => NO_PRESENCE,
    // `relay.topic()` has joined already; its listeners' bindings follow in one update.
    start: () => undefined,
    send: (event, payload) => topic.send(event, payload),
    track: () => unsupported('track'),
    untrack: () => unsupported('untrack'),
    close: () => {
      offStatus()
      return topic.close()
    },
  }
}

function supabaseBackend(realtime: SharedRealtime, name: string, options: ChannelOptions, changed: (error?: Error) => void): Backend {
  const channel = realtime.channel(name, options)
  return {
    raw: channel,
    get state() { return channel.state },
    listen(listen, dispatch) {
      // supabase-js's `.on()` returns the channel, not a removal: the listener lives as long as the
      // channel, so the registry adds one per channel and event and removes the channel at the end.
      if (listen.type === 'broadcast') {
        channel.on<Json>('broadcast', { event: listen.event }, (m) => dispatch(m.payload, m.meta === undefined ? { event: m.event, payload: m.payload } : { event: m.event, payload: m.payload, meta: m.meta }))
      } else if (listen.type === 'resync') {
        channel.on('system', { event: 'resync' }, ({ since }) => dispatch(since))
      } else {
        const refresh = (): void => dispatch(undefined)
        channel.on('presence', { event: 'sync' }, refresh).on('presence', { event: 'join' }, refresh).on('presence', { event: 'leave' }, refresh)
      }
      return null
    },
    presence: () => channel.presenceState(),
    // supabase-js keeps one subscribe callback per channel: the hooks own the channel, so theirs it is.
    start: () => { channel.subscribe((_status, error) => changed(error)) },
    send: (event, payload) => channel.send(payload === undefined ? { type: 'broadcast', event } : { type: 'broadcast', event, payload }),
    track: (meta) => channel.track(meta),
    untrack: () => channel.untrack(),
    close: () => realtime.removeChannel(channel),
  }
}
