/**
 * The app's backend for its tests: tabrelay's local Realtime-compatible server (demo/server, from
 * the repository) and a static server for the built page, both on free 127.0.0.1 ports. Their
 * addresses reach the tests through the environment (tests/app.ts reads them).
 * Not type-checked with the app (`tsconfig.json` leaves it out): it compiles the repository's files.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRealtimeServer } from '../../../../../demo/server/index.ts'
import { serveStatic } from '../../../../e2e/support/static.ts'

export default async function globalSetup(): Promise<() => Promise<void>> {
  const realtime = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
  const site = await serveStatic(join(fileURLToPath(new URL('..', import.meta.url)), 'out'))
  process.env['APP_URL'] = site.url
  process.env['REALTIME_URL'] = realtime.url
  process.env['REALTIME_ANON_KEY'] = realtime.anonKey
  return async () => { await Promise.allSettled([realtime.close(), site.close()]) }
}
