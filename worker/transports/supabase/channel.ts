/**
 * One realtime-js channel serving one hub topic: its callbacks translated into the hub's
 * {@link ChannelHandlers}, sends and presence passed through.
 */
import type { RealtimeChannel, RealtimeClient } from '@supabase/realtime-js'
import { bindingKey } from '../../../src/contract/bindings.ts'
import type { Json, Persist, PresenceState, ReplayOption, SendResult, WireError } from '../../../src/contract/protocol.ts'
import type { ChannelHandlers, StatusDetail, TransportChannel } from '../transport.ts'
import { channelError, systemError } from './errors.ts'
import type { SupabaseSpec } from './spec.ts'

function listen(channel: RealtimeChannel, spec: SupabaseSpec, handlers: ChannelHandlers): void {
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

/**
 * What a join asks the server to replay and what its `SUBSCRIBED` says: on the first join the app's
 * own `replay`; on a re-join of a private topic without postgres_changes the replay from the
 * topic's cursor (the hub checks it covers the gap); otherwise why the gap cannot be replayed.
 */
function resumeOf(spec: SupabaseSpec, handlers: ChannelHandlers, limit: number): { replay?: ReplayOption; detail: StatusDetail } {
  if (!spec.isPrivate) return { detail: { reason: 'public-channel' } }
  if (spec.postgres.length > 0) return { detail: { reason: 'postgres-changes' } }
  const plan = handlers.resume?.(limit) ?? null
  if (plan === null) return spec.replay ? { replay: spec.replay, detail: {} } : { detail: {} }
  return 'reason' in plan ? { detail: { reason: plan.reason } } : { replay: plan, detail: { isContinuous: true } }
}

/**
 * A realtime-js channel of one attempt.
 * @example
 * const channel = new SupabaseChannel(client, spec, handlers, ready, (c) => channels.delete(c))
 * await channel.send('message', { text: 'hi' }, false)
 */
export class SupabaseChannel implements TransportChannel {
  readonly #client: RealtimeClient
  readonly #channel: RealtimeChannel
  readonly #release: (channel: SupabaseChannel) => void
  readonly #sentPersisted: (event: string, payload: Json) => void
  #isClosed = false

  constructor(client: RealtimeClient, spec: SupabaseSpec, handlers: ChannelHandlers, ready: Promise<void>, release: (channel: SupabaseChannel) => void, replayLimit = 25) {
    this.#client = client
    this.#release = release
    this.#sentPersisted = (event, payload) => { if (spec.isPrivate) handlers.sentPersisted?.(event, payload) }
    const { replay, detail } = resumeOf(spec, handlers, replayLimit)
    this.#channel = client.channel(spec.topic, {
      config: {
        // The hub echoes to local tabs itself and answers un-acked sends at once.
        broadcast: replay ? { self: false, ack: true, replay } : { self: false, ack: true },
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
    // The join must carry the token: it waits for the attempt's setAuth (supabase-js #2613).
    void ready.then(() => {
      if (this.#isClosed) return
      this.#channel.subscribe((status, err) => {
        if (this.#isClosed) return
        // A server shutdown (expired token …) arrives as `system` error + CLOSED: report why.
        if (status === 'CLOSED' && lastSystemError) handlers.status('CHANNEL_ERROR', lastSystemError)
        else if (status === 'SUBSCRIBED') handlers.status(status, undefined, detail)
        else handlers.status(status, err ? channelError(err) : undefined)
      })
    })
  }

  send(event: string, payload: Json, ack: boolean, persist?: Persist): Promise<SendResult> {
    // realtime-js refuses `persist` on a public channel itself ('error'), as the tab already did.
    const sent = this.#channel.send(persist ? { type: 'broadcast', event, payload, persist } : { type: 'broadcast', event, payload })
    if (persist) this.#sentPersisted(event, payload)
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
