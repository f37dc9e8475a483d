/**
 * The database behind the server: PGlite in-process by default (`memory://`, or a data directory so
 * a restart keeps the rows), or a real PostgreSQL when a connection URL is given. Both are driven
 * through the same small interface, so capture and REST code never know which one runs.
 */
import { openPglite } from './pglite.ts'
import { openPostgresql } from './postgresql.ts'

/**
 * Rows of one statement.
 *
 * @example
 * const { rows } = await db.query<{ n: number }>('select 1 as n')
 */
export interface QueryResult<Row> {
  rows: Row[]
}

/**
 * Which engine runs: PGlite (WASM Postgres in this process) or a PostgreSQL server.
 *
 * @example
 * const kind: DatabaseKind = 'pglite'
 */
export type DatabaseKind = 'pglite' | 'postgresql'

/**
 * One database connection (pool) with LISTEN.
 *
 * @example
 * const db = await openDatabase({}); await db.query('select now()'); await db.close()
 */
export interface Database {
  readonly kind: DatabaseKind
  /** One statement with `$1…` parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>
  /** Several statements without parameters (schema set-up). */
  exec(sql: string): Promise<void>
  /** Runs `onPayload` for every NOTIFY on `channel`; resolves to the unlisten function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/**
 * Where the rows live: `url` (a `postgres://` URL) selects PostgreSQL; otherwise PGlite in `dataDir`,
 * or in memory without one.
 *
 * @example
 * await openDatabase({ url: process.env['DATABASE_URL'] })
 */
export interface DatabaseOptions {
  url?: string
  dataDir?: string
}

/**
 * Opens the database the options name.
 *
 * @example
 * const db = await openDatabase({ dataDir: '/tmp/chat-data' })
 */
export function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgresql(options.url)
  return openPglite(options.dataDir ?? 'memory://')
}

/**
 * A database error's fields as PostgreSQL reports them (SQLSTATE `code`), from either driver.
 *
 * @example
 * const e = sqlError(error); if (e?.code === '42P01') notFound()
 */
export interface SqlError {
  code: string
  message: string
  detail: string | null
  hint: string | null
}

/**
 * Reads a thrown driver error as a `SqlError`; null for anything that is not one (a bug, a lost socket).
 *
 * @example
 * try { await db.query(sql) } catch (error) { const e = sqlError(error) }
 */
export function sqlError(error: unknown): SqlError | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string' || !/^[0-9A-Z]{5}$/.test(error.code)) return null
  const text = (key: string): string | null => {
    const value: unknown = (error as unknown as Record<string, unknown>)[key]
    return typeof value === 'string' ? value : null
  }
  return { code: error.code, message: error.message, detail: text('detail'), hint: text('hint') }
}
