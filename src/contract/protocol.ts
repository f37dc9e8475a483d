/**
 * The contract between a tab and the hub worker: types and constants only, so it compiles under
 * both the DOM and the WebWorker libs (proof that it depends on neither).
 */

import type { HubInspection } from './inspect.ts'

export type { HubInspection, InspectedTab, InspectedTopic, JournalEntry, JournalEvent, JournalNote } from './inspect.ts'
export type { Delivery, DeliveryAck, DeliveryFrame, OutboxReport, OutboxState, ResumeCursor, ResyncPayload, ResyncReason } from './delivery.ts'
import type { Delivery, ResumeCursor } from './delivery.ts'

/**
 * Bumped on every incompatible change of {@link HubApi} or the wire types; part of the worker name.
 * 2: hellos name a {@link ConnectionTarget}; the tab's sink shares the hub's endpoint.
 * 3: deliveries cross as {@link DeliveryFrame}s answered by {@link DeliveryAck}s, not as Comlink calls.
 * 4: a rejoin on a new hub carries the subscription's {@link ResumeCursor}; the hub owes its `resync`.
 */
export const PROTOCOL_VERSION = 4

/** Anything that survives structured cloning and JSON: what a payload may be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** State of the worker's connection for this tab's identity. */
export type ConnectionStatus = 'connecting' | 'open' | 'paused' | 'reconnecting' | 'closed'

/** What `subscribe()` callbacks receive, as in supabase-js. */
export type ChannelStatus = 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED'

/** What `send()`, `track()` and `untrack()` resolve to, as in supabase-js. */
export type SendResult = 'ok' | 'timed out' | 'error'

/**
 * What `send()` resolves to: a {@link SendResult}, or `'queued'` when the tab's client has
 * `outbox: 'persist'` and the send was stored in the hub's persisted outbox (its topic was not
 * joined); an `outbox` system event on the topic follows once it went out (`ok`) or never will (`error`).
 */
export type SendOutcome = SendResult | 'queued'

/** Visibility as the tab reports it; a page in the back/forward cache reports `'hidden'`. */
export type Visibility = 'visible' | 'hidden'

/** Error as data, for crossing the port (see `src/errors.ts`). */
export interface WireError {
  code: string
  message: string
}

/** Broadcast Replay on join, as supabase-js: stored messages since `since` (ms epoch), at most `limit`. */
export interface ReplayOption {
  since: number
  limit?: number
}

/** Channel options, the subset of supabase-js's `RealtimeChannelOptions['config']` the hub honours. */
export interface ChannelConfig {
  broadcast?: { self?: boolean; ack?: boolean; replay?: ReplayOption }
  presence?: { key?: string; enabled?: boolean }
  private?: boolean
}

/** A postgres_changes filter exactly as supabase-js takes it. */
export interface PostgresFilter {
  event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'
  schema: string
  table?: string
  filter?: string
}

/** One `.on(...)` of a channel, as data. `system` covers server system messages and `resync`. */
export type Binding =
  | { type: 'broadcast'; event: string }
  | { type: 'presence'; event: 'sync' | 'join' | 'leave' | '*' }
  | { type: 'postgres_changes'; filter: PostgresFilter }
  | { type: 'system'; event: string }

/** A channel of one tab as the hub sees it; `subId` is unique within the tab. */
export interface Subscription {
  subId: string
  topic: string
  config: ChannelConfig
  bindings: Binding[]
  /**
   * Only on a rejoin to a new hub (a restarted worker, a tab-host handover, a deploy move): what
   * this subscription got before, so the new hub resumes its stream through the server's replay.
   */
  resume?: ResumeCursor
}

/** Presence as supabase-js's `presenceState()` returns it: key → metas with `presence_ref`. */
export type PresenceState = Record<string, Array<{ presence_ref: string; [key: string]: Json }>>

/** A channel's state, sent on join so a late tab knows it at once. */
export interface ChannelSnapshot {
  status: ChannelStatus | 'joining'
  error?: WireError
  presence: PresenceState
  /** How the shared server channel serves this subscription differently than asked, if it does. */
  notice?: string
}

/** Connection status with its reason, pushed to every tab of the identity. */
export interface StatusEvent {
  status: ConnectionStatus
  /** Reconnect attempt (1-based) while `reconnecting`. */
  attempt?: number
  error?: WireError
  /** When the hub will try again, epoch ms, while `reconnecting`. */
  retryAt?: number
}

/**
 * Which server connection a tab rides on: the hub keeps one connection per (transport, endpoint,
 * identity), where the transport derives the identity from the token unless `identity` is given.
 */
export interface ConnectionTarget {
  /** The transport's name in the worker's `serveHub({ transports })`. */
  transport: string
  /** The server's address (Supabase: the project URL; WebSocket: the socket URL). */
  endpoint: string
  /** Transport-specific settings that are part of the connection (Supabase: `apikey`). */
  params: { [key: string]: string }
  /** The user, for apps that authenticate by cookie; `null` lets the transport read the token. */
  identity: string | null
}

/**
 * What a transport can do and the limits of its server, as the hub tells tabs (member by member in
 * `worker/transports/transport.ts`). Tab and hub check the same limits with the same functions
 * (`src/contract/limits.ts`): the tab before it calls, the hub again because it trusts no tab.
 */
