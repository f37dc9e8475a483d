/**
 * `npm run demo`: the local realtime server (env REALTIME_PORT, default 54321) and the demo's Vite
 * dev server (env DEMO_PORT, default 5173) in one process on 127.0.0.1; Ctrl-C stops both. The
 * chat's rows live in PGlite in memory, in PGlite at env REALTIME_DATA_DIR (kept across restarts),
 * or in the PostgreSQL at env DATABASE_URL. `DEMO_INBOX=django` also starts a throw-away Redis and
 * daphne with the Django project (demo/django.ts), prints its users and the WebSocket mode's URLs,
 * and stops or starts daphne on each Enter.
 *
 * @example
 * DEMO_PORT=5174 npm run demo
 * DEMO_INBOX=django npm run demo
 */
import { createInterface } from 'node:readline'
import { DEFAULT_PORT } from './server/index.ts'
import { startDemo } from './stack.ts'
import { stopOnSignals } from './server/signals.ts'
import { djangoPageUrl, startDemoDjango, type DemoDjango } from './django.ts'

const jwtSecret = process.env['REALTIME_JWT_SECRET']
const realtimePort = Number(process.env['REALTIME_PORT'] ?? DEFAULT_PORT)
const demoPort = Number(process.env['DEMO_PORT'] ?? 5173)
const databaseUrl = process.env['DATABASE_URL']
const dataDir = process.env['REALTIME_DATA_DIR']
const inbox = process.env['DEMO_INBOX']
if (inbox !== undefined && inbox !== 'django') {
  console.error(`demo: DEMO_INBOX=${inbox} is not known; DEMO_INBOX=django starts the Django Channels inbox`)
  process.exit(1)
}
const demo = await startDemo({
  realtimePort, demoPort, logLevel: 'warn',
  ...(jwtSecret ? { jwtSecret } : {}), ...(databaseUrl ? { databaseUrl } : {}), ...(dataDir ? { dataDir } : {}),
}).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  const isBusy = /EADDRINUSE|already in use/i.test(message)
  console.error(`demo: could not start (${message})${isBusy ? `\nA port is taken: pick others, e.g. REALTIME_PORT=${realtimePort + 1} DEMO_PORT=${demoPort + 1} npm run demo` : ''}`)
  process.exit(1)
})
console.log(`realtime server: ${demo.realtime.url} (stats: ${demo.realtime.url}/stats)`)
console.log(`messages in ${databaseUrl ? 'PostgreSQL (DATABASE_URL)' : dataDir ? `PGlite at ${dataDir}` : 'PGlite in memory (REALTIME_DATA_DIR=dir keeps them)'}`)
console.log(`anon key (apikey): ${demo.realtime.anonKey}`)
console.log(`a user's token: curl -s -X POST ${demo.realtime.url}/dev/token -H 'content-type: application/json' -d '{"sub":"alice"}'`)
console.log(`demo ready: ${demo.pageUrl}?user=alice`)
console.log(`another user in the same browser: ${demo.pageUrl}?user=bob`)
console.log(`the same chat over Socket.IO: ${demo.pageUrl}?transport=socketio&sio=${encodeURIComponent(demo.socketio.url)}&user=alice`)
const django = inbox === 'django' ? await startDjango(demo.pageUrl) : null
console.log('Ctrl-C to stop')

stopOnSignals(async () => { await Promise.allSettled([demo.close(), django?.close()]) }, 'demo')

// Redis and daphne (the Debian packages of test/servers/README.md); on failure the demo stops too.
async function startDjango(pageUrl: string): Promise<DemoDjango> {
  console.log('starting Redis and daphne with the Django project…')
  const started = await startDemoDjango().catch(async (error: unknown) => {
    console.error(`demo: the Django inbox could not start (${error instanceof Error ? error.message : String(error)})`)
    await demo.close()
    process.exit(1)
  })
  console.log(`Django inbox (daphne): ${started.inbox.httpUrl} (stats: ${started.inbox.httpUrl}/stats), Redis ${started.redis.url}`)
  console.log(`sign in as ${started.users.map((u) => `${u.username} / ${u.password}`).join(', ')}`)
  for (const user of started.users.slice(0, 2)) console.log(`the chat on Django as ${user.username}: ${djangoPageUrl(pageUrl, started.inbox, user.username)}`)
  console.log('Enter stops daphne (the tabs show the retry banner), Enter again starts it (they replay what they missed)')
  toggleOnEnter(started)
  return started
}

function toggleOnEnter(started: DemoDjango): void {
  let isDown = false
  let isBusy = false
  createInterface({ input: process.stdin }).on('line', () => {
    if (isBusy) return
    isBusy = true
    const step = isDown ? started.inbox.start() : started.inbox.kill()
    step.then(() => {
      isDown = !isDown
      console.log(isDown ? 'daphne stopped: Enter starts it again' : `daphne started again on ${started.inbox.httpUrl}`)
    }, (error: unknown) => console.error(`demo: ${error instanceof Error ? error.message : String(error)}`)).finally(() => { isBusy = false })
  })
}
