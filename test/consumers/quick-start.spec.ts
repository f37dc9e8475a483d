/**
 * The quick start, as a newcomer runs it: the `vite-react` app, whose client files are the README's
 * and docs/guide/quick-start.md's code blocks verbatim (test/docs/quick-start.ts), built from the
 * packed tarball by build.ts against the server named in its `.env`. Three tabs of one browser
 * context reach "3 tabs, 1 connection" (counted on the server: Playwright cannot see a
 * SharedWorker's socket) and each tab logs every message once: the `hi` of each later tab, then one
 * message broadcast by the server.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, type Page } from '@playwright/test'
import { startRealtimeServer, type RealtimeServer } from '../../demo/server/index.ts'
import { serveStatic, type StaticServer } from '../e2e/support/static.ts'
import { APPS, APPS_DIR } from './apps.ts'

const TABS = 3
const TOPIC = 'room:1'
const FROM_SERVER = { text: 'from the server' }

/** The app's `.env`: the URL and anon key its build baked in, as Vite reads them. */
function envOf(dir: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of readFileSync(join(dir, '.env'), 'utf8').split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line.trim())
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2]
  }
  return env
}

/** What the quick start's `console.log(payload)` printed in a page, in order, as JSON values. */
function logsOf(page: Page): unknown[] {
  const logged: unknown[] = []
  page.on('console', (message) => {
    if (message.type() !== 'log') return
    const [first] = message.args()
    // Each value is read when logged; `logged` keeps the order of the console events.
    const index = logged.push(undefined) - 1
    void first?.jsonValue().then((value: unknown) => { logged[index] = value })
  })
  return logged
}

for (const app of APPS.filter((candidate) => candidate.isQuickStart === true)) {
  test.describe(`${app.name} (the quick start)`, () => {
    const dir = join(fileURLToPath(APPS_DIR), app.name)
    const env = envOf(dir)
    let realtime: RealtimeServer
    let site: StaticServer

    test.beforeEach(async () => {
      const url = new URL(env['VITE_SUPABASE_URL'] ?? '')
      realtime = await startRealtimeServer({ port: Number(url.port), host: url.hostname })
      site = await serveStatic(join(dir, app.outDir))
    })

    test.afterEach(async () => {
      await Promise.allSettled([realtime.close(), site.close()])
    })

    test(`${TABS} tabs share 1 connection and each logs every message once`, async ({ browser }) => {
      expect(env['VITE_SUPABASE_ANON_KEY'], 'the .env anon key is the local server\'s').toBe(realtime.anonKey)
      const context = await browser.newContext()
      const logs: unknown[][] = []
      for (let tab = 1; tab <= TABS; tab++) {
        const page = await context.newPage()
        logs.push(logsOf(page))
        await page.goto(site.url)
        // The entry renders once src/realtime.ts finished: this tab joined and sent its `hi`.
        await expect(page.getByTestId('ready')).toHaveText('ready')
      }
      expect(realtime.stats().connections).toBe(1)
      expect(realtime.stats().topics[`realtime:${TOPIC}`]).toBe(1)

      // A broadcast skips its sender (supabase-js's `self: false`): tab n hears the `hi` of each later tab.
      const hi = { text: 'hi' }
      await expect.poll(() => logs.map((logged) => logged.length)).toEqual([2, 1, 0])
      // "Once": a message after them all shows that no duplicate was still on its way.
      const response = await fetch(`${realtime.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: realtime.anonKey },
        body: JSON.stringify({ messages: [{ topic: TOPIC, event: 'message', payload: FROM_SERVER }] }),
      })
      expect(response.status).toBe(202)
      await expect.poll(() => logs).toEqual([[hi, hi, FROM_SERVER], [hi, FROM_SERVER], [FROM_SERVER]])
      expect(realtime.stats().connectionsTotal).toBe(1)
      await context.close()
    })
  })
}
