/**
 * The state one server instance shares between its sockets and HTTP routes.
 */
import { ChannelRegistry } from './channels.ts'
import { createInbox, type Inbox } from './inbox.ts'
import { createSseEndpoint, type SseEndpoint, type SseOptions } from './sse.ts'
import { PresenceTable } from './presence.ts'
import { ReplayStore, type ReplayOptions } from './replay.ts'
import { createCounters, snapshot, type Counters, type SocketStats, type Stats } from './stats.ts'
import { createTokens, DEV_JWT_SECRET, type Tokens } from './tokens.ts'

/**
 * Options of `startRealtimeServer`; every field is optional.
 *
 * @example
 * await startRealtimeServer({ port: 0, joinErrorDelayMs: 0, idleTimeoutMs: 60_000 })
 */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 54321. */
  port?: number
  /** Interface to bind. Default '127.0.0.1'. */
  host?: string
  /** HS256 secret for apikeys and access tokens. Default `DEV_JWT_SECRET`. */
  jwtSecret?: string
  /** Delay before a join error reply (the real server waits 5000 ms). Default 0. */
  joinErrorDelayMs?: number
  /** Close sockets silent for this long (Phoenix: 60000 ms); 0 disables. Default 60000. */
  idleTimeoutMs?: number
  /** The nchan-like SSE endpoint on `/sub/…` and `/pub/…` (sse.ts). */
  sse?: SseOptions
  /** A `postgres://` URL: rows live in that PostgreSQL. Default: PGlite in this process. */
  databaseUrl?: string
  /** PGlite's data directory, so a restart keeps the rows. Default: in memory. Ignored with `databaseUrl`. */
  dataDir?: string
  /** Open the in-memory default at start-up instead of on first use (a URL or `dataDir` always is). */
  isDatabaseEager?: boolean
  /** Broadcast Replay: what `persist` stores and `replay` returns (replay.ts); defaults are Supabase's. */
  replay?: ReplayOptions
}

/**
 * What `Context` needs from a socket; implemented by `Connection` in socket.ts.
 *
 * @example
 * for (const socket of ctx.sockets) socket.close(1001, 'going away')
 */
export interface SocketHandle {
  describe(): SocketStats
  close(code: number, reason: string): void
}

/**
 * Shared state of one server.
 *
 * @example
 * const ctx = createContext({ jwtSecret: DEV_JWT_SECRET })
 */
export interface Context {
  readonly joinErrorDelayMs: number
  readonly idleTimeoutMs: number
  readonly tokens: Tokens
  readonly channels: ChannelRegistry
  readonly presence: PresenceTable
  readonly counters: Counters
  readonly sockets: Set<SocketHandle>
  /** The plain-WebSocket inbox endpoint (`/ws/inbox/`), its own sockets and groups. */
  readonly inbox: Inbox
  readonly sse: SseEndpoint
  /** Broadcasts sent with `persist` on private channels, for `config.broadcast.replay`. */
  readonly replay: ReplayStore
  /** False simulates a server that stopped answering heartbeats. */
  isHeartbeatReplying: boolean
}

/**
 * Create the shared state from options, applying defaults.
 *
 * @example
 * const ctx = createContext({})
 */
export function createContext(options: ServerOptions): Context {
  const tokens = createTokens(options.jwtSecret ?? DEV_JWT_SECRET)
  return {
    joinErrorDelayMs: options.joinErrorDelayMs ?? 0,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    tokens,
    channels: new ChannelRegistry(),
    presence: new PresenceTable(),
    counters: createCounters(),
    sockets: new Set<SocketHandle>(),
    inbox: createInbox(tokens),
    sse: createSseEndpoint(options.sse),
    replay: new ReplayStore(options.replay ?? {}),
    isHeartbeatReplying: true,
  }
}

/**
 * The `/stats` snapshot of a context.
 *
 * @example
 * statsOf(ctx).connections
 */
export function statsOf(ctx: Context): Stats {
  const sockets = [...ctx.sockets].map((s) => s.describe())
  const live = { sockets, topics: ctx.channels.counts(), presence: ctx.presence.keyCounts(), inbox: ctx.inbox.stats(), sse: ctx.sse.stats() }
  return snapshot(ctx.counters, live)
}

/**
 * Close every socket from the server side, the inbox's and the SSE streams included (clients see a
 * close and reconnect).
 *
 * @example
 * dropAll(ctx)
 */
export function dropAll(ctx: Context, code = 1001, reason = 'server dropped the connection'): void {
  for (const socket of [...ctx.sockets]) socket.close(code, reason)
  ctx.inbox.closeAll(code, reason)
  ctx.sse.closeAll(reason)
}
