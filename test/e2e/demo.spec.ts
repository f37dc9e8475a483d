/**
 * The demo page (demo/, issue 5) as a user sees it: four tabs of one user and one of another, in
 * two browser contexts, on the demo's own Vite dev server pointed at the run's Realtime server.
 * Assertions read the page's `data-testid`s and compare with the server's `/stats`.
 */
import { mkdir } from 'node:fs/promises'
import type { BrowserContext, Page } from '@playwright/test'
import { expect, test } from './support/fixtures.ts'
import { hide } from './support/pages.ts'
import { demoPageForFile, roomOf } from './support/demo.ts'
import { socketsOf } from './support/server.ts'

const SCREENSHOTS = 'test/e2e/screenshots'
const VIEWPORT = { width: 1280, height: 800 }

const demo = demoPageForFile(test)

// The chat keeps its rows now: a room of this test alone, or another project's messages would show.
let room = 'e2e'

async function openDemo(context: BrowserContext, user: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${demo.url}?user=${encodeURIComponent(user)}&room=${room}`)
  return page
}

/** Texts of the chat messages the page shows, in order. */
function messagesOf(page: Page): Promise<string[]> {
  return page.getByTestId('message-text').allTextContents()
}

/** Names in the page's "online" list. */
function onlineOf(page: Page): Promise<string[]> {
  return page.getByTestId('presence-user').evaluateAll((items) => items.map((item) => item.getAttribute('data-user') ?? ''))
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text)
  await page.getByTestId('chat-send').click()
}

test('4 tabs of alice and 1 of bob: chat, presence, typing, and one connection per user', async ({ browser, server, makeUser }, testInfo) => {
  room = roomOf(testInfo.testId)
  const alice = (await makeUser('alice')).sub
  const bob = (await makeUser('bob')).sub
  const aliceContext = await browser.newContext({ viewport: VIEWPORT })
  const bobContext = await browser.newContext({ viewport: VIEWPORT })
  try {
    const first = await openDemo(aliceContext, alice)
    // The second tab comes from the page's own button: window.open of the same URL.
    const [opened] = await Promise.all([aliceContext.waitForEvent('page'), first.getByTestId('open-tab').click()])
    const alicePages = [first, opened, await openDemo(aliceContext, alice), await openDemo(aliceContext, alice)]
    const bobPage = await openDemo(bobContext, bob)
    const everyone = [...alicePages, bobPage]
    for (const page of everyone) await expect(page.getByTestId('channel-status')).toHaveAttribute('data-status', 'SUBSCRIBED')

    await test.step('the server holds one socket per user, and every panel says so', async () => {
      await expect.poll(async () => {
        const stats = await server.stats()
        return [stats.connections, socketsOf(stats, alice).length, socketsOf(stats, bob).length]
      }).toEqual([2, 1, 1])
      for (const page of everyone) await expect(page.getByTestId('server-connections')).toHaveText(String((await server.stats()).connections))
      for (const page of alicePages) {
        await expect(page.getByTestId('tabs')).toHaveText('4')
        await expect(page.getByTestId('user-connections')).toHaveText('1')
        await expect(page.getByTestId('headline')).toHaveText('4 tabs · 1 connection')
      }
      await expect(bobPage.getByTestId('tabs')).toHaveText('1')
      await expect(bobPage.getByTestId('headline')).toHaveText('1 tab · 1 connection')
      const workerIds = await Promise.all(alicePages.map((page) => page.evaluate(() => window.realtime?.workerId)))
      expect(new Set(workerIds).size, 'all of alice’s tabs talk to one worker').toBe(1)
      const badges = (): Promise<boolean[]> => Promise.all(alicePages.map((page) => page.getByTestId('leader-badge').isVisible()))
      await expect.poll(async () => (await badges()).filter(Boolean).length, { message: 'exactly one of alice’s tabs shows the leader badge' }).toBe(1)
    })

    await test.step('presence lists users, not tabs', async () => {
      const both = [alice, bob].sort()
      for (const page of everyone) await expect.poll(() => onlineOf(page)).toEqual(both)
    })

    await test.step('every message reaches every tab exactly once, in order, the sender’s tab included', async () => {
      await send(alicePages[2] ?? first, 'Hi Bob! I have four tabs open.')
      await expect(bobPage.getByTestId('message-text')).toHaveText(['Hi Bob! I have four tabs open.'])
      await send(bobPage, 'Hey Alice! And they all share one socket?')
      await send(first, 'Yes: look at the count on the right.')
      const expected = ['Hi Bob! I have four tabs open.', 'Hey Alice! And they all share one socket?', 'Yes: look at the count on the right.']
      for (const page of everyone) await expect.poll(() => messagesOf(page)).toEqual(expected)
      await expect(first.getByTestId('message').first()).toHaveAttribute('data-sender', alice)
    })

    await test.step('typing shows in the other user’s tabs and clears by itself', async () => {
      await bobPage.getByTestId('chat-input').pressSequentially('Nice')
      // Once Bob's own page has his typing presence, it shows no "is typing" for himself.
      await expect(bobPage.locator(`[data-testid="presence-user"][data-user="${bob}"]`)).toHaveClass(/\btyping\b/)
      await expect(bobPage.getByTestId('typing')).toHaveText('')
      for (const page of alicePages) await expect(page.getByTestId('typing')).toHaveText(`${bob} is typing…`)
      await mkdir(SCREENSHOTS, { recursive: true })
      const name = testInfo.project.name === 'chromium' ? 'demo.png' : `demo-${testInfo.project.name}.png`
      await first.screenshot({ path: `${SCREENSHOTS}/${name}` })
      // The demo clears the signal after 3 s without a keystroke.
      for (const page of alicePages) await expect(page.getByTestId('typing')).toHaveText('', { timeout: 8_000 })
    })

    await test.step('with every tab of alice hidden, only the leader rings for bob’s message', async () => {
      for (const page of alicePages) await hide(page)
      await expect.poll(async () => (await Promise.all(alicePages.map((page) => page.getByTestId('visible-tabs').textContent()))).every((n) => n === '0')).toBe(true)
      const readLeaders = (): Promise<boolean[]> => Promise.all(alicePages.map((page) => page.evaluate(() => window.realtime?.isLeader === true)))
      await expect.poll(async () => (await readLeaders()).filter(Boolean).length).toBe(1)
      const leaders = await readLeaders()
      await send(bobPage, 'Anyone there?')
      for (const page of alicePages) await expect(page.getByTestId('message-text').last()).toHaveText('Anyone there?')
      const rings = await Promise.all(alicePages.map((page) => page.evaluate(() => document.body.dataset['notified'] ?? '0')))
      expect(rings).toEqual(leaders.map((isLeader) => (isLeader ? '1' : '0')))
    })
  } finally {
    await aliceContext.close()
    await bobContext.close()
  }
})

test('without SharedWorker (host auto → a tab host) the demo still shows "3 tabs · 1 connection"', async ({ browser, server, makeUser }) => {
  const alice = (await makeUser('alice')).sub
  const context = await browser.newContext({ viewport: VIEWPORT })
  try {
    await context.addInitScript(() => {
      Object.defineProperty(window, 'SharedWorker', { value: undefined, configurable: true, writable: true })
    })
    const pages = [await openDemo(context, alice), await openDemo(context, alice), await openDemo(context, alice)]
    for (const page of pages) await expect(page.getByTestId('headline')).toHaveText('3 tabs · 1 connection')
    expect(socketsOf(await server.stats(), alice)).toHaveLength(1)
  } finally {
    await context.close()
  }
})
