/**
 * The SSE transport over HTTP/1.1 on one origin (nginx + nchan serves the page, the worker and
 * the streams, test/e2e/support/sse.ts), where the browser opens at most 6 connections per origin:
 * 8 tabs with tabrelay (one stream in the SharedWorker) against 8 tabs each with its own
 * EventSource. Each side in its own context (its own connection pool), rounds interleaved.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startSseOrigin, type SseOrigin } from '../../e2e/support/sse.ts'
import { clockOffset, nowMs } from '../app/contract.ts'
import { sleep } from '../fleet.ts'
import { spread, tallyRound, type Spread } from '../stats.ts'

export const SSE_TABS = 8

/** One side of the comparison. */
export interface SseSide {
  /** Streams nginx holds for this side's 8 tabs. */
  streams: number
  /** Tabs that got every message of a 20-message burst within 3 s. */
  receiving: number
  /** Fan-out over the receiving tabs, one p50/p99 per round. */
  p50Ms: Spread
  p99Ms: Spread
  lost: number
}

export interface SseResult { tabrelay: SseSide; eventsource: SseSide; rate: number }

const BURST = 20
const RATE = 100
const STREAM_COUNT = 100
const ROUNDS = 3

interface Side { name: 'tabrelay' | 'eventsource'; room: string; context: BrowserContext; pages: Page[]; offsets: number[]; n: number; p50: number[]; p99: number[]; lost: number }

async function open(browser: Browser, origin: SseOrigin, name: Side['name']): Promise<Side> {
  const room = `bench-${name}`
  const context = await browser.newContext()
  const pages: Page[] = []
  const query = name === 'tabrelay' ? `mode=relay&room=${room}&user=bench` : `mode=eventsource&room=${room}`
  for (let i = 0; i < SSE_TABS; i++) {
    const page = await context.newPage()
    await page.goto(`${origin.url}/?${query}`)
    await page.waitForSelector('body[data-ready="true"]')
    pages.push(page)
  }
  // Started once every page loaded: the page, its script and the worker share the origin's 6
  // connections with the streams, so a 7th page could not even load behind 6 open EventSources.
  if (name === 'eventsource') for (const page of pages) await page.evaluate(() => window.app.start())
  const offsets = await Promise.all(pages.map(pageOffset))
  return { name, room, context, pages, offsets, n: 0, p50: [], p99: [], lost: 0 }
}

/** The page's `nowMs() - Date.now()` at a millisecond edge, as contract.ts's clockOffset (inlined: the SSE app lacks it). */
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

/** Publishes `count` messages at `rate`, from this process; returns each one's send stamp by n. */
async function publish(origin: SseOrigin, side: Side, count: number, rate: number): Promise<Map<number, number>> {
  const sentAt = new Map<number, number>()
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now()
    if (wait > 0) await sleep(wait)
    side.n += 1
    sentAt.set(side.n, nowMs())
    await origin.publish(side.room, side.n)
  }
  return sentAt
}

async function take(page: Page): Promise<{ received: number[]; receivedAt: number[] }> {
  return page.evaluate(() => ({ received: window.app.received.splice(0), receivedAt: window.app.receivedAt.splice(0) }))
}

/** Tabs that got the whole burst within 3 s. */
async function receiving(origin: SseOrigin, side: Side): Promise<number> {
  await Promise.all(side.pages.map(take))
  const sent = await publish(origin, side, BURST, 1000)
  const want = [...sent.keys()]
  const stop = performance.now() + 3_000
  const got = side.pages.map(() => new Set<number>())
  while (performance.now() < stop && got.some((s) => s.size < want.length)) {
    await sleep(100)
    const lists = await Promise.all(side.pages.map(take))
    lists.forEach((list, i) => { for (const n of list.received) got[i]?.add(n) })
  }
  return got.filter((s) => want.every((n) => s.has(n))).length
}

/** One fan-out round over the tabs that receive at all. */
async function fanOut(origin: SseOrigin, side: Side, serverOffset: number, tabs: number): Promise<void> {
  await Promise.all(side.pages.map(take))
  const sent = await publish(origin, side, STREAM_COUNT, RATE)
  await sleep(500)
  const lists = await Promise.all(side.pages.slice(0, tabs).map(take))
  tallyRound(side, lists, sent, serverOffset, STREAM_COUNT)
}

/**
 * Both sides, opened side by side; streams and receiving tabs, then fan-out rounds interleaved.
 * @example
 * const sse = await measureSse(browser)
 */
export async function measureSse(browser: Browser): Promise<SseResult> {
  const origin = await startSseOrigin()
  const sides: Side[] = []
  const streamsOf = new Map<Side['name'], number>()
  try {
    for (const name of ['tabrelay', 'eventsource'] as const) {
      const before = await origin.streams()
      sides.push(await open(browser, origin, name))
      // A stream opens once its tab (or the hub) joined; a stalled EventSource never does.
      await sleep(1_000)
      streamsOf.set(name, (await origin.streams()) - before)
    }
    const serverOffset = clockOffset(30)
    const counts = new Map<Side, number>()
    for (const side of sides) counts.set(side, await receiving(origin, side))
    for (let r = 0; r < ROUNDS; r++) for (const side of sides) await fanOut(origin, side, serverOffset, counts.get(side) ?? 0)
    const sideOf = (side: Side | undefined): SseSide => ({
      streams: streamsOf.get(side?.name ?? 'tabrelay') ?? Number.NaN, receiving: (side && counts.get(side)) ?? 0,
      p50Ms: spread(side?.p50 ?? []), p99Ms: spread(side?.p99 ?? []), lost: side?.lost ?? 0,
    })
    return { tabrelay: sideOf(sides[0]), eventsource: sideOf(sides[1]), rate: RATE }
  } finally {
    for (const side of sides) await side.context.close().catch(() => undefined)
    await origin.stop()
  }
}
