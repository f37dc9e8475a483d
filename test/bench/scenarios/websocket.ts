/**
 * The plain-WebSocket transport (issue 14): one user's tabs on the demo server's inbox endpoint
 * (`/ws/inbox/`), tabrelay (one socket in the SharedWorker) against a `new WebSocket` per tab.
 * Server sockets at 1, 5 and 10 tabs (its `/stats` inbox.sockets), then fan-out from a separate
 * Node socket to every tab, rounds interleaved. Each side in its own context (its own hub).
 */
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { build } from 'vite'
import { WebSocket } from 'ws'
import { INBOX_PATH, startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { clockOffset, nowMs } from '../app/contract.ts'
import { sleep } from '../fleet.ts'
import { spread, tallyRound, type Spread } from '../stats.ts'

/** Tab counts at which the server's sockets are read; the last is the fan-out's tab count. */
export const WS_TABS: readonly number[] = [1, 5, 10]

/** One side of the comparison. */
export interface WsSide {
  /** Sockets the server holds for this side's tabs, at each of WS_TABS. */
  sockets: { tabs: number; sockets: number }[]
  /** Fan-out to every tab, one p50/p99 per round. */
  p50Ms: Spread
  p99Ms: Spread
  lost: number
}

export interface WsResult { tabrelay: WsSide; socket: WsSide; rate: number; tabs: number }

const APP_ROOT = fileURLToPath(new URL('../ws-app/', import.meta.url))
const COUNT = 100
const RATE = 100
const ROUNDS = 3
const USER = 'bench-ws-user'

type Mode = 'relay' | 'socket'
interface Side { mode: Mode; conversation: string; context: BrowserContext; pages: Page[]; offsets: number[]; sockets: WsSide['sockets']; n: number; p50: number[]; p99: number[]; lost: number }

/** Builds ws-app into a temporary folder and serves it on 127.0.0.1. */
async function serveWsApp(): Promise<{ origin: string; close(): Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'tabrelay-bench-ws-'))
  await build({ root: APP_ROOT, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' }, worker: { format: 'es' } })
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const file = normalize(join(outDir, path === '/' ? 'index.html' : path))
    if (!file.startsWith(outDir)) return void res.writeHead(403).end()
    readFile(file).then((body) => res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body), () => res.writeHead(404).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
      await rm(outDir, { recursive: true, force: true })
    },
  }
}

/** The publisher: a Node socket of another user, subscribed to both conversations (sending needs membership). */
async function openPublisher(url: string, conversations: string[]): Promise<WebSocket> {
  const socket = new WebSocket(url)
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
  for (const id of conversations) socket.send(JSON.stringify({ type: 'subscribe', conversation_id: id }))
  return socket
}

/** The page's `nowMs() - Date.now()` at a millisecond edge, as contract.ts's clockOffset (inlined: ws-app lacks it). */
function pageOffset(page: Page): Promise<number> {
  return page.evaluate(() => {
    const stop = performance.now() + 30
    let best = Number.POSITIVE_INFINITY
    let last = Date.now()
    while (performance.now() < stop) {
      const wall = Date.now()
      if (wall !== last) { best = Math.min(best, performance.timeOrigin + performance.now() - wall); last = wall }
    }
    return Number.isFinite(best) ? best : 0
  })
}

async function open(browser: Browser, origin: string, server: RealtimeServer, endpoint: string, mode: Mode): Promise<Side> {
  const conversation = `bench-ws-${mode}`
  const token = await server.mintToken({ sub: USER })
  const query = new URLSearchParams({ mode, endpoint, token, conversation })
  const context = await browser.newContext()
  const pages: Page[] = []
  const sockets: WsSide['sockets'] = []
  const base = server.stats().inbox.sockets
  const last = WS_TABS[WS_TABS.length - 1] ?? 1
  for (let i = 1; i <= last; i++) {
    const page = await context.newPage()
    await page.goto(`${origin}/?${query.toString()}`)
    await page.waitForSelector('body[data-ready="true"]')
    await page.waitForFunction(() => window.wsBench.ready(), undefined, { timeout: 10_000 })
    pages.push(page)
    if (WS_TABS.includes(i)) {
      // A socket a tab opens late would show up here.
      await sleep(200)
      sockets.push({ tabs: i, sockets: server.stats().inbox.sockets - base })
    }
  }
  const offsets = await Promise.all(pages.map(pageOffset))
  return { mode, conversation, context, pages, offsets, sockets, n: 0, p50: [], p99: [], lost: 0 }
}

