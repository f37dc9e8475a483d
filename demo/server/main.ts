/**
 * CLI: `npm run server` starts the local Realtime server on 127.0.0.1 (env REALTIME_PORT, default
 * 54321; REALTIME_JWT_SECRET overrides the dev secret) and stops cleanly on SIGINT/SIGTERM. Rows
 * live in PGlite (in memory, or in env REALTIME_DATA_DIR) or in the PostgreSQL at env DATABASE_URL.
 *
 * @example
 * REALTIME_PORT=54321 npx tsx demo/server/main.ts
 */
import { DEFAULT_PORT, startRealtimeServer } from './index.ts'
import { stopOnSignals } from './signals.ts'

const port = Number(process.env['REALTIME_PORT'] ?? DEFAULT_PORT)
const jwtSecret = process.env['REALTIME_JWT_SECRET']
const databaseUrl = process.env['DATABASE_URL']
const dataDir = process.env['REALTIME_DATA_DIR']
const server = await startRealtimeServer({
  port, host: '127.0.0.1', isDatabaseEager: true,
  ...(jwtSecret ? { jwtSecret } : {}), ...(databaseUrl ? { databaseUrl } : {}), ...(dataDir ? { dataDir } : {}),
})
console.log(`realtime listening on ${server.url} (database: ${server.database}${dataDir && !databaseUrl ? ` at ${dataDir}` : ''})`)
console.log(`anon key: ${server.anonKey}`)

stopOnSignals(() => server.close(), 'realtime')
