/**
 * Issue 18: tabrelay/react in a real browser. Three tabs of one user run the StrictMode support
 * chat (test/e2e/app/react.tsx): StrictMode mounts, unmounts and mounts every effect, yet the
 * user has ONE connection and the topic ONE server join, and every tab renders each message once.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect, test, topicOf } from './support/fixtures.ts'
import { appUrl } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { waitUntil } from './support/wait.ts'

function reactUrl(token: string, topic: string, name: string): string {
  const url = new URL(appUrl({ token }))
  url.pathname = '/react.html'
  url.searchParams.set('topic', topic)
  url.searchParams.set('name', name)
  return url.toString()
}

async function openChat(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await expect(page.getByTestId('room-state')).toHaveText('joined')
  return page
}

test('three StrictMode tabs: one connection, one join, each message rendered once per tab', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('support')
  const before = await server.stats()
  const pages: Page[] = []
  for (const name of ['tab1', 'tab2', 'tab3']) pages.push(await openChat(context, reactUrl(alice.token, topic, name)))
  const [first, second] = pages
  if (!first || !second) throw new Error('three pages were opened')

  const after = await waitUntil(server.stats, (s) => joined(s, topic) === 1 && socketsOf(s, alice.sub).length === 1, { what: 'one socket, one join' })
  expect(after.connectionsTotal - before.connectionsTotal).toBe(1)
  expect(after.joinsTotal - before.joinsTotal).toBe(1)
  // The hub holds one subscription per tab, not one per StrictMode mount.
  const hub = await first.evaluate(() => window.reactApp.stats())
  expect(hub.channels).toEqual([expect.objectContaining({ topic, tabs: 3 })])

  await expect(first.evaluate(() => window.reactApp.send('one'))).resolves.toBe('ok')
  await expect(second.evaluate(() => window.reactApp.send('two'))).resolves.toBe('ok')
  for (const page of pages) {
    // An exact list: a second listener left by the double mount would render a duplicate here.
    await expect(page.getByTestId('message')).toHaveText(['one', 'two'])
    await expect(page.getByTestId('connection')).toHaveText(/^open/)
    // Presence counts users, not tabs: one user, three tabs.
    await expect(page.getByTestId('online')).toHaveText('1')
  }
  const leaders = await Promise.all(pages.map((page) => page.getByTestId('connection').textContent()))
  expect(leaders.filter((text) => text?.includes('(leader)'))).toHaveLength(1)
  const end = await server.stats()
  expect(end.joinsTotal - before.joinsTotal).toBe(1)
  expect(end.connectionsTotal - before.connectionsTotal).toBe(1)
})