export interface TransportInfo {
  presence: boolean
  postgresChanges: boolean
  privateTopics: boolean
  acks: boolean
  echoesToSender: boolean
  maxTopicBytes: number
  maxEventBytes: number
  maxPayloadBytes: number
  /** Largest `track()` meta, JSON in UTF-8 bytes; absent: `maxPayloadBytes`. */
  maxMetaBytes?: number
  /** Event names the server's framing reads as its own control frames: a send with one is refused. */
  reservedEvents?: string[]
}

/** Sent by a tab on (re)connecting to the hub. */
export interface TabHello {
  tabId: string
  protocol: number
  target: ConnectionTarget
  token: string | null
  visibility: Visibility
  focused: boolean
  /** Web Lock the tab holds for its lifetime; the hub is granted it when the tab is gone. */
  lockName: string
  /** Whether the tab already holds `lockName` (see {@link Heartbeat.hasLock}). */
  hasLock: boolean
  pauseWhenHiddenMs: number
  heartbeatIntervalMs: number
  lingerMs: number
  /**
   * When the tab's page loaded (`performance.timeOrigin`, epoch ms). A page of a newer deploy
   * loaded later than every page of the older one: the hubs compare these to tell which is newer.
   */
  loadedAt?: number
}

/**
 * A newer hub of the same app (the worker of a later deploy: same worker name, another script
 * URL) that a tab may move to: a tab that speaks `protocol` constructs this SharedWorker.
 */
export interface HubOffer {
  url: string
  name: string
  type: 'module' | 'classic'
  protocol: number
}

/** The hub's answer to {@link TabHello}. */
export interface Welcome {
  workerId: string
  protocol: number
  status: StatusEvent
  isLeader: boolean
  /** The target transport's capabilities, so the tab can check limits before sending. */
  transport: TransportInfo
  /** A newer hub already runs: the tab should move there (or learn an update is available). */
  moveTo?: HubOffer
}

/** A tab's periodic and on-change report. */
export interface Heartbeat {
  visibility: Visibility
  focused: boolean
  /**
   * The tab holds its close-signal lock, so the hub may queue on it now (queued earlier, the hub
   * would be granted it at once). Tabs say hello without waiting for the lock: taking a Web Lock
   * in a fresh page costs 5–35 ms, which would sit in front of every new tab's first event.
   */
  hasLock: boolean
}

/** The hub's answer to a heartbeat: `known: false` tells the tab to say hello again. */
export interface HeartbeatAck {
  workerId: string
  known: boolean
  isLeader: boolean
}

/** Store a broadcast for replay (private channels): `true` for the server's retention, `{ ttl }` seconds. */
export type Persist = boolean | { ttl?: number }

/**
 * What a tab sends on a channel; `ack` overrides the channel's `broadcast.ack` for this send,
 * `persist` asks the server to store it for replay, `outbox: 'persist'` stores it in the hub's
 * persisted outbox while its topic is not joined.
 */
export type Outgoing = { type: 'broadcast'; event: string; payload?: Json; ack?: boolean; persist?: Persist; outbox?: 'persist' }

/** Hub-side statistics for this tab's identity and worker. */
export interface HubStats {
  workerId: string
  tabs: number
  visibleTabs: number
  connections: number
  identities: number
  channels: Array<{ topic: string; tabs: number; listeners: number; status: string }>
  status: ConnectionStatus
  delivered: number
  batches: number
  /** Events dropped from the backlog of tabs that fell too far behind (each such tab got a resync). */
  dropped: number
  /** Times a tab's backlog was dropped. */
  overflows: number
  /** Resyncs sent to tabs that caught up after an overflow. */
  resyncs: number
  /** The most deliveries the worker held at once for any one tab. */
  peakQueued: number
}

/**
 * The worker's API, one instance per connected tab (`worker/tab/session.ts`). The tab exposes its
 * {@link TabSink} on the same endpoint (Comlink in both directions), so nothing is transferred and
 * the endpoint may be a MessagePort, a Worker or a per-tab BroadcastChannel address.
 */
export interface HubApi {
  hello(tab: TabHello): Promise<Welcome>
  join(sub: Subscription): Promise<ChannelSnapshot>
  leave(subId: string): Promise<void>
  send(subId: string, message: Outgoing): Promise<SendOutcome>
  track(subId: string, meta: { [key: string]: Json }): Promise<SendResult>
  untrack(subId: string): Promise<SendResult>
  setAuth(token: string | null, identity?: string | null): Promise<void>
  heartbeat(beat: Heartbeat): Promise<HeartbeatAck>
  reconnect(): Promise<void>
  stats(): Promise<HubStats>
  /** The hub as this tab's identity sees it (devtools); journal entries after `since` only. */
  inspect(since?: number): Promise<HubInspection>
  bye(): Promise<void>
}

/** The tab's single callback object, exposed once through Comlink (deliveries come as frames). */
export interface TabSink {
  status(event: StatusEvent): void
  leader(isLeader: boolean): void
  /** Asks the tab's `accessToken()` for a fresh token before the hub resumes or rejoins. */
  token(): Promise<string | null>
  /** A newer hub of this app started (a later deploy): move to it, or report an update. */
  moveTo(offer: HubOffer): void
}
