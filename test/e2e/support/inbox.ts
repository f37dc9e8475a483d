/**
 * The Django Channels inbox servers of the WebSocket specs (two daphne on one Redis, as behind a
 * load balancer), the ws.html page's URL, tokens, and the servers' own socket counts.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { startInboxServer, startRedis, type InboxServer } from '../../servers/django.ts'
import { mintToken } from '../../unit/inbox/client.ts'
import { e2eEnv } from './env.ts'
import { test as base } from './fixtures.ts'
import { openTab } from './pages.ts'

/** Two daphne processes on one Redis. */
export interface DjangoPair {
  one: InboxServer
  two: InboxServer
}

/**
 * The e2e `test` plus `django`, started once per Playwright worker (the run has one).
 * @example
 * test('x', async ({ django }) => { await django.one.kill() })
 */
export const test = base.extend<object, { django: DjangoPair }>({
  django: [async ({}, use) => {
    const redis = await startRedis()
    const [one, two] = await Promise.all([startInboxServer({ redisUrl: redis.url }), startInboxServer({ redisUrl: redis.url })])
    await use({ one, two })
    await Promise.allSettled([one.stop(), two.stop()])
    await redis.stop()
  }, { scope: 'worker' }],
})

/** A user of this test only, with a token carrying a display name. */
export interface InboxUser {
  sub: string
  name: string
  token: string
}

/**
 * A unique user per test and project (Redis and the servers outlive a test).
 * @example
 * const alice = await inboxUser('alice')
 */
export async function inboxUser(name: string): Promise<InboxUser> {
  const info = base.info()
  const sub = `${name}-${info.project.name}-${info.testId.slice(0, 8)}`
  const display = `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`
  return { sub, name: display, token: await mintToken(sub, { name: display }) }
}

/**
 * A conversation id of this test only.
 * @example
 * const id = conversation('room')
 */
export function conversation(name: string): string {
  const info = base.info()
  return `${name}-${info.project.name}-${info.testId.slice(0, 8)}`
}

/**
 * Opens `n` ws.html pages of `user` on `server` in `context` and joins `topics` in each.
 * @example
 * const tabs = await openInboxTabs(context, 5, django.one, alice, ['room'])
 */
export async function openInboxTabs(context: BrowserContext, n: number, server: InboxServer, user: InboxUser, topics: string[], options: Record<string, number> = {}): Promise<Page[]> {
  const url = new URL('ws.html', e2eEnv().appUrl)
  url.searchParams.set('endpoint', server.url)
  url.searchParams.set('token', user.token)
  for (const [key, value] of Object.entries(options)) url.searchParams.set(key, String(value))
  const pages: Page[] = []
  for (let i = 0; i < n; i++) {
    const page = await openTab(context, url.toString())
    await page.evaluate((list) => { for (const topic of list) window.ws.join(topic) }, topics)
    pages.push(page)
  }
  for (const page of pages) {
    for (const topic of topics) await page.waitForFunction((t) => window.ws.joined(t), topic)
  }
  return pages
}

/**
 * Sockets the server counts for `sub` now (its own `/stats`).
 * @example
 * expect(await socketsOfUser(django.one, alice.sub)).toBe(1)
 */
export async function socketsOfUser(server: InboxServer, sub: string): Promise<number> {
  const body = (await (await fetch(`${server.httpUrl}/stats`)).json()) as { inbox: { users: Record<string, number> } }
  return body.inbox.users[sub] ?? 0
}

/**
 * The messages a page received on `topic`, in order.
 * @example
 * expect(await messagesOf(page, 'room')).toEqual(['hi'])
 */
export function messagesOf(page: Page, topic: string): Promise<string[]> {
  return page.evaluate((t) => window.ws.received(t).map((m) => m.message), topic)
}
