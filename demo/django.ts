/**
 * The Django side of `DEMO_INBOX=django npm run demo`: a throw-away Redis and one daphne serving
 * the Django project of the suites (test/servers/django: Django's users, SimpleJWT, stored
 * messages with `since` replay, the history endpoint), started and stopped by PID with the
 * suites' own launchers (test/servers/django.ts). The demo page's WebSocket mode signs in there.
 */
import { startInboxServer, startRedis, type InboxServer, type RedisServer } from '../test/servers/django.ts'

/**
 * A user to sign in as.
 * @example
 * const alice: DemoDjangoUser = { username: 'alice', password: 'alice-password' }
 */
export interface DemoDjangoUser {
  username: string
  password: string
}

/**
 * A running Django inbox for the demo.
 * @example
 * const django: DemoDjango = await startDemoDjango(); await django.inbox.kill(); await django.inbox.start()
 */
export interface DemoDjango {
  redis: RedisServer
  /** daphne; `kill()` and `start()` it to watch the retry banner and the `since` replay. */
  inbox: InboxServer
  /** Who can sign in; their names in the chat are Django's (`Alice`, `Bob`, `Carol`). */
  users: readonly DemoDjangoUser[]
  /** Stops daphne, then Redis (by PID), and removes their temp dirs. */
  close(): Promise<void>
}

// The project's migration creates these users (pks 1–3); createUser() sets the same password
// again, so a changed migration cannot leave the printed ones wrong.
const USERS: readonly DemoDjangoUser[] = ['alice', 'bob', 'carol'].map((username) => ({ username, password: `${username}-password` }))
const NAMES: Record<string, string> = { alice: 'Alice', bob: 'Bob', carol: 'Carol' }

/**
 * Knobs of {@link startDemoDjango}.
 * @example
 * const options: DemoDjangoOptions = { accessTokenS: 6 }
 */
export interface DemoDjangoOptions {
  /** SimpleJWT access-token lifetime; default 300 (SimpleJWT's 5 minutes). Tests shorten it to see refreshes. */
  accessTokenS?: number
}

/**
 * Starts Redis and daphne on free ports of 127.0.0.1 and makes sure the demo users exist.
 * @example
 * const django = await startDemoDjango(); console.log(djangoPageUrl(pageUrl, django.inbox, 'alice')); await django.close()
 */
export async function startDemoDjango(options: DemoDjangoOptions = {}): Promise<DemoDjango> {
  const redis = await startRedis()
  let inbox: InboxServer | null = null
  try {
    inbox = await startInboxServer({ redisUrl: redis.url, ...options })
    for (const { username, password } of USERS) await inbox.createUser(username, { password, name: NAMES[username] ?? username })
    const server = inbox
    let isClosed = false
    return {
      redis, inbox: server, users: USERS,
      async close() {
        if (isClosed) return
        isClosed = true
        await server.stop().finally(() => redis.stop())
      },
    }
  } catch (error) {
    await inbox?.stop().catch(() => undefined)
    await redis.stop()
    throw error
  }
}

/**
 * The demo page in the WebSocket mode on this daphne, for `user` (and `room`, default the page's).
 * @example
 * djangoPageUrl('http://127.0.0.1:5173/', django.inbox, 'bob') // …?transport=websocket&django=http%3A%2F%2F127.0.0.1%3A…&user=bob
 */
export function djangoPageUrl(pageUrl: string, inbox: { httpUrl: string }, user: string, room?: string): string {
  const url = new URL(pageUrl)
  url.searchParams.set('transport', 'websocket')
  url.searchParams.set('django', inbox.httpUrl)
  url.searchParams.set('user', user)
  if (room !== undefined) url.searchParams.set('room', room)
  return url.toString()
}
