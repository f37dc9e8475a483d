/**
 * Issue 17, the demo chat keeps its history: messages are rows of `messages`, read over the REST
 * subset when a tab opens, delivered live through `postgres_changes`, backfilled after a `resync`,
 * and kept by a PGlite data directory across a server restart. Each user has their own browser
 * context (one SharedWorker, one socket); every message must show exactly once in every tab.
 */
import { serveDemoPage } from '../../demo/stack.ts'
import { dataDirServer, demoPageForFile, messagesOf, openDemo, roomOf, sendMessage } from './support/demo.ts'
import { expect, test } from './support/fixtures.ts'
import { hide, show } from './support/pages.ts'
import { socketsOf } from './support/server.ts'
import { ONE_ENGINE } from './support/engines.ts'

const demo = demoPageForFile(test)

/** Stores rows as a backend would, through the REST subset with a user's token. */
async function insertRows(serverUrl: string, apikey: string, token: string, rows: Array<{ room: string; name: string; text: string }>): Promise<void> {
  const response = await fetch(new URL('/rest/v1/messages', serverUrl), {
    method: 'POST',
    headers: { apikey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  })
  if (response.status !== 201) throw new Error(`insert answered ${response.status}: ${await response.text()}`)
}

test('a new tab shows the room’s history; a message sent then reaches every tab once', async ({ browser, server, makeUser }) => {
  const room = roomOf(test.info().testId)
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  await insertRows(server.url, server.anonKey, bob.token, [{ room, name: bob.sub, text: 'first' }, { room, name: bob.sub, text: 'second' }])
  const aliceContext = await browser.newContext()
  const bobContext = await browser.newContext()
  try {
    const first = await openDemo(aliceContext, demo.url, { user: alice.sub, room })
    await expect.poll(() => messagesOf(first)).toEqual(['first', 'second'])
    // The page's own "Open another tab" button: a second tab, with the same history.
    const [opened] = await Promise.all([aliceContext.waitForEvent('page'), first.getByTestId('open-tab').click()])
    await opened.locator('[data-testid="channel-status"][data-status="SUBSCRIBED"]').waitFor()
    await expect.poll(() => messagesOf(opened)).toEqual(['first', 'second'])
    const alices = [first, opened]
    const bobs = await openDemo(bobContext, demo.url, { user: bob.sub, room })
    await sendMessage(opened, 'third, from alice')
    for (const page of [...alices, bobs]) await expect.poll(() => messagesOf(page)).toEqual(['first', 'second', 'third, from alice'])
    await expect(bobs.getByTestId('message').last()).toHaveAttribute('data-sender', alice.sub)
  } finally {
    await aliceContext.close()
    await bobContext.close()
  }
})

test('all of alice’s tabs paused while bob sends 3 → shown again → the 3 appear once in every tab', async ({ browser, server, makeUser }) => {
  const room = roomOf(test.info().testId)
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  const aliceContext = await browser.newContext()
  const bobContext = await browser.newContext()
  try {
    const alices = [
      await openDemo(aliceContext, demo.url, { user: alice.sub, room, pauseMs: 500 }),
      await openDemo(aliceContext, demo.url, { user: alice.sub, room, pauseMs: 500 }),
    ]
    const bobs = await openDemo(bobContext, demo.url, { user: bob.sub, room })
    await sendMessage(bobs, 'before the pause')
    for (const page of alices) await expect.poll(() => messagesOf(page)).toEqual(['before the pause'])

    for (const page of alices) await hide(page)
    for (const page of alices) await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'paused')
    await expect.poll(async () => socketsOf(await server.stats(), alice.sub).length, { message: 'alice has no socket while paused' }).toBe(0)
    const missed = ['one', 'two', 'three']
    for (const text of missed) {
      await sendMessage(bobs, text)
      // One at a time, so the three rows are stored in this order.
      await expect(bobs.getByTestId('message-text').last()).toHaveText(text)
    }

    const [, shown] = alices
    if (!shown) throw new Error('alice has two tabs')
    await show(shown)
    const expected = ['before the pause', ...missed]
    for (const page of alices) {
      await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'open')
      await expect.poll(() => messagesOf(page)).toEqual(expected)
      // They came by the backfill: no change was delivered while alice had no socket.
      await expect(page.locator('[data-testid="log-entry"][data-kind="history"]', { hasText: 'backfill' })).toHaveCount(1)
    }
    expect(await messagesOf(bobs)).toEqual(expected)
    // Live changes flow again afterwards, once each.
    await sendMessage(bobs, 'after')
    for (const page of [...alices, bobs]) await expect.poll(() => messagesOf(page)).toEqual([...expected, 'after'])
  } finally {
    await aliceContext.close()
    await bobContext.close()
  }
})

test('a server restarted on its PGlite data directory keeps the history', ONE_ENGINE, async ({ browser }) => {
  const own = await dataDirServer()
  const page = await serveDemoPage({ url: own.url, anonKey: own.anonKey }, { port: 0, logLevel: 'warn', isWatching: false })
  const context = await browser.newContext()
  try {
    const room = roomOf(test.info().testId)
    const tab = await openDemo(context, page.url, { user: 'alice', room })
    await sendMessage(tab, 'kept 1')
    await expect(tab.getByTestId('message-text').last()).toHaveText('kept 1')
    await sendMessage(tab, 'kept 2')
    await expect.poll(() => messagesOf(tab)).toEqual(['kept 1', 'kept 2'])

    await own.restart()
    // The open tab reconnects and backfills; the ids it shows already are not shown twice.
    await expect(tab.getByTestId('status')).toHaveAttribute('data-status', 'open')
    const fresh = await browser.newContext()
    try {
      const newTab = await openDemo(fresh, page.url, { user: 'bob', room })
      await expect.poll(() => messagesOf(newTab)).toEqual(['kept 1', 'kept 2'])
      await sendMessage(newTab, 'after the restart')
      for (const p of [tab, newTab]) await expect.poll(() => messagesOf(p)).toEqual(['kept 1', 'kept 2', 'after the restart'])
    } finally {
      await fresh.close()
    }
  } finally {
    await context.close()
    await page.close()
    await own.close()
  }
})
