/**
 * The embedded default: PGlite (Postgres compiled to WASM) in this process. Nothing to install, so
 * `npm run demo` works from a clean clone; a data directory keeps the rows across restarts.
 */
import { PGlite } from '@electric-sql/pglite'
import type { Database } from './database.ts'

/**
 * Opens PGlite at `dataDir` (`memory://` for a throw-away database).
 *
 * @example
 * const db = await openPglite('memory://')
 */
export async function openPglite(dataDir: string): Promise<Database> {
  const pg = await PGlite.create(dataDir)
  // PGlite runs one statement at a time; its own queue orders concurrent callers.
  return {
    kind: 'pglite',
    query: async <Row>(sql: string, params: readonly unknown[] = []) => {
      const result = await pg.query<Row>(sql, [...params])
      return { rows: result.rows }
    },
    exec: async (sql) => {
      await pg.exec(sql)
    },
    listen: (channel, onPayload) => pg.listen(channel, onPayload),
    close: () => pg.close(),
  }
}
