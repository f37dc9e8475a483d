/**
 * The SSE e2e setup: the SSE test app built with Vite and served by the same nginx + nchan as its
 * streams, so the page, the SharedWorker script, `/sub` and `/pub` share one HTTP/1.1 origin and
 * the browser's 6-connections-per-origin cap applies to all of them.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { startNchan, type NchanOptions, type NchanServer } from '../../servers/nchan.ts'
import { waitUntil } from './wait.ts'

const APP_ROOT = fileURLToPath(new URL('../sse-app/', import.meta.url))

/**
 * The app on nginx + nchan, and how a spec drives it.
 * @example
 * const origin = await startSseOrigin({ subscriberTimeoutS: 2 }); await origin.publish('room', 1)
 */
export interface SseOrigin {
  url: string
  nchan: NchanServer
  /** Publishes `{type:'seq', n}` on `room` from the test process (not through the browser's pool). */
  publish(room: string, n: number): Promise<void>
  /** nginx's count of open streams. */
  streams(): Promise<number>
  stop(): Promise<void>
}

/**
 * Builds the SSE app and serves it from a fresh nginx + nchan.
 * @example
 * const origin = await startSseOrigin(); try { … } finally { await origin.stop() }
 */
export async function startSseOrigin(options: NchanOptions = {}): Promise<SseOrigin> {
  const outDir = await mkdtemp(join(tmpdir(), 'tabrelay-e2e-sse-'))
  await build({ root: APP_ROOT, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false }, worker: { format: 'es' } })
  // nginx's workers run as nobody when started by root: the build must be readable by them.
  await chmod(outDir, 0o755)
  const nchan = await startNchan({ ...options, staticRoot: outDir })
  return {
    url: nchan.url,
    nchan,
    async publish(room, n) {
      const response = await fetch(`${nchan.url}/pub/${encodeURIComponent(room)}`, { method: 'POST', body: JSON.stringify({ type: 'seq', n }) })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`publish ${n} to ${room} answered ${response.status}`)
    },
    streams: async () => Number(/^subscribers: (\d+)$/m.exec(await (await fetch(`${nchan.url}/nchan_status`)).text())?.[1] ?? NaN),
    async stop() {
      await nchan.stop()
      await rm(outDir, { recursive: true, force: true })
    },
  }
}

/**
 * Opens `count` pages of the app in one context (one SharedWorker), each ready.
 * @example
 * const pages = await openSsePages(context, `${origin.url}/?mode=relay&room=r&user=u`, 8)
 */
export async function openSsePages(context: BrowserContext, url: string, count: number): Promise<Page[]> {
  const pages: Page[] = []
  for (let i = 0; i < count; i++) {
    const page = await context.newPage()
    await page.goto(url)
    await page.waitForSelector('body[data-ready="true"]')
    pages.push(page)
  }
  return pages
}

/**
 * The `n`s each page received, in page order.
 * @example
 * expect(await receivedBy(pages)).toEqual(pages.map(() => [1, 2, 3]))
 */
export function receivedBy(pages: readonly Page[]): Promise<number[][]> {
  return Promise.all(pages.map((page) => page.evaluate(() => [...window.app.received])))
}

/**
 * Waits until every page received at least `count` messages, then returns what each received (the
 * spec asserts the exact lists, so a duplicate shows in the failure).
 * @example
 * expect(await untilEachReceived(pages, 3)).toEqual(pages.map(() => [1, 2, 3]))
 */
export function untilEachReceived(pages: readonly Page[], count: number, timeoutMs = 20_000): Promise<number[][]> {
  return waitUntil(() => receivedBy(pages), (got) => got.every((list) => list.length >= count), { what: `every page to receive ${count} messages`, timeoutMs })
}
