/**
 * The app's multi-tab behaviour, written with tabrelay/testing only (its `test` with the `tabs`
 * fixture, extended in app.ts with the server's counts): 3 tabs of one user on 1 connection, a
 * notification played once across them (by the leader), a pause when every tab is hidden, a closed
 * tab released by the hub, and a dropped connection coming back.
 */
import type { Page } from '@playwright/test'
import { expect, test } from './app.ts'

function pick(pages: readonly Page[], index: number): Page {
  const page = pages[index]
  if (!page) throw new Error(`no tab ${index}`)
  return page
}

/** What every tab played, in tab order, once each received `received` notifications. */
async function playedAfter(pages: readonly Page[], received: number): Promise<number[]> {
  for (const page of pages) await expect(page.getByTestId('received')).toHaveText(String(received))
  return Promise.all(pages.map(async (page) => Number(await page.getByTestId('played').textContent())))
}

test('3 tabs share 1 connection; a notification plays once, in the leader tab', async ({ tabs, appUrl, server }) => {
  const pages = await tabs.open(3, appUrl())
  expect((await server()).connections).toBe(1)
  const view = await tabs.hub(pick(pages, 0))
  expect([view.tabs, view.connections]).toEqual([3, 1])
  await expect.poll(async () => (await tabs.hub(pick(pages, 0))).topics.find((t) => t.topic.endsWith('alerts'))?.tabs).toBe(3)

  const leader = await tabs.waitForLeader(pages)
  const sender = pick(pages.filter((page) => page !== leader), 0)
  await sender.getByTestId('notify').click()
  expect(await playedAfter(pages, 1)).toEqual(pages.map((page) => (page === leader ? 1 : 0)))

  // Hiding the leader hands the role to a visible tab; the next notification plays there, once.
  await tabs.hide(leader)
  const next = await tabs.waitForLeader(pages)
  expect(next).not.toBe(leader)
  await leader.getByTestId('notify').click()
  expect(await playedAfter(pages, 2)).toEqual(pages.map((page) => (page === leader || page === next ? 1 : 0)))
  expect((await server()).opened).toBe(1)
})

test('hiding every tab pauses the connection; showing one resumes it', async ({ tabs, appUrl, server }) => {
  const pages = await tabs.open(3, appUrl(300))
  for (const page of pages) await tabs.hide(page)
  for (const page of pages) await tabs.waitForStatus(page, 'paused')
  await expect.poll(async () => (await server()).connections).toBe(0)

  await tabs.show(pick(pages, 1))
  for (const page of pages) await tabs.waitForStatus(page, 'open')
  expect((await server()).connections).toBe(1)
  expect(await tabs.waitForLeader(pages)).toBe(pick(pages, 1))
})

test('closing a tab releases it at once; closing the leader elects another', async ({ tabs, appUrl, server }) => {
  const pages = await tabs.open(3, appUrl())
  const leader = await tabs.waitForLeader(pages)
  const [first, second] = pages.filter((page) => page !== leader)
  if (!first || !second) throw new Error('expected two tabs besides the leader')

  await tabs.closeTab(first)
  expect((await tabs.hub(second)).tabs).toBe(2)
  await tabs.closeTab(leader)
  const view = await tabs.hub(second)
  expect([view.tabs, view.connections, view.isLeader]).toEqual([1, 1, true])
  expect((await server()).connections).toBe(1)
})

test('a connection the server drops comes back, still one, and notifications still play once', async ({ tabs, appUrl, server }) => {
  const pages = await tabs.open(3, appUrl())
  await tabs.dropConnection()
  await expect.poll(async () => await server()).toEqual({ connections: 1, opened: 2 })
  for (const page of pages) await tabs.waitForStatus(page, 'open')
  await expect.poll(async () => (await tabs.hub(pick(pages, 2))).topics.find((t) => t.topic.endsWith('alerts'))?.status).toBe('SUBSCRIBED')

  const leader = await tabs.waitForLeader(pages)
  await pick(pages, 0).getByTestId('notify').click()
  expect(await playedAfter(pages, 1)).toEqual(pages.map((page) => (page === leader ? 1 : 0)))
})
