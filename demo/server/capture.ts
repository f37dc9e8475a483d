/**
 * Change capture: row triggers NOTIFY each change (schema.ts) and this module turns the
 * notifications into `Change`s for `deliverChange`, in commit order. A change too large for NOTIFY
 * arrives as `{overflow: id}` and is read (and deleted) from `tabrelay.overflow`.
 */
import type { Database } from './database.ts'
import { isRecord, toChange, type Change } from './postgres.ts'
import { CAPTURE_SQL, CHANGES_CHANNEL, EVENT_TRIGGER_SQL, MESSAGES_SQL } from './schema.ts'

/**
 * A running capture; `stop()` unlistens and waits for changes already received.
 *
 * @example
 * const capture = await startCapture(db, (change) => deliverChange(ctx, change)); await capture.stop()
 */
export interface Capture {
  /** True when tables created after start-up are captured too (the event trigger was installed). */
  readonly isCapturingNewTables: boolean
  stop(): Promise<void>
}

/**
 * Installs the schema and the triggers, then listens.
 *
 * @example
 * await startCapture(db, (change) => console.log(change.type, change.record))
 */
export async function startCapture(db: Database, onChange: (change: Change) => void): Promise<Capture> {
  await db.exec(MESSAGES_SQL)
  await db.exec(CAPTURE_SQL)
  const isCapturingNewTables = await db.exec(EVENT_TRIGGER_SQL).then(() => true, (error: unknown) => {
    // Event triggers need a superuser; without one, later tables need `select tabrelay.capture_table('t')`.
    console.warn(`capture: tables created from now on are not captured (${error instanceof Error ? error.message : String(error)})`)
    return false
  })
  // One chain: an overflow read must not let a later, smaller change overtake it.
  let chain = Promise.resolve()
  const unlisten = await db.listen(CHANGES_CHANNEL, (payload) => {
    chain = chain.then(() => decode(db, payload)).then(
      (change) => { if (change) onChange(change) },
      (error: unknown) => console.error(`capture: a change was lost (${error instanceof Error ? error.message : String(error)})`),
    )
  })
  return {
    isCapturingNewTables,
    async stop() {
      await unlisten()
      await chain
    },
  }
}

/**
 * Reads one notification payload as a change; `{overflow: id}` is fetched from the overflow table.
 *
 * @example
 * const change = await decode(db, '{"schema":"public","table":"t","type":"INSERT","record":{"id":1}}')
 */
export async function decode(db: Database, payload: string): Promise<Change | null> {
  let parsed: unknown = JSON.parse(payload)
  if (isRecord(parsed) && typeof parsed['overflow'] === 'number') {
    const { rows } = await db.query<{ body: string }>('delete from tabrelay.overflow where id = $1 returning body', [parsed['overflow']])
    const body = rows[0]?.body
    if (body === undefined) return null
    parsed = JSON.parse(body)
  }
  if (!isRecord(parsed)) return null
  const change = toChange(parsed)
  if (change === null) return null
  // Postgres prints timestamptz in the session's zone; the wire wants UTC with milliseconds.
  if (change.commit_timestamp !== undefined) change.commit_timestamp = new Date(change.commit_timestamp).toISOString()
  return change
}
