/**
 * Helpers of the lifecycle specs (issue 4): a page-side log of connection statuses, leader changes
 * and resync signals; broadcasts sent from the test process through the server's REST route; a
 * Realtime server of the test's own, which it may kill and restart on the same port; and the
 * DevTools-protocol ways to crash a page or terminate the SharedWorker.
 */
import type { Browser, Page } from '@playwright/test'
import { startRealtimeServer, type RealtimeServer, type Stats } from '../../../demo/server/index.ts'
import type { SubscribeOptions, SubscribeResult } from '../app/harness.ts'
import type { Json, StatusEvent } from '../../../src/supabase/index.ts'
import { test as base } from './fixtures.ts'
import { waitForStatus as waitForClientStatus } from '../../../src/testing/node/tabs.ts'

/** One status event as the page's `onStatus` saw it, with the page's `Date.now()`. */
export type StatusEntry = StatusEvent & { at: number }

/** What {@link recordLifecycle} keeps in `window.lifecycle`. */
export interface LifecycleLog {
  statuses: StatusEntry[]
  leader: Array<{ isLeader: boolean; at: number }>
  /** Per topic, every `system` `resync` the channel got. */
  resyncs: { [topic: string]: Array<{ since: number | null; at: number }> }
  /** Per topic, every status the channel's subscribe callback got after the first, with its error. */
  channels: { [topic: string]: Array<{ status: string; code: string | null; message: string | null; at: number }> }
}

declare global {
  interface Window {
    lifecycle: LifecycleLog
  }
}

/**
 * Starts logging the page's status events and leader changes into `window.lifecycle` (again after a reload).
 * @example
 * await recordLifecycle(page); await waitForStatus(page, 'paused')
 */
export async function recordLifecycle(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: LifecycleLog = { statuses: [], leader: [], resyncs: {}, channels: {} }
    window.lifecycle = log
    window.harness.realtime.onStatus((_status, detail) => { log.statuses.push({ ...detail, at: Date.now() }) })
    window.harness.realtime.onLeaderChange((isLeader) => { log.leader.push({ isLeader, at: Date.now() }) })
  })
}

/**
 * `harness.subscribe()` with a `system` `resync` listener registered first, logged per topic; later
 * statuses are logged with their error code too (and still reach `harness.statuses()`).
 * @example
 * expect((await subscribeWithResync(page, 'room:1')).status).toBe('SUBSCRIBED')
 */
export function subscribeWithResync(page: Page, topic: string, options: SubscribeOptions = {}): Promise<SubscribeResult> {
  return page.evaluate(async ([t, o]) => {
    // The same config harness.subscribe() builds: channel() then returns this very channel.
    const channel = window.harness.realtime.channel(t, { config: { broadcast: { self: o.self ?? false, ack: o.ack ?? false } } })
    const resyncs: LifecycleLog['resyncs'][string] = []
    window.lifecycle.resyncs[t] = resyncs
    channel.on('system', { event: 'resync' }, ({ since }) => { resyncs.push({ since, at: Date.now() }) })
    const result = await window.harness.subscribe(t, o)
    // subscribe() again only replaces the status callback: this one logs the error's code as well.
    const statuses = window.harness.statuses(t)
    const log: LifecycleLog['channels'][string] = []
    window.lifecycle.channels[t] = log
    channel.subscribe((status, error) => {
      statuses.push(status)
      const code = error && 'code' in error && typeof error.code === 'string' ? error.code : null
      log.push({ status, code, message: error?.message ?? null, at: Date.now() })
    })
    return result
  }, [topic, options] as const)
}

/**
 * The page's lifecycle log.
 * @example
 * const { statuses } = await lifecycleOf(page)
 */
export function lifecycleOf(page: Page): Promise<LifecycleLog> {
  return page.evaluate(() => window.lifecycle)
}

/**
 * Waits until the page's client reports `status` (tabrelay/testing's `waitForStatus`, which the
 * test app's `registerForTesting` serves) and returns the last status event it logged.
 * @example
 * await waitForStatus(page, 'open')
 */
export async function waitForStatus(page: Page, status: StatusEvent['status'], timeoutMs = 10_000): Promise<StatusEntry | undefined> {
  await waitForClientStatus(page, status, { timeoutMs })
  return (await lifecycleOf(page)).statuses.at(-1)
}