function publishOne(publisher: WebSocket, side: Side): number {
  side.n += 1
  publisher.send(JSON.stringify({ type: 'TEXT', conversation_id: side.conversation, message: String(side.n) }))
  return side.n
}

async function take(page: Page): Promise<{ received: number[]; receivedAt: number[] }> {
  return page.evaluate(() => ({ received: window.wsBench.received.splice(0), receivedAt: window.wsBench.receivedAt.splice(0) }))
}

/** One message, until every tab has it (3 s at most): every subscription is in place at the server. */
async function warmUp(publisher: WebSocket, side: Side): Promise<void> {
  const n = publishOne(publisher, side)
  const got = side.pages.map(() => false)
  const stop = performance.now() + 3_000
  while (performance.now() < stop && got.some((g) => !g)) {
    await sleep(50)
    const lists = await Promise.all(side.pages.map(take))
    lists.forEach((list, i) => { if (list.received.includes(n)) got[i] = true })
  }
}

/** One fan-out round: COUNT messages at RATE from the publisher, arrival in every tab. */
async function fanOut(publisher: WebSocket, side: Side, serverOffset: number): Promise<void> {
  await Promise.all(side.pages.map(take))
  const sent = new Map<number, number>()
  const start = performance.now()
  for (let i = 0; i < COUNT; i++) {
    const wait = start + (i * 1000) / RATE - performance.now()
    if (wait > 0) await sleep(wait)
    const at = nowMs()
    sent.set(publishOne(publisher, side), at)
  }
  await sleep(500)
  const lists = await Promise.all(side.pages.map(take))
  tallyRound(side, lists, sent, serverOffset, COUNT)
}

/**
 * Both sides on one in-process demo server: sockets per tab count, then fan-out rounds interleaved.
 * @example
 * const ws = await measureWebSocket(browser)
 */
export async function measureWebSocket(browser: Browser): Promise<WsResult> {
  const app = await serveWsApp()
  const server = await startRealtimeServer({ port: 0 })
  const endpoint = `${server.url.replace(/^http/, 'ws')}${INBOX_PATH}`
  const sides: Side[] = []
  let publisher: WebSocket | undefined
  try {
    const modes: Mode[] = ['relay', 'socket']
    publisher = await openPublisher(`${endpoint}?token=${encodeURIComponent(await server.mintToken({ sub: 'bench-ws-publisher' }))}`, modes.map((m) => `bench-ws-${m}`))
    for (const mode of modes) sides.push(await open(browser, app.origin, server, endpoint, mode))
    const serverOffset = clockOffset(30)
    for (const side of sides) await warmUp(publisher, side)
    for (let r = 0; r < ROUNDS; r++) for (const side of sides) if (publisher !== undefined) await fanOut(publisher, side, serverOffset)
    const sideOf = (side: Side | undefined): WsSide => ({ sockets: side?.sockets ?? [], p50Ms: spread(side?.p50 ?? []), p99Ms: spread(side?.p99 ?? []), lost: side?.lost ?? 0 })
    return { tabrelay: sideOf(sides[0]), socket: sideOf(sides[1]), rate: RATE, tabs: WS_TABS[WS_TABS.length - 1] ?? 1 }
  } finally {
    publisher?.close()
    for (const side of sides) await side.context.close().catch(() => undefined)
    await server.close()
    await app.close()
  }
}
