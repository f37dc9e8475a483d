/**
 * The transport SPI: what the hub needs from a kind of server (Supabase Realtime, a plain
 * WebSocket, Server-Sent Events). A transport describes itself ({@link Capabilities}), says who a
 * connection belongs to ({@link Transport.identify}), merges many tabs' subscriptions of one topic
 * into ONE server subscription ({@link Transport.merge}), and opens ONE connection attempt
 * ({@link Transport.open}).
 *
 * The hub owns everything around the attempts, for every transport alike: the backoff between
 * them, `reconnect()`, rejoining every topic on the next attempt, pause/resume, the
 * `resync {since}` after a rejoin, presence merging across tabs, the local echo of sends when the
 * server does not echo, the bounded queue of sends made while a topic is not joined
 * (`worker/connection/send-queue.ts`: a transport's `send` is only called on a SUBSCRIBED channel), and the
 * size limits of what tabs send. So a transport never retries on
 * its own: when its socket or stream ends, it reports {@link AttemptEvents.closed} once and is done.
 */
import type { ChannelStatus, ConnectionTarget, Json, Persist, PresenceState, ResyncReason, SendResult, Subscription, TransportInfo, WireError } from '../../src/contract/protocol.ts'
import type { ResumePlan } from '../topic/cursor.ts'

/**
 * What a kind of server can do; the same record tabs get in their welcome (`TransportInfo`). The
 * hub reads it to decide what it does itself and what it refuses in the tab that asked:
 * - `presence`, `postgresChanges`, `privateTopics`: without them `track()`, presence or
 *   postgres_changes listeners and `config.private` fail `unsupported`;
 * - `acks`: the server acknowledges a send, so `broadcast.ack` waits for it (else `'ok'` once written);
 * - `echoesToSender`: the server sends a socket's own messages back to it (a Django `group_send`
 *   does), so the hub does no local echo and every channel gets each message once, from the
 *   server; without it the hub echoes a send to the topic's other channels itself;
 * - `maxTopicBytes`, `maxEventBytes`, `maxPayloadBytes` (UTF-8, JSON-serialized): larger fails
 *   `bad-input` in its tab before it reaches the shared socket.
 * @example
 * const capabilities: Capabilities = { presence: false, postgresChanges: false, privateTopics: false,
 *   acks: false, echoesToSender: true, maxTopicBytes: 200, maxEventBytes: 100, maxPayloadBytes: 1_000_000 }
 */
export type Capabilities = TransportInfo

/**
 * Why an attempt ended, and what the hub should do next.
 * @example
 * events.closed({ kind: 'unauthorized', error: { code: 'unauthorized', message: 'closed 4401' } })
 */
export interface CloseReason {
  /** `retry`: back off and try again; `unauthorized`: ask a tab for fresh auth first; `fatal`: stop. */
  kind: 'retry' | 'unauthorized' | 'fatal'
  error: WireError
  /** A server's own floor for the next attempt (SSE `retry:`), honoured on top of the backoff. */
  retryAfterMs?: number
}

/**
 * What an attempt reports to the hub. Each fires at most once; nothing fires after `closed`, or
 * after the hub called {@link TransportConnection.close}.
 * @example
 * const events: AttemptEvents = { open: () => ready(), closed: (reason) => retryLater(reason) }
 */
export interface AttemptEvents {
  open(): void
  closed(reason: CloseReason): void
}

/**
 * What a transport may add to a channel's status (see {@link ChannelHandlers.status}): the
 * rejoin continues the stream, or why it cannot (the `reason` of the tabs' `resync`).
 * @example
 * handlers.status('SUBSCRIBED', undefined, { isContinuous: socket.recovered })
 */
export interface StatusDetail {
  isContinuous?: boolean
  reason?: ResyncReason
}

/**
 * Everything a server channel reports, in tabrelay's vocabulary. `broadcast` is any message on the
 * topic (a Supabase broadcast, a routed WebSocket frame, an SSE event).
 * @example
 * const handlers: ChannelHandlers = { status, broadcast: (event, payload) => route(event, payload), presence, postgres, system }
 */
export interface ChannelHandlers {
  /**
   * The channel's status. `detail.isContinuous` with a `SUBSCRIBED` that rejoins a topic says the
   * server resumed the topic's stream where the last attempt left it and replayed what it missed
   * (Socket.IO connection-state recovery), so the hub sends tabs no `resync`; without it every
   * rejoin gets one `resync` per topic.
   */
  status(status: ChannelStatus, error?: WireError, detail?: StatusDetail): void
  broadcast(event: string, payload: Json, meta?: Json): void
  presence(event: 'sync' | 'join' | 'leave', detail: { key?: string; state: PresenceState; current?: Json[]; joined?: Json[]; left?: Json[] }): void
  postgres(bindingKeys: string[], payload: Json): void
  system(payload: Json): void
  /**
   * For a transport whose server replays (Supabase Broadcast Replay): on each join, where the
   * topic's stream stands (worker/topic/cursor.ts) — `null` on its first join, else the replay to ask
   * for (then report `SUBSCRIBED` with `isContinuous`: the hub checks what comes back) or why none.
   */
  resume?(limit: number): ResumePlan | null
  /** The hub sent a persisted broadcast through this channel (its replayed copy is a duplicate). */
  sentPersisted?(event: string, payload: Json): void
}