/**
 * `realtime.isLeader` of every page, in page order.
 * @example
 * expect(await leaders(pages)).toEqual([false, true, false])
 */
export function leaders(pages: readonly Page[]): Promise<boolean[]> {
  return Promise.all(pages.map((page) => page.evaluate(() => window.harness.realtime.isLeader)))
}

/**
 * Broadcasts through the server's REST route, as a backend would: it reaches every socket joined
 * to `topic`, so the hub receives it from the server like any event from another user.
 * @example
 * await restBroadcast(server.url, server.anonKey, 'room:1', 'seq', { n: 1 })
 */
export async function restBroadcast(serverUrl: string, apikey: string, topic: string, event: string, payload: { [key: string]: Json }): Promise<void> {
  const response = await fetch(new URL('/realtime/v1/api/broadcast', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey },
    body: JSON.stringify({ messages: [{ topic, event, payload }] }),
  })
  if (response.status !== 202) throw new Error(`REST broadcast to '${topic}' answered ${response.status}: ${await response.text()}`)
}

/** A Realtime server of one test, on 127.0.0.1, which the test may kill and restart on its port. */
export interface OwnServer {
  readonly url: string
  readonly anonKey: string
  readonly isRunning: boolean
  stats(): Stats
  mintToken(sub: string, expiresInS?: number): Promise<string>
  /** Closes the server and every socket on it, as a crash or a deploy would. */
  kill(): Promise<void>
  /** Starts a fresh server (new state, same secret) on the same port. */
  restart(): Promise<void>
}

async function ownServer(): Promise<OwnServer & { close(): Promise<void> }> {
  let server: RealtimeServer | null = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
  const { port, url, anonKey } = server
  const running = (): RealtimeServer => {
    if (!server) throw new Error('the test server is killed; restart() it first')
    return server
  }
  return {
    url, anonKey,
    get isRunning() { return server !== null },
    stats: () => running().stats(),
    mintToken: (sub, expiresInS) => running().mintToken(expiresInS === undefined ? { sub } : { sub, expiresInS }),
    async kill() {
      const killed = running()
      server = null
      await killed.close()
    },
    async restart() {
      if (server) throw new Error('the test server is still running')
      server = await startRealtimeServer({ port, host: '127.0.0.1' })
    },
    close: async () => { await server?.close(); server = null },
  }
}

/**
 * The e2e `test` plus `own`, a Realtime server of this test alone (closed after it).
 * @example
 * test('restart', async ({ context, own }) => { await own.kill(); await own.restart() })
 */
export const test = base.extend<{ own: OwnServer }>({
  own: async ({}, use) => {
    const server = await ownServer()
    await use(server)
    await server.close()
  },
})

/**
 * Crashes the page's renderer through the DevTools protocol (`Page.crash`) and waits for the crash;
 * resolves with the `Date.now()` at which the crash was requested (after the session set-up).
 * @example
 * const crashedAt = await crashPage(page)
 */
export async function crashPage(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  const crashed = page.waitForEvent('crash')
  const requestedAt = Date.now()
  // The command never gets an answer: the renderer it went to is gone.
  cdp.send('Page.crash').catch(() => undefined)
  await crashed
  return requestedAt
}

/**
 * Terminates the one SharedWorker of the browser through the DevTools protocol
 * (`Target.getTargets` → the `shared_worker` target → `Target.closeTarget`).
 * @example
 * await terminateSharedWorker(browser)
 */
export async function terminateSharedWorker(browser: Browser): Promise<void> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    await cdp.send('Target.setDiscoverTargets', { discover: true })
    const { targetInfos } = await cdp.send('Target.getTargets')
    const workers = targetInfos.filter((t) => t.type === 'shared_worker')
    const [worker] = workers
    if (!worker || workers.length !== 1) throw new Error(`expected one shared_worker target, found ${workers.length}`)
    // Not awaiting `Target.targetDestroyed`: while a DevTools session is attached (the worker
    // console tap), Chromium keeps the target and restarts the next worker of that URL under it.
    const { success } = await cdp.send('Target.closeTarget', { targetId: worker.targetId })
    if (!success) throw new Error(`Target.closeTarget refused the shared worker ${worker.url}`)
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}
