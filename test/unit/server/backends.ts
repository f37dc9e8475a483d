/**
 * The two databases the postgres_changes and REST suites run against: PGlite (the default, in this
 * process) and a real PostgreSQL 15 started for the file (test/servers/postgres.ts). Each file gets
 * one server per backend and fresh supabase-js clients per test.
 */
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startRealtimeServer, type DatabaseKind, type RealtimeServer } from '../../../demo/server/index.ts'
import { startPostgres, type TestPostgres } from '../../servers/postgres.ts'
import { closeClient, makeClient, type ClientOptions } from '../helpers/realtime.ts'

/**
 * Every backend, for `describe.each`.
 * @example
 * describe.each(BACKENDS)('%s', (kind) => { const rig = useDatabase(kind) })
 */
export const BACKENDS: readonly DatabaseKind[] = ['pglite', 'postgresql']

/** A backend's server and clients, for one describe block. */
export interface DatabaseRig {
  readonly server: RealtimeServer
  /** A supabase-js client (vsn 2.0.0 unless given) closed after the test. */
  client(options?: ClientOptions): SupabaseClient
  /** A fresh name per call (rooms, tables), so tests sharing the database stay independent. */
  unique(prefix: string): string
}

/**
 * Starts the backend (and for `postgresql` its own cluster) in `beforeAll`, stops it in `afterAll`.
 * @example
 * const rig = useDatabase('postgresql'); it('…', async () => { await rig.client().from('messages').select() })
 */
export function useDatabase(kind: DatabaseKind): DatabaseRig {
  let postgres: TestPostgres | undefined
  let server: RealtimeServer | undefined
  let clients: SupabaseClient[] = []
  let seq = 0
  beforeAll(async () => {
    if (kind === 'postgresql') postgres = await startPostgres()
    server = await startRealtimeServer({ port: 0, isDatabaseEager: true, ...(postgres ? { databaseUrl: postgres.url } : {}) })
  }, 30_000)
  afterAll(async () => {
    await server?.close()
    await postgres?.stop()
  })
  afterEach(async () => {
    await Promise.all(clients.map(closeClient))
    clients = []
  })
  const rig: DatabaseRig = {
    get server(): RealtimeServer {
      if (!server) throw new Error('the server starts in beforeAll')
      return server
    },
    client: (options = {}) => {
      const client = makeClient(rig.server.url, rig.server.anonKey, options)
      clients.push(client)
      return client
    },
    unique: (prefix) => `${prefix}_${process.pid}_${++seq}`,
  }
  return rig
}
