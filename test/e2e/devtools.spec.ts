/**
 * `tabrelay/devtools` in the demo (issue 26): the panel open in one of three tabs of a user shows,
 * within a second each, a closed tab, the leader hiding, the socket dropped by the server and an
 * oversize payload refused — and never a tab of the second user in the same browser context (the
 * same SharedWorker); the copied report holds no token.
 */
import type { Locator, Page } from '@playwright/test'
import { expect, test } from './support/fixtures.ts'
import { demoPageForFile, openDemo, roomOf } from './support/demo.ts'
import { hide } from './support/pages.ts'

const demo = demoPageForFile(test)

/** Each change must reach the panel this fast (its poll is 500 ms). */
const WITHIN_MS = 1_000

// A JWT anywhere: a user's token, the anon key.
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/

async function openPanel(page: Page): Promise<Locator> {
  await page.getByTestId('devtools-open').click()
  const panel = page.locator('tabrelay-devtools')
  await expect(panel.getByTestId('devtools-tab').first()).toBeAttached()
  return panel
}

function rowsOf(panel: Locator): Locator {
  return panel.getByTestId('devtools-tab')
}

function idsOf(panel: Locator): Promise<string[]> {
  return rowsOf(panel).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-tab-id') ?? ''))
}

async function selfIdOf(panel: Locator): Promise<string> {
  return (await panel.locator('[data-testid="devtools-tab"][data-self="true"]').getAttribute('data-tab-id')) ?? ''
}

function isLeader(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { realtime?: { isLeader: boolean } }).realtime?.isLeader === true)
}

test('the panel shows a closed tab, a hidden leader, a dropped socket and an oversize send within 1 s, and never the other user', async ({ browser, server, makeUser }, testInfo) => {
  const room = roomOf(testInfo.testId)
  const alice = (await makeUser('alice')).sub
  const bob = (await makeUser('bob')).sub
  // One context: one SharedWorker serves both users' tabs, each on its own connection.
  const context = await browser.newContext()
  try {
    const pages = [await openDemo(context, demo.url, { user: alice, room }), await openDemo(context, demo.url, { user: alice, room }), await openDemo(context, demo.url, { user: alice, room })]
    const bobPage = await openDemo(context, demo.url, { user: bob, room: `${room}-bob` })
    const [panelPage, second, third] = pages
    if (!panelPage || !second || !third) throw new Error('three pages expected')
    const panel = await openPanel(panelPage)
    const bobId = await selfIdOf(await openPanel(bobPage))
    await expect(rowsOf(panel)).toHaveCount(3)
    expect(bobId).not.toBe('')
    const aliceIds = await idsOf(panel)
    expect(aliceIds).not.toContain(bobId)

    await test.step('a closed tab leaves the list, and the journal says why (the page says bye as it closes; else its lock tells)', async () => {
      const before = new Set(aliceIds)
      await third.close()
      await expect(rowsOf(panel)).toHaveCount(2, { timeout: WITHIN_MS })
      const left = await idsOf(panel)
      const closedId = [...before].find((id) => !left.includes(id)) ?? ''
      expect(closedId).not.toBe('')
      await expect(panel.locator(`[data-testid="devtools-entry"][data-kind="tab-removed"][data-tab-id="${closedId}"]`)).toContainText(/removed \((bye|lock)\)/, { timeout: WITHIN_MS })
    })

    await test.step('hiding the leader: shown hidden, and another tab leads', async () => {
      const leaderPage = (await isLeader(panelPage)) ? panelPage : second
      expect(await isLeader(leaderPage)).toBe(true)
      const leaderId = (await panel.locator('[data-testid="devtools-tab"][data-leader="true"]').getAttribute('data-tab-id')) ?? ''
      await hide(leaderPage)
      const row = panel.locator(`[data-testid="devtools-tab"][data-tab-id="${leaderId}"]`)
      await expect(row).toHaveAttribute('data-visibility', 'hidden', { timeout: WITHIN_MS })
      await expect(row).toHaveAttribute('data-leader', 'false', { timeout: WITHIN_MS })
      await expect(panel.locator('[data-testid="devtools-tab"][data-leader="true"][data-visibility="visible"]')).toHaveCount(1, { timeout: WITHIN_MS })
    })

    await test.step('a socket the server drops: reconnecting with attempt and retry time, then open again', async () => {
      const response = await fetch(new URL('/dev/drop', server.url), { method: 'POST' })
      expect(response.ok).toBe(true)
      const entry = panel.locator('[data-testid="devtools-timeline-entry"][data-status="reconnecting"]').first()
      await expect(entry).toContainText(/attempt 1, retry at \d\d:\d\d:\d\d\.\d{3}\): transport/, { timeout: WITHIN_MS })
      await expect(panel.getByTestId('devtools-status')).toHaveAttribute('data-status', 'open', { timeout: 20_000 })
    })

    await test.step('an oversize send is refused in its tab and shown with its code and tab', async () => {
      const selfId = await selfIdOf(panel)
      const answer = await panelPage.evaluate(async () => {
        const realtime = (window as unknown as { realtime: { getChannels(): Array<{ send(m: unknown): Promise<string> }> } }).realtime
        const channel = realtime.getChannels()[0]
        if (!channel) return 'no channel'
        try {
          return await channel.send({ type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(3_200_000) } })
        } catch (error) {
          return `threw ${(error as { code?: string }).code ?? String(error)}`
        }
      })
      expect(answer).not.toBe('ok')
      const error = panel.locator(`[data-testid="devtools-error"][data-code="bad-input"][data-tab-id="${selfId}"]`)
      await expect(error).toContainText('payload is 3.1 MB', { timeout: WITHIN_MS })
    })

    await test.step("the other user's tabs never appeared; the report holds no token", async () => {
      expect(await idsOf(panel)).not.toContain(bobId)
      await expect(panel.locator(`[data-tab-id="${bobId}"]`)).toHaveCount(0)
      await expect(panel.getByTestId('devtools-topic')).toHaveCount(1)
      await expect(panel.getByTestId('devtools-topic')).toHaveAttribute('data-topic', `room:${room}`)
      await panel.getByTestId('devtools-copy').click()
      const report = panel.getByTestId('devtools-report')
      await expect(report).toHaveValue(/"kind": "tabrelay-report"/)
      const text = await report.inputValue()
      expect(text).not.toMatch(JWT)
      expect(text).not.toContain(server.anonKey)
      expect(text).not.toContain(bobId)
      expect(text).not.toContain('xxxxxxxxxx')
      expect(text).toContain('"code": "bad-input"')
    })
  } finally {
    await context.close()
  }
})
