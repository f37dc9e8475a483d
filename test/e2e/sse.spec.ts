/**
 * The SSE transport in real browsers over HTTP/1.1 on ONE origin (nginx + nchan serves the page,
 * the worker script, /sub and /pub), where the browser opens at most 6 connections per origin:
 * with tabrelay 8 tabs hold one stream; with a plain EventSource per tab, tabs past the cap stall,
 * and every other request to that origin with them. Then: streams the server closes (2 s timeout),
 * and pause/resume, continue from the last id without losing or repeating a message.
 */
import type { Page } from '@playwright/test'
import { expect, test } from './support/fixtures.ts'
import { setVisibility } from './support/pages.ts'
import { openSsePages, receivedBy, startSseOrigin, untilEachReceived, type SseOrigin } from './support/sse.ts'
import { waitUntil } from './support/wait.ts'
import { ONE_ENGINE } from './support/engines.ts'

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const states = (pages: readonly Page[]): Promise<string[]> => Promise.all(pages.map((p) => p.evaluate(() => window.app.state())))

let origin: SseOrigin | null = null
test.afterEach(async () => {
  await origin?.stop()
  origin = null
})

test('tabrelay: 8 tabs of one user over HTTP/1.1 share ONE stream; every tab gets every message and its own fetches complete', async ({ context }) => {
  origin = await startSseOrigin()
  const pages = await openSsePages(context, `${origin.url}/?mode=relay&room=lobby&user=alice`, 8)
  await waitUntil(() => states(pages), (s) => s.every((state) => state === 'joined'), { what: 'every tab joined', timeoutMs: 15_000 })
  expect(await origin.streams()).toBe(1)
  for (const n of range(1, 10)) await origin.publish('lobby', n)
  expect(await untilEachReceived(pages, 10)).toEqual(pages.map(() => range(1, 10)))
  expect(await Promise.all(pages.map((p) => p.evaluate(() => window.app.probe(5000))))).toEqual(pages.map(() => true))
})

test('control: 8 tabs with a per-tab EventSource: tabs past the 6-connection cap stall, and so does any other request to the origin', ONE_ENGINE, async ({ context }) => {
  origin = await startSseOrigin()
  const pages = await openSsePages(context, `${origin.url}/?mode=eventsource&room=lobby`, 8)
  for (const page of pages) await page.evaluate(() => window.app.start())
  await waitUntil(() => origin?.streams() ?? 0, (n) => n === 6, { what: 'six streams at the server', timeoutMs: 10_000 })
  // The probe's own 3 s deadline is the observation window: it cannot get a connection.
  expect(await pages[7]?.evaluate(() => window.app.probe(3000))).toBe(false)
  expect(await pages[0]?.evaluate(() => window.app.probe(1000))).toBe(false)
  expect(await states(pages)).toEqual([...Array<string>(6).fill('open'), 'connecting', 'connecting'])
  expect(await origin.streams()).toBe(6)
  for (const n of range(1, 3)) await origin.publish('lobby', n)
  await untilEachReceived(pages.slice(0, 6), 3)
  expect(await receivedBy(pages)).toEqual([...pages.slice(0, 6).map(() => range(1, 3)), [], []])
  // Closing one tab frees its connection: a stalled tab's stream opens at last.
  await pages[0]?.close()
  await waitUntil(() => states(pages.slice(6)), (s) => s.includes('open'), { what: 'a stalled tab to get the freed connection', timeoutMs: 10_000 })
})

test('streams closed by the server (nchan_subscriber_timeout 2 s) between and during bursts: resumed from the last id, every tab gets every message once', async ({ context }) => {
  origin = await startSseOrigin({ subscriberTimeoutS: 2 })
  const pages = await openSsePages(context, `${origin.url}/?mode=relay&room=busy&user=bob`, 4)
  await waitUntil(() => states(pages), (s) => s.every((state) => state === 'joined'), { what: 'every tab joined', timeoutMs: 15_000 })
  const [first] = pages
  const reconnects = async (): Promise<number> => (await first?.evaluate(() => window.app.statuses.filter((s) => s === 'reconnecting').length)) ?? 0
  // A stream that has seen no id yet cannot resume (the hub's resync covers that): message 0 gives
  // the connection its first id. On a slow start nchan may close the idle stream (2 s) just before
  // it and the re-opened stream has no id to resume from, so 0 goes out (paced) until every tab has
  // one. Closes counted from here (slow page loads may have seen some).
  const primer = origin
  await waitUntil(async () => { await primer.publish('busy', 0); return receivedBy(pages) }, (lists) => lists.every((list) => list.length > 0), { what: 'every tab to get a first message', timeoutMs: 20_000, intervalMs: 500 })
  const before = await reconnects()
  let n = 0
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < 3; i++) await origin.publish('busy', ++n)
    // nchan closes an idle stream after 2 s; the hub then backs off (at least the 1 s floor).
    await waitUntil(reconnects, (count) => count >= before + round, { what: `server close #${round}`, timeoutMs: 10_000 })
    // Published while no stream is open: only a resume from the last id delivers these.
    for (let i = 0; i < 2; i++) await origin.publish('busy', ++n)
  }
  const numbered = (lists: number[][]): number[][] => lists.map((list) => list.filter((value) => value !== 0))
  const lists = await waitUntil(() => receivedBy(pages), (got) => numbered(got).every((list) => list.length >= n), { what: `every tab to get messages 1..${n}`, timeoutMs: 30_000 })
  expect(numbered(lists)).toEqual(pages.map(() => range(1, n)))
})

test('pause and resume: the stream closes while every tab is hidden and resumes from the last id', async ({ context }) => {
  origin = await startSseOrigin()
  const pages = await openSsePages(context, `${origin.url}/?mode=relay&room=quiet&user=carol&pauseWhenHiddenMs=500`, 2)
  await waitUntil(() => states(pages), (s) => s.every((state) => state === 'joined'), { what: 'every tab joined', timeoutMs: 15_000 })
  await origin.publish('quiet', 1)
  await origin.publish('quiet', 2)
  await untilEachReceived(pages, 2)
  for (const page of pages) await setVisibility(page, 'hidden')
  await waitUntil(() => pages[0]?.evaluate(() => window.app.statuses.at(-1)), (s) => s === 'paused', { what: 'paused', timeoutMs: 10_000 })
  await waitUntil(() => origin?.streams() ?? -1, (count) => count === 0, { what: 'no stream while paused', timeoutMs: 5000 })
  await origin.publish('quiet', 3)
  await origin.publish('quiet', 4)
  const [first] = pages
  if (first) await setVisibility(first, 'visible')
  await waitUntil(() => first?.evaluate(() => window.app.statuses.at(-1)), (s) => s === 'open', { what: 'open again', timeoutMs: 10_000 })
  await origin.publish('quiet', 5)
  expect(await untilEachReceived(pages, 5)).toEqual(pages.map(() => range(1, 5)))
})
