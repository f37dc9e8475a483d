/**
 * A local server that speaks the Supabase Realtime protocol to the unmodified supabase-js client
 * (REALTIME_PROTOCOL.md), with postgres_changes captured from a real database (PGlite by default,
 * PostgreSQL with `databaseUrl`), a PostgREST subset on `/rest/v1`, and test hooks. Dev and test
 * use only: no RLS.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { createContext, dropAll, statsOf, type Context, type ServerOptions } from './context.ts'
import type { DatabaseKind, QueryResult } from './database.ts'
import { createHttpHandler } from './http.ts'
import { INBOX_PATH } from './inbox.ts'
import { changePayload, matchingIds, type Change } from './postgres.ts'
import { createStore } from './store.ts'
import type { Stats } from './stats.ts'
import type { MintClaims } from './tokens.ts'
import { createUpgradeHandler, dispatchUpgrades } from './upgrade.ts'

export type { ServerOptions } from './context.ts'
export type { Change, ChangeType } from './postgres.ts'
export type { DatabaseKind, QueryResult } from './database.ts'
export type { Stats, SocketStats } from './stats.ts'
export type { InboxStats } from './inbox.ts'
export { INBOX_PATH, UNAUTHORIZED_CLOSE } from './inbox.ts'
export type { SseOptions, SseStats } from './sse.ts'
export type { MintClaims } from './tokens.ts'
export { DEV_JWT_SECRET } from './tokens.ts'

/** Default port, the one `supabase start` uses for its API gateway. */
export const DEFAULT_PORT = 54321

/**
 * A running server and its test hooks.
 *
 * @example
 * const server = await startRealtimeServer({ port: 0 }); createClient(server.url, server.anonKey)
 */
export interface RealtimeServer {
  /** `http://127.0.0.1:PORT`, the `supabaseUrl` to give createClient. */
  url: string
  port: number
  /** An anon key signed with the server's secret (the Supabase local one with the default secret). */
  anonKey: string
  stats(): Stats
  /** Route a change to every subscribed channel without the database; returns the channels reached. */
  emitChange(change: Change): number
  /** Which engine holds the rows. */
  database: DatabaseKind
  /** Run one SQL statement on the server's database; row changes reach channels like any other. */
  sql<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>
  mintToken(claims: MintClaims): Promise<string>
  /** false: stop answering heartbeats, to simulate a hung server. */
  setHeartbeatReplies(on: boolean): void
  /** Close every socket from the server side. */
  dropAllConnections(): void
  close(): Promise<void>
}

/**
 * Start a server; resolves once it listens.
 *
 * @example
 * const server = await startRealtimeServer({ port: 0 })
 * await server.close()
 */
export async function startRealtimeServer(options: ServerOptions = {}): Promise<RealtimeServer> {
  const ctx = createContext(options)
  const emitChange = (change: Change): number => deliverChange(ctx, change)
  const store = createStore({
    ...(options.databaseUrl ? { url: options.databaseUrl } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  }, emitChange)
  // A database the caller named is opened now, so a wrong URL or directory fails the start.
  if (options.databaseUrl || options.dataDir || options.isDatabaseEager) await store.open()
  const wss = new WebSocketServer({ noServer: true, maxPayload: 3000 * 1024 + 500 })
  const http = createServer(createHttpHandler(ctx, { emitChange, db: () => store.open() }))
  // `/ws/inbox/` is the plain-WebSocket inbox endpoint; every other path is Realtime's.
  http.on('upgrade', dispatchUpgrades(new Map([[INBOX_PATH, ctx.inbox.upgrade]]), createUpgradeHandler(ctx, wss)))
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? DEFAULT_PORT, host, () => resolve())
  }).catch(async (error: unknown) => {
    await store.close()
    throw error
  })
  const port = (http.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}`,
    port,
    anonKey: await ctx.tokens.anonKey(),
    stats: () => statsOf(ctx),
    emitChange,
    database: store.kind,
    sql: async (text, params) => (await store.open()).query(text, params),
    mintToken: (claims) => ctx.tokens.mint(claims),
    setHeartbeatReplies: (on) => {
      ctx.isHeartbeatReplying = on
    },
    dropAllConnections: () => dropAll(ctx),
    close: async () => {
      await closeServer(ctx, http, wss)
      await store.close()
    },
  }
}

/**
 * Send one `postgres_changes` message per channel, listing all of its binding ids that match.
 *
 * @example
 * deliverChange(ctx, { schema: 'public', table: 'todos', type: 'INSERT', record: { id: 1 } }) // 1
 */
export function deliverChange(ctx: Context, change: Change): number {
  let delivered = 0
  for (const channel of ctx.channels.all()) {
    const ids = matchingIds(channel.bindings, change)
    if (ids.length === 0) continue
    // A fan-out message: join_ref null passes the client's membership check on every join.
    const payload = changePayload(change, ids)
    channel.peer.push({ joinRef: null, ref: null, topic: channel.topic, event: 'postgres_changes', payload })
    delivered++
  }
  ctx.counters.changesOut += delivered
  return delivered
}

async function closeServer(ctx: Context, http: ReturnType<typeof createServer>, wss: WebSocketServer): Promise<void> {
  dropAll(ctx, 1001, 'server shutting down')
  ctx.sse.closeAll('server shutting down')
  const closed = new Promise<void>((resolve) => http.close(() => resolve()))
  // Keep-alive HTTP connections (fetch in tests) would hold close() open otherwise.
  http.closeAllConnections()
  for (const ws of wss.clients) ws.terminate()
  wss.close()
  ctx.inbox.close()
  await closed
}
