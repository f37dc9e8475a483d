/**
 * Driving the demo page (demo/) from specs: opening it for a user and room, reading and sending
 * chat messages, and a Realtime server of one spec with a PGlite data directory, which the spec
 * may restart on the same port with the same rows; the demo page one spec file shares.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { serveDemoPage, type DemoPage } from '../../../demo/stack.ts'
import { e2eEnv } from './env.ts'

/**
 * Serves the demo page against the run's Realtime server for the specs of one file (`beforeAll`
 * to `afterAll` of the `test` given); the returned object's `url` is valid inside the tests.
 * @example
 * const demo = demoPageForFile(test)
 * test('…', async ({ context }) => { await openDemo(context, demo.url, { user, room }) })
 */
export function demoPageForFile(test: { beforeAll(fn: () => Promise<void>): void; afterAll(fn: () => Promise<void>): void }): { readonly url: string } {
  let page: DemoPage | null = null
  test.beforeAll(async () => {
    const { realtimeUrl, anonKey } = e2eEnv()
    // Not watching: an edit to src/, worker/ or demo/ during the run would reload every open page.
    page = await serveDemoPage({ url: realtimeUrl, anonKey }, { port: 0, logLevel: 'warn', isWatching: false })
  })
  test.afterAll(async () => { await page?.close() })
  return {
    get url(): string {
      if (!page) throw new Error('the demo page is served from beforeAll on: use demo.url inside a test')
      return page.url
    },
  }
}

/**
 * Opens the demo for `user` in `room` (`pauseMs` shortens `pauseWhenHiddenMs`) and waits for the join.
 * @example
 * const page = await openDemo(context, demoUrl, { user: alice.sub, room })
 */
export async function openDemo(context: BrowserContext, demoUrl: string, params: { user: string; room: string; pauseMs?: number }): Promise<Page> {
  const page = await context.newPage()
  const url = new URL(demoUrl)
  url.searchParams.set('user', params.user)
  url.searchParams.set('room', params.room)
  if (params.pauseMs !== undefined) url.searchParams.set('pauseMs', String(params.pauseMs))
  await page.goto(url.toString())
  await page.locator('[data-testid="channel-status"][data-status="SUBSCRIBED"]').waitFor()
  return page
}

/**
 * Texts of the chat messages the page shows, in order.
 * @example
 * expect(await messagesOf(page)).toEqual(['hi'])
 */
export function messagesOf(page: Page): Promise<string[]> {
  return page.getByTestId('message-text').allTextContents()
}

/**
 * Types and sends one message.
 * @example
 * await sendMessage(page, 'hello')
 */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text)
  await page.getByTestId('chat-send').click()
}

/**
 * A room name of this test run only: the run's database is shared by every test, project and
 * repetition, and testIds of one file share their first half.
 * @example
 * const room = roomOf(test.info().testId)
 */
export function roomOf(testId: string): string {
  return `r-${testId.slice(-8)}-${Date.now().toString(36)}`
}

/** A Realtime server on a PGlite data directory; `restart()` reopens the same rows on the same port. */
export interface DataDirServer {
  readonly url: string
  readonly anonKey: string
  restart(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts a server on a fresh temporary data directory, removed by `close()`.
 * @example
 * const own = await dataDirServer(); await own.restart(); await own.close()
 */
export async function dataDirServer(): Promise<DataDirServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tabrelay-e2e-pglite-'))
  let server: RealtimeServer | null = await startRealtimeServer({ port: 0, host: '127.0.0.1', dataDir })
  const { port, url, anonKey } = server
  return {
    url, anonKey,
    async restart() {
      await server?.close()
      server = null
      server = await startRealtimeServer({ port, host: '127.0.0.1', dataDir })
    },
    async close() {
      await server?.close()
      server = null
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
