/**
 * CLI: `npm run server` starts the local Realtime server on 127.0.0.1 (env REALTIME_PORT, default
 * 54321; REALTIME_JWT_SECRET overrides the dev secret) and stops cleanly on SIGINT/SIGTERM.
 *
 * @example
 * REALTIME_PORT=54321 npx tsx demo/server/main.ts
 */
import { DEFAULT_PORT, startRealtimeServer } from './index.ts'
import { stopOnSignals } from './signals.ts'

const port = Number(process.env['REALTIME_PORT'] ?? DEFAULT_PORT)
const jwtSecret = process.env['REALTIME_JWT_SECRET']
const server = await startRealtimeServer({ port, host: '127.0.0.1', ...(jwtSecret ? { jwtSecret } : {}) })
console.log(`realtime listening on ${server.url}`)
console.log(`anon key: ${server.anonKey}`)

stopOnSignals(() => server.close(), 'realtime')