/**
 * One joined topic on an attempt. `track`, `untrack` and `presenceState` exist where
 * {@link Capabilities.presence} is true.
 * @example
 * const result = await channel.send('message', { text: 'hi' }, false)
 */
export interface TransportChannel {
  /** `persist`: store it for replay where the server can (Supabase, private channels). */
  send(event: string, payload: Json, ack: boolean, persist?: Persist): Promise<SendResult>
  track?(meta: { [key: string]: Json }): Promise<SendResult>
  untrack?(): Promise<SendResult>
  presenceState?(): PresenceState
  /** Leaves the topic on the server; no handler is called afterwards. */
  close(): Promise<void>
}

/**
 * One connection attempt. `join` may be called at once after `open()`, before the socket is up: the
 * transport joins when it can, and reports the channel's status through its handlers.
 * @example
 * const attempt = transport.open({ target, token, memory, events }); attempt.join(key, spec, handlers)
 */
export interface TransportConnection<Spec> {
  /** Joins `spec` as topic `key` (the transport's {@link Transport.key}); one channel per call. */
  join(key: string, spec: Spec, handlers: ChannelHandlers): TransportChannel
  /** A fresher token of the same identity, applied without reconnecting where the server allows. */
  setAuth(token: string | null): Promise<void>
  /** Final: closes the socket or stream; no event or handler call follows. */
  close(): Promise<void>
}

/**
 * What {@link Transport.open} receives.
 * @example
 * transport.open({ target, token, memory: new Map(), events })
 */
export interface OpenOptions {
  target: ConnectionTarget
  token: string | null
  /**
   * Scratch state that outlives the attempts of one connection (e.g. the last SSE event id of each
   * stream), so the next attempt resumes where the last one ended. JSON values only. It is the same
   * `Map` object on every attempt of one connection and never shared with another connection, so a
   * transport may also key its own non-JSON state by it (a `WeakMap`, as the Socket.IO transport
   * keeps its `Socket`, whose session id and offset only it can resend).
   */
  memory: Map<string, Json>
  events: AttemptEvents
}

/**
 * A kind of server. `Spec` is the transport's own server-subscription shape, opaque to the hub.
 * Members are methods (not function properties) so that a `Transport<MySpec>` is a `Transport`.
 * @example
 * serveHub({ transports: { supabase: supabaseTransport(), inbox: websocketTransport({ route }) } })
 */
export interface Transport<Spec = unknown> {
  readonly capabilities: Capabilities
  /**
   * Who the connection belongs to. Tabs whose targets give different answers never share a
   * connection, a token or an event. Must not throw; an unreadable token is its own identity.
   */
  identify(target: ConnectionTarget, token: string | null): string
  /**
   * Whether `offered` should replace `current` as the connection's token (both of this identity).
   * Absent: `isFresher` (worker/connection/claims.ts): not older by `exp`, then `iat`; `null` never wins.
   */
  prefers?(offered: string | null, current: string | null): boolean
  /**
   * Whether `setAuth` on an open attempt shows the token to the server at once, so that the
   * server's answer (a channel refused, or none within the trial) proves or refuses it. Absent or
   * false: a token offered while an attempt is open is proven only by the next attempt.
   */
  readonly appliesTokenInPlace?: boolean
  /** The hub's key of a subscription's topic (e.g. Supabase's separate `private:` namespace). */
  key(sub: Subscription): string
  /**
   * The server subscription serving all of `subs` (one topic key, at least one sub); `hasTracks`
   * says a tab tracks presence there. `current` is what the topic is joined with, if it is: a
   * transport may keep features on across a re-join (Supabase keeps presence once it is on).
   */
  merge(subs: readonly Subscription[], hasTracks: boolean, current?: Spec): Spec
  /**
   * A remark for the tab whose subscription the shared server subscription serves differently
   * than it asked (Supabase: another tab's presence key), shown in that tab; absent: none.
   */
  notice?(spec: Spec, sub: Subscription): string | undefined
  /** Whether a server subscription made with `current` also serves `wanted` (no rejoin needed). */
  covers(current: Spec, wanted: Spec): boolean
  /** Opens ONE attempt; never retries by itself. */
  open(options: OpenOptions): TransportConnection<Spec>
}

/**
 * The hub's transports by the name tabs ask for (`target.transport`).
 * @example
 * const transports: Transports = { supabase: supabaseTransport() }
 */
export type Transports = Readonly<Record<string, Transport>>
