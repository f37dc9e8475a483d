/**
 * The servers the inbox contract suite runs against: the Node endpoint of demo/server and the Django
 * Channels server (daphne on a throw-away Redis), plus per-test client bookkeeping.
 */
import { afterEach } from 'vitest'
import { INBOX_PATH, startRealtimeServer } from '../../../demo/server/index.ts'
import { startInboxServer, startRedis } from '../../servers/django.ts'
import { InboxClient, mintToken, type TokenOptions } from './client.ts'

/**
 * A running inbox server: socket URL, `/stats` URL, stop.
 *
 * @example
 * const target = await startNodeTarget(); await InboxClient.open(target.url, token); await target.stop()
 */
export interface InboxTarget {
  url: string
  statsUrl: string
  stop(): Promise<void>
}

/**
 * The demo server (its `/ws/inbox/` endpoint) on a free port.
 *
 * @example
 * const target = await startNodeTarget()
 */
export async function startNodeTarget(): Promise<InboxTarget> {
  const server = await startRealtimeServer({ port: 0 })
  return { url: `${server.url.replace('http', 'ws')}${INBOX_PATH}`, statsUrl: `${server.url}/stats`, stop: () => server.close() }
}

/**
 * Redis plus one daphne serving test/servers/django.
 *
 * @example
 * const target = await startDjangoTarget()
 */
export async function startDjangoTarget(): Promise<InboxTarget> {
  const redis = await startRedis()
  const inbox = await startInboxServer({ redisUrl: redis.url }).catch(async (error: unknown) => {
    await redis.stop()
    throw error
  })
  return {
    url: inbox.url,
    statsUrl: `${inbox.httpUrl}/stats`,
    stop: async () => {
      await inbox.stop()
      await redis.stop()
    },
  }
}

/**
 * Opens clients for one test and closes them all after it.
 *
 * @example
 * const clients = useClients(); const alice = await clients.open(url, 'alice', { name: 'Alice' })
 */
export function useClients(): { open(url: string, sub: string, options?: TokenOptions): Promise<InboxClient> } {
  let opened: InboxClient[] = []
  afterEach(async () => {
    await Promise.all(opened.map((client) => client.close()))
    opened = []
  })
  return {
    open: async (url, sub, options) => {
      const client = await InboxClient.open(url, await mintToken(sub, options))
      opened.push(client)
      return client
    },
  }
}

let counter = 0

/**
 * A conversation id no other test uses (Redis outlives a test; ids keep tests apart).
 *
 * @example
 * const id = conversationId() // 'c1-k3x9'
 */
export function conversationId(): string {
  counter++
  return `c${counter}-${Math.random().toString(36).slice(2, 6)}`
}

/**
 * Poll `check` every 20 ms (the server's own count has no push channel) until true, at most `timeoutMs`
 * (10 s: daphne answers `/stats` slowly while the other suites load both cores).
 *
 * @example
 * await eventually(async () => (await inboxStats(url)).sockets === 2, 'two sockets')
 */
export async function eventually(check: () => Promise<boolean>, label: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
