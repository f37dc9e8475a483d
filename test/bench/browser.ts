/**
 * Headless Chromium for the bench: launch, open bench tabs, read heaps over CDP (tabs and the
 * SharedWorker, which Playwright does not list: FIELD_NOTES "Seeing the worker from tests").
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { READY_SIGNAL, type Batching, type ContenderName, type ReadyInfo, type Received } from './app/contract.ts'

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
const READY_TIMEOUT_MS = 20_000

/**
 * Launches the Debian Chromium (or `CHROMIUM_PATH`).
 * @example
 * const browser = await launch()
 */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: LAUNCH_ARGS, headless: true })
}

/** Where the page and the server live. */
export interface Target {
  origin: string
  serverUrl: string
  anonKey: string
}

/** One open bench tab and how it came up. */
export interface Tab {
  page: Page
  ready: ReadyInfo
}

/**
 * The bench page URL for a contender.
 * @example
 * pageUrl(target, 'pertab', { topics: 3 })
 */
export function pageUrl(target: Target, contender: ContenderName, options: { topics?: number; lifetime?: boolean; batching?: Batching; token?: string; host?: 'leader-tab'; probe?: boolean; name?: string; floor?: boolean; replay?: boolean } = {}): string {
  const query = new URLSearchParams({
    contender, topics: String(options.topics ?? 3), url: target.serverUrl, apikey: target.anonKey,
    lifetime: options.lifetime === false ? '0' : '1',
  })
  if (options.batching === 'microtask') query.set('batch', 'microtask')
  if (options.token !== undefined) query.set('token', options.token)
  if (options.host !== undefined) query.set('host', options.host)
  if (options.probe === true) query.set('probe', '1')
  if (options.name !== undefined) query.set('lane', options.name)
  if (options.floor === true) query.set('floor', '1')
  if (options.replay === true) query.set('replay', '1')
  return `${target.origin}/?${query.toString()}`
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Settles when the page prints {@link READY_SIGNAL} (or after the ready timeout): start it before
 * the navigation (`goto`, `reload`) it waits for. It only listens to the console, so the page runs
 * nothing of Playwright's while it starts (a `waitForFunction` here cost a new tab 10–15 ms).
 * @example
 * const signalled = readySignal(page); await page.reload(); const ready = await whenReady(page, signalled)
 */
export function readySignal(page: Page): Promise<void> {
  return page.waitForEvent('console', { predicate: (line) => line.text() === READY_SIGNAL, timeout: READY_TIMEOUT_MS }).then(() => undefined, () => undefined)
}

/**
 * Reads `window.bench.ready` once the page signalled it settled.
 * @example
 * const ready = await whenReady(page, signalled)
 */
export async function whenReady(page: Page, signalled: Promise<void>): Promise<ReadyInfo> {
  try {
    await signalled
    return await withTimeout(page.evaluate(async () => {
      const bench = window.bench
      return bench ? bench.ready : { readyMs: Number.NaN, loadMs: Number.NaN, error: 'no window.bench' }
    }), READY_TIMEOUT_MS, 'bench.ready')
  } catch (error) {
    return { readyMs: Number.NaN, loadMs: Number.NaN, error: error instanceof Error ? error.message.split('\n')[0] ?? 'error' : String(error) }
  }
}

/**
 * Opens a bench tab in `context` and waits until it is subscribed (or failed, bounded).
 * @example
 * const tab = await openTab(context, pageUrl(target, 'tabrelay'))
 */
export async function openTab(context: BrowserContext, url: string): Promise<Tab> {
  const page = await context.newPage()
  const signalled = readySignal(page)
  await page.goto(url, { timeout: READY_TIMEOUT_MS })
  return { page, ready: await whenReady(page, signalled) }
}

/**
 * Drains a tab's stream record.
 * @example
 * const { seqs, recvAt } = await take(page)
 */
export function take(page: Page): Promise<Received> {
  return page.evaluate(() => window.bench?.take() ?? { seqs: [], recvAt: [] })
}

/**
 * The page's high-resolution clock offset (see clock edge sampling in contract.ts).
 * @example
 * const offset = await pageClockOffset(page)
 */
export function pageClockOffset(page: Page): Promise<number> {
  return page.evaluate(() => window.bench?.clockOffsetMs() ?? 0)
}

/**
 * JS heap in use by a page after a forced GC, bytes.
 * @example
 * const bytes = await pageHeap(page)
 */
export async function pageHeap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('HeapProfiler.collectGarbage')
    const usage = await cdp.send('Runtime.getHeapUsage')
    return usage.usedSize
  } finally {
    await cdp.detach()
  }
}

interface TargetReply { id?: number; result?: { usedSize?: number }; error?: { message: string } }

/**
 * JS heap of every SharedWorker in the browser after a forced GC, bytes; 0 when none runs.
 * Attaches with `flatten: false` and talks through `Target.sendMessageToTarget`.
 * @example
 * const bytes = await sharedWorkerHeap(browser)
 */
export async function sharedWorkerHeap(browser: Browser): Promise<{ workers: number; bytes: number }> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const { targetInfos } = await cdp.send('Target.getTargets')
    const workers = targetInfos.filter((t) => t.type === 'shared_worker')
    let bytes = 0
    for (const worker of workers) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false })
      const call = (id: number, method: string): Promise<TargetReply> =>
        withTimeout(new Promise<TargetReply>((resolve) => {
          const onMessage = (event: { sessionId: string; message: string }): void => {
            const reply = JSON.parse(event.message) as TargetReply
            if (event.sessionId !== sessionId || reply.id !== id) return
            cdp.off('Target.receivedMessageFromTarget', onMessage)
            resolve(reply)
          }
          cdp.on('Target.receivedMessageFromTarget', onMessage)
          void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) })
        }), 5_000, method)
      await call(1, 'HeapProfiler.collectGarbage')
      bytes += (await call(2, 'Runtime.getHeapUsage')).result?.usedSize ?? 0
      await cdp.send('Target.detachFromTarget', { sessionId })
    }
    return { workers: workers.length, bytes }
  } finally {
    await cdp.detach()
  }
}
