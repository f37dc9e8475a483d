/**
 * The Socket.IO cluster of the Socket.IO spec (two socket.io nodes on one Redis behind a front, as
 * behind a load balancer), the sio.html page's URL, and the cluster's own socket counts.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { startSocketIoCluster, type SocketIoCluster } from '../../servers/socketio.ts'
import { e2eEnv } from './env.ts'
import { test as base } from './fixtures.ts'
import { openTab } from './pages.ts'

/**
 * The e2e `test` plus `cluster`, started once per Playwright worker (the run has one).
 * @example
 * test('x', async ({ cluster }) => { await cluster.one.kill() })
 */
export const test = base.extend<object, { cluster: SocketIoCluster }>({
  cluster: [async ({}, use) => {
    const cluster = await startSocketIoCluster()
    await use(cluster)
    await cluster.stop()
  }, { scope: 'worker' }],
})

/**
 * A name of this test and project only (users, rooms: the cluster outlives a test).
 * @example
 * const room = unique('room')
 */
export function unique(name: string): string {
  const info = base.info()
  return `${name}-${info.project.name}-${info.testId.slice(0, 8)}`
}

/**
 * Opens `n` sio.html pages with `token` on `endpoint` in `context` and joins `topics` in each.
 * @example
 * const tabs = await openSioTabs(context, 5, cluster.url, token, ['room'])
 */
export async function openSioTabs(context: BrowserContext, n: number, endpoint: string, token: string, topics: string[], options: Record<string, number> = {}): Promise<Page[]> {
  const url = new URL('sio.html', e2eEnv().appUrl)
  url.searchParams.set('endpoint', endpoint)
  url.searchParams.set('token', token)
  for (const [key, value] of Object.entries(options)) url.searchParams.set(key, String(value))
  const pages: Page[] = []
  for (let i = 0; i < n; i++) {
    const page = await openTab(context, url.toString())
    await page.evaluate((list) => { for (const topic of list) window.sio.join(topic) }, topics)
    pages.push(page)
  }
  for (const page of pages) {
    for (const topic of topics) await page.waitForFunction((t) => window.sio.joined(t), topic)
  }
  return pages
}

/**
 * The texts a page received on `topic`, in order.
 * @example
 * expect(await textsOf(page, 'room')).toEqual(['hi'])
 */
export function textsOf(page: Page, topic: string): Promise<string[]> {
  return page.evaluate((t) => window.sio.received(t), topic)
}
