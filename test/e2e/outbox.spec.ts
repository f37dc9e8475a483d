/**
 * The persisted outbox (`outbox: 'persist'`, issue 25) in real browsers: a message sent while the
 * server is down survives every tab of the user and the worker closing, and reaches every tab of
 * the room once when the user comes back online; signed out in between, it is never sent. The
 * spec runs its own Realtime server, stopped and started again on the same port (the tokens stay
 * valid: same secret), and reads the page origin's IndexedDB to see what is stored.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { startRealtimeServer, type RealtimeServer } from '../../demo/server/index.ts'
import { expect, test, topicOf } from './support/fixtures.ts'
import { appUrl, openTab } from './support/pages.ts'

const WITHIN_MS = 20_000
const HOST = '127.0.0.1'

/** The spec's own server, which it takes down and brings back on the same port. */
class OwnServer {
  #server: RealtimeServer
  readonly port: number
  readonly url: string
  readonly anonKey: string

  private constructor(server: RealtimeServer) {
    this.#server = server
    this.port = server.port
    this.url = server.url
    this.anonKey = server.anonKey
  }

  static async start(): Promise<OwnServer> {
    return new OwnServer(await startRealtimeServer({ port: 0, host: HOST }))
  }

  token(sub: string): Promise<string> { return this.#server.mintToken({ sub }) }
  joined(topic: string): number { return this.#server.stats().topics[`realtime:${topic}`] ?? 0 }
  down(): Promise<void> { return this.#server.close() }
  async up(): Promise<void> { this.#server = await startRealtimeServer({ port: this.port, host: HOST }) }
  close(): Promise<void> { return this.#server.close() }
}

/** A tab of the test app on the spec's server, subscribed to `topic`. */
async function tab(context: BrowserContext, server: OwnServer, token: string, topic: string, options: { [key: string]: string | number } = {}): Promise<Page> {
  const page = await openTab(context, appUrl({ realtimeUrl: server.url, apikey: server.anonKey, token, options }))
  const result = await page.evaluate((t) => window.harness.subscribe(t), topic)
  expect(result.status).toBe('SUBSCRIBED')
  return page
}

const texts = (page: Page, topic: string): Promise<unknown[]> =>
  page.evaluate((t) => window.harness.received(t).map((m) => (m.payload as { text?: unknown }).text), topic)

const send = (page: Page, topic: string, text: string): Promise<string> =>
  page.evaluate(({ t, text }) => window.harness.send(t, 'msg', { text }), { t: topic, text })

const status = (page: Page): Promise<string> => page.evaluate(() => window.harness.realtime.status)

/** Sends stored in the origin's persisted outbox (the hub's IndexedDB database), read from a page. */
function stored(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('tabrelay-outbox')
    // Created here only if no hub created it yet, with the store the hub's idb-keyval would make.
    open.onupgradeneeded = () => { open.result.createObjectStore('sends') }
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const count = open.result.transaction('sends').objectStore('sends').count()
      count.onsuccess = () => { open.result.close(); resolve(count.result) }
      count.onerror = () => reject(count.error)
    }
  }))
}

/** Alice's one tab sends while the server is down; the send is stored. Returns her tab. */
async function offlineSend(server: OwnServer, context: BrowserContext, token: string, topic: string, text: string): Promise<Page> {
  // extendedLifetime 0: the worker ends with the user's last page (Chromium keeps it ~5 min otherwise).
  const page = await tab(context, server, token, topic, { outbox: 'persist', extendedLifetime: 0 })
  await server.down()
  await expect.poll(() => status(page), { timeout: WITHIN_MS }).toBe('reconnecting')
  await expect(send(page, topic, text)).resolves.toBe('queued')
  await expect.poll(() => page.evaluate((t) => window.harness.outbox(t).map((r) => r.state), topic)).toEqual(['queued'])
  expect(await stored(page)).toBe(1)
  return page
}

/** The server is back and Bob's tab (online all along, another profile) has joined the room again. */
async function backOnline(server: OwnServer, bobs: Page, topic: string): Promise<void> {
  await server.up()
  await expect.poll(() => status(bobs), { timeout: WITHIN_MS }).toBe('open')
  await expect.poll(() => server.joined(topic), { timeout: WITHIN_MS }).toBe(1)
}

test.describe('persisted outbox', () => {
  let server: OwnServer
  test.beforeEach(async () => { server = await OwnServer.start() })
  test.afterEach(async () => { await server.close() })

  test('an offline send survives every tab and the worker closing, and reaches every tab of the room once', async ({ browser, context }) => {
    const topic = topicOf('outbox')
    const [alice, bob] = await Promise.all([server.token('alice'), server.token('bob')])
    const bobContext = await browser.newContext()
    try {
      const bobs = await tab(bobContext, server, bob, topic)
      const sender = await offlineSend(server, context, alice, topic, 'sent offline')
      const firstWorker = await sender.evaluate(() => window.harness.realtime.workerId)
      await sender.close()
      expect(context.pages()).toHaveLength(0)

      await backOnline(server, bobs, topic)
      // A new page in the same profile: a new worker, which finds the send in IndexedDB.
      const back = await tab(context, server, alice, topic, { outbox: 'persist', extendedLifetime: 0 })
      expect(await back.evaluate(() => window.harness.realtime.workerId)).not.toBe(firstWorker)
      await expect.poll(() => texts(bobs, topic), { timeout: WITHIN_MS }).toEqual(['sent offline'])
      await expect.poll(() => texts(back, topic)).toEqual(['sent offline'])
      await expect.poll(() => back.evaluate((t) => window.harness.outbox(t).map((r) => r.state), topic)).toEqual(['ok'])
      await expect.poll(() => stored(back)).toBe(0)
      // Once: a later message arrives after it, and nothing else came in between.
      await expect(send(back, topic, 'after')).resolves.toBe('ok')
      await expect.poll(() => texts(bobs, topic), { timeout: WITHIN_MS }).toEqual(['sent offline', 'after'])
      expect(await texts(back, topic)).toEqual(['sent offline'])
    } finally {
      await bobContext.close()
    }
  })

  test('signed out in between (setAuth(null)), the stored send is deleted and never sent', async ({ browser, context }) => {
    const topic = topicOf('outbox-out')
    const [alice, bob] = await Promise.all([server.token('alice'), server.token('bob')])
    const bobContext = await browser.newContext()
    try {
      const bobs = await tab(bobContext, server, bob, topic)
      const sender = await offlineSend(server, context, alice, topic, 'never')
      await sender.evaluate(() => window.harness.realtime.setAuth(null))
      await expect.poll(() => stored(sender)).toBe(0)
      await sender.close()

      await backOnline(server, bobs, topic)
      const back = await tab(context, server, alice, topic, { outbox: 'persist', extendedLifetime: 0 })
      await expect(send(back, topic, 'after')).resolves.toBe('ok')
      await expect.poll(() => texts(bobs, topic), { timeout: WITHIN_MS }).toEqual(['after'])
      expect(await back.evaluate((t) => window.harness.outbox(t), topic)).toEqual([])
    } finally {
      await bobContext.close()
    }
  })
})
