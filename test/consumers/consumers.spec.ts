/**
 * Every consumer app, as built from the packed tarball by build.ts (but the quick start's, see
 * quick-start.spec.ts, and those with their own suite): three tabs of one browser
 * context share one socket to the server and one join, and a broadcast sent from one tab shows up
 * once in each of the other two.
 */
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startRealtimeServer, type RealtimeServer } from '../../demo/server/index.ts'
import { serveStatic, type StaticServer } from '../e2e/support/static.ts'
import { waitFor } from '../e2e/support/wait.ts'
import { APPS, APPS_DIR } from './apps.ts'

const TABS = 3

function messages(page: Page): Promise<string[]> {
  return page.getByTestId('message').allTextContents()
}

for (const app of APPS.filter((candidate) => candidate.hasOwnSuite !== true && candidate.isQuickStart !== true)) {
  test.describe(app.name, () => {
    let realtime: RealtimeServer
    let site: StaticServer

    test.beforeEach(async () => {
      realtime = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
      site = await serveStatic(join(fileURLToPath(APPS_DIR), app.name, app.outDir))
    })

    test.afterEach(async () => {
      await Promise.allSettled([realtime.close(), site.close()])
    })

    for (const path of app.pages ?? ['/']) {
      test(`${path}: ${TABS} tabs share 1 connection; a broadcast reaches the other ${TABS - 1} tabs once`, async ({ browser }) => {
        const context = await browser.newContext()
        const topic = `room:${app.name}${path}`
        const pages: Page[] = []
        for (let tab = 1; tab <= TABS; tab++) {
          const page = await context.newPage()
          const query = new URLSearchParams({ realtime: realtime.url, apikey: realtime.anonKey, topic, tab: String(tab) })
          await page.goto(new URL(`${path}?${query.toString()}`, site.url).href)
          await expect(page.getByTestId('channel-status')).toHaveText('SUBSCRIBED')
          pages.push(page)
        }
        const [first, second, third] = pages
        if (!first || !second || !third) throw new Error(`expected ${TABS} pages`)

        expect(realtime.stats().connections).toBe(1)
        expect(realtime.stats().topics[`realtime:${topic}`]).toBe(1)

        await first.getByTestId('send').click()
        for (const page of [second, third]) await expect(page.getByTestId('message')).toHaveText(['1-1'])
        // "Once": a second broadcast, from another tab, arrives after any duplicate of the first would have.
        await second.getByTestId('send').click()
        await waitFor(async () => (await messages(third)).includes('2-1'), { what: 'the second broadcast in tab 3' })
        expect(await messages(first)).toEqual(['2-1'])
        expect(await messages(second)).toEqual(['1-1'])
        expect(await messages(third)).toEqual(['1-1', '2-1'])
        expect(realtime.stats().connectionsTotal).toBe(1)
        await context.close()
      })
    }
  })
}
