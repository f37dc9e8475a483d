/**
 * Issue 24, end to end: the Django project as apps run it (test/servers/django: two daphne on one
 * Redis, one SQLite database), real browsers, one SharedWorker for both users of one profile.
 * alice signs in with a session cookie (the page names her identity from /api/me), bob with
 * SimpleJWT (access tokens live 4 s here; the page's accessToken() refreshes them). The worker
 * resumes with `since` (inboxFrames({ replay: true })). Sockets are counted by the server.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { startInboxServer, startRedis, type InboxServer } from '../servers/django.ts'
import { InboxClient } from '../unit/inbox/client.ts'
import { e2eEnv } from './support/env.ts'
import { expect, test as base } from './support/fixtures.ts'
import { conversation, messagesOf, socketsOfUser } from './support/inbox.ts'
import { openTab } from './support/pages.ts'
import { waitUntil } from './support/wait.ts'

const ACCESS_TOKEN_S = 4

const test = base.extend<object, { dj: { one: InboxServer; two: InboxServer } }>({
  dj: [async ({}, use) => {
    const redis = await startRedis()
    const one = await startInboxServer({ redisUrl: redis.url, accessTokenS: ACCESS_TOKEN_S })
    const two = await startInboxServer({ redisUrl: redis.url, accessTokenS: ACCESS_TOKEN_S })
    await use({ one, two })
    await Promise.allSettled([one.stop(), two.stop()])
    await redis.stop()
  }, { scope: 'worker' }],
})

async function tabs(context: BrowserContext, n: number, params: Record<string, string>, topics: string[]): Promise<Page[]> {
  const url = new URL('ws.html', e2eEnv().appUrl)
  for (const [key, value] of Object.entries({ ...params, replay: '1', 'hub.joinWaitMs': '20000' })) url.searchParams.set(key, value)
  const pages: Page[] = []
  for (let i = 0; i < n; i++) {
    const page = await openTab(context, url.toString())
    await page.evaluate((list) => { for (const topic of list) window.ws.join(topic) }, topics)
    pages.push(page)
  }
  for (const page of pages) for (const topic of topics) await page.waitForFunction((t) => window.ws.joined(t), topic)
  return pages
}

const range = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`)

test('cookie user (5 tabs) and SimpleJWT user (2 tabs) in one profile: 2 sockets, no cross delivery, an expired token refreshed and daphne restarted with nothing lost or doubled, cookie sign-out closes that socket', async ({ context, dj }) => {
  const { one, two } = dj
  const { cookie } = await one.login('alice')
  const [name = '', value = ''] = cookie.split('=')
  await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/', sameSite: 'Lax' }])
  const bob = await two.token('bob')
  const room = conversation('room')
  const alices = await tabs(context, 5, { endpoint: one.url, api: one.httpUrl, auth: 'cookie' }, [room, 'user'])
  // bob's API calls go to server two: it stays up while one restarts, as behind a load balancer.
  const bobs = await tabs(context, 2, { endpoint: one.url, api: two.httpUrl, token: bob.access, refresh: bob.refresh }, [room, 'user'])
  await waitUntil(async () => [await socketsOfUser(one, '1'), await socketsOfUser(one, '2')], ([a, b]) => a === 1 && b === 1, { what: 'one socket per user (Django pks 1 and 2)' })

  const writer = await InboxClient.open(two.url, (await two.token('carol')).access)
  writer.send({ type: 'subscribe', conversation_id: room })
  const send = async (messages: string[]): Promise<void> => {
    for (const message of messages) writer.send({ type: 'TEXT', conversation_id: room, message })
    await writer.until((frames) => (messages.every((m) => frames.some((f) => f['message'] === m)) ? true : undefined), 'the writer\'s own copies')
  }
  writer.send({ type: 'notify', to: '1', message: 'for alice' })
  writer.send({ type: 'notify', to: '2', message: 'for bob' })
  await send(range('m', 1, 4))
  const everyone = [...alices, ...bobs]
  for (const page of everyone) await waitUntil(() => messagesOf(page, room), (list) => list.length >= 4, { what: 'm1..m4' })
  for (const page of alices) expect(await messagesOf(page, 'user')).toEqual(['for alice'])
  for (const page of bobs) expect(await messagesOf(page, 'user')).toEqual(['for bob'])

  // bob's access token expires under the live socket; then daphne one dies while carol keeps writing.
  const exp = (JSON.parse(Buffer.from(bob.access.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp
  await waitUntil(() => Date.now(), (now) => now > exp * 1000, { what: "bob's access token expired", timeoutMs: (ACCESS_TOKEN_S + 2) * 1000 })
  await one.kill()
  for (const page of everyone) await page.waitForFunction(() => window.ws.relay.status !== 'open')
  await send(range('m', 5, 8))
  await one.start()
  for (const page of everyone) await page.waitForFunction(() => window.ws.relay.status === 'open', undefined, { timeout: 20_000 })
  await send(range('m', 9, 10))
  for (const page of everyone) {
    await waitUntil(() => messagesOf(page, room), (list) => list.includes('m10'), { what: 'm10' })
    expect(await messagesOf(page, room)).toEqual(range('m', 1, 10))
    expect(await page.evaluate((t) => window.ws.resyncs(t), room)).toBe(0)
  }
  const refreshed = await Promise.all(bobs.map((page) => page.evaluate(() => window.ws.refreshes())))
  expect(refreshed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  expect([await socketsOfUser(one, '1'), await socketsOfUser(one, '2')]).toEqual([1, 1])

  // alice signs out: the session ends at the server, her tabs leave her connection, her socket closes.
  for (const page of alices) await page.evaluate(() => window.ws.signOut())
  await waitUntil(() => socketsOfUser(one, '1'), (n) => n === 0, { what: "alice's socket closed", timeoutMs: 10_000 })
  await send(['after sign-out'])
  for (const page of bobs) await waitUntil(() => messagesOf(page, room), (list) => list.includes('after sign-out'), { what: 'bob still served' })
  expect(await socketsOfUser(one, '2')).toBe(1)
  await writer.close()
})
