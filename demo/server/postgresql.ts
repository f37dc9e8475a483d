/**
 * A real PostgreSQL through node-postgres: a small pool for statements and one dedicated client for
 * LISTEN, because a pooled connection may be handed to another query between notifications.
 */
import pg from 'pg'
import type { Database } from './database.ts'

const POOL_SIZE = 4

/**
 * Connects to `url` and checks the connection with one round trip.
 *
 * @example
 * const db = await openPostgresql('postgres://postgres@127.0.0.1:5433/postgres')
 */
export async function openPostgresql(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE })
  // An idle client that loses its server emits 'error' on the pool; unhandled, it would kill the process.
  pool.on('error', (error) => console.error(`postgresql: idle connection failed: ${error.message}`))
  await pool.query('select 1')
  const listeners: pg.Client[] = []
  return {
    kind: 'postgresql',
    query: async <Row>(sql: string, params: readonly unknown[] = []) => {
      const result = await pool.query(sql, [...params])
      return { rows: result.rows as Row[] }
    },
    exec: async (sql) => {
      await pool.query(sql)
    },
    listen: async (channel, onPayload) => {
      const client = new pg.Client({ connectionString: url })
      client.on('error', (error) => console.error(`postgresql: LISTEN connection failed: ${error.message}`))
      await client.connect()
      client.on('notification', (msg) => { if (msg.channel === channel) onPayload(msg.payload ?? '') })
      await client.query(`listen ${pg.escapeIdentifier(channel)}`)
      listeners.push(client)
      return async () => {
        listeners.splice(listeners.indexOf(client), 1)
        await client.end()
      }
    },
    close: async () => {
      await Promise.allSettled(listeners.splice(0).map((client) => client.end()))
      await pool.end()
    },
  }
}
