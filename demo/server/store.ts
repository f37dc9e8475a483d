/**
 * The server's database, opened once, on first use, with its change capture: a test that never
 * touches rows does not pay PGlite's start (about 2 s of CPU here), and since rows only change
 * through this database (REST, `sql()`) or through a URL the caller opened it for, no change is
 * missed by starting late.
 */
import { startCapture, type Capture } from './capture.ts'
import { openDatabase, type Database, type DatabaseKind, type DatabaseOptions } from './database.ts'
import type { Change } from './postgres.ts'

/**
 * The lazily opened database.
 *
 * @example
 * const store = createStore({}, (change) => deliverChange(ctx, change)); const db = await store.open()
 */
export interface Store {
  readonly kind: DatabaseKind
  /** The database with its capture running; the same promise on every call. */
  open(): Promise<Database>
  /** Stops the capture and closes the database, if it was ever opened. */
  close(): Promise<void>
}

/**
 * Prepares (does not open) the database the options name.
 *
 * @example
 * const store = createStore({ url: process.env['DATABASE_URL'] }, onChange)
 */
export function createStore(options: DatabaseOptions, onChange: (change: Change) => void): Store {
  let opened: Promise<{ db: Database; capture: Capture }> | undefined
  const start = async (): Promise<{ db: Database; capture: Capture }> => {
    const db = await openDatabase(options)
    try {
      return { db, capture: await startCapture(db, onChange) }
    } catch (error) {
      await db.close()
      throw error
    }
  }
  return {
    kind: options.url ? 'postgresql' : 'pglite',
    open: async () => {
      opened ??= start()
      return (await opened).db
    },
    close: async () => {
      if (opened === undefined) return
      const { db, capture } = await opened
      await capture.stop()
      await db.close()
    },
  }
}
