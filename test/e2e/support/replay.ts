/**
 * Helpers of the replay specs (issue 25): pages that log a topic's `{ n }` broadcasts and its
 * resyncs, a 100 msg/s stream published through the Realtime server's REST route, and the wait
 * until the hub has judged every replay (what "no resync came" is asserted after).
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { RealtimeServer } from '../../../demo/server/index.ts'
import type { HubInspection } from '../../../src/contract/inspect.ts'
import type { ResyncPayload } from '../../../src/supabase/index.ts'
import { openTabs } from './pages.ts'
import { waitUntil } from './wait.ts'

declare global {
  interface Window {
    replayLog: { [topic: string]: { ns: number[]; resyncs: ResyncPayload[] } }
  }
}

/**
 * Joins `topic` in the page, logging each broadcast's `n` and each resync; resolves at SUBSCRIBED.
 * @example
 * expect(await join(page, topic, true)).toBe('SUBSCRIBED')
 */
export function join(page: Page, topic: string, isPrivate: boolean): Promise<string> {
  return page.evaluate(([t, p]) => new Promise<string>((resolve) => {
    window.replayLog ??= {}
    const log = { ns: [] as number[], resyncs: [] as ResyncPayload[] }
    window.replayLog[t] = log
    window.harness.realtime.channel(t, { config: { private: p } })
      .on<{ n: number }>('broadcast', { event: 'n' }, ({ payload }) => { log.ns.push(payload.n) })
      .on('system', { event: 'resync' }, (payload) => { log.resyncs.push(payload) })
      .subscribe((status) => { if (status !== 'CLOSED') resolve(status) })
  }), [topic, isPrivate] as const)
}

/**
 * Opens `count` tabs of `url`, each joined to the private `feed` and the public `lobby`; throws
 * unless every join reached SUBSCRIBED.
 * @example
 * const pages = await openJoined(context, 3, url, topicOf('feed'), topicOf('lobby'))
 */
export async function openJoined(context: BrowserContext, count: number, url: string, feed: string, lobby: string): Promise<Page[]> {
  const pages = await openTabs(context, count, url)
  for (const page of pages) {
    const joined = [await join(page, feed, true), await join(page, lobby, false)]
    if (joined.some((status) => status !== 'SUBSCRIBED')) throw new Error(`a tab did not join ${feed} and ${lobby}: ${joined.join(', ')}`)
  }
  return pages
}

/**
 * What the page logged on `topic` (see {@link join}).
 * @example
 * expect(await logOf(page, topic)).toEqual({ ns: range(400), resyncs: [] })
 */
export function logOf(page: Page, topic: string): Promise<{ ns: number[]; resyncs: ResyncPayload[] }> {
  return page.evaluate((t) => window.replayLog[t] ?? { ns: [], resyncs: [] }, topic)
}

/**
 * Waits until the page's hub has judged the replays of `topics`, read from its `inspect()`: each
 * topic joined with its replay `idle` (worker/topic/cursor.ts `isReplaying`: no replay watch open,
 * no re-join promised, no resync owed) and nothing waiting in a tab's outbox. A `resync` the replay
 * owed has then been sent to the tabs, before the answer on the same port: "no resync" can be
 * asserted right after, without sleeping past the hub's settle time.
 * @example
 * await replaysJudged(page, [feed, lobby])
 * expect((await logOf(page, feed)).resyncs).toEqual([])
 */
export async function replaysJudged(page: Page, topics: readonly string[]): Promise<HubInspection> {
  return await waitUntil(() => page.evaluate(() => window.harness.realtime.inspect()), (view) => {
    const isJudged = (topic: string): boolean => view.topics.some((t) => t.topic === topic && t.status === 'SUBSCRIBED' && t.replay === 'idle')
    return topics.every(isJudged) && view.tabs.every((tab) => tab.outbox.queued === 0)
  }, { what: `the replays of ${topics.join(', ')} judged`, timeoutMs: 10_000 })
}

/**
 * A backend's `httpSend`: the REST single-message route, stored for replay on private channels.
 * @example
 * await publish(server, topic, 7, true)
 */
export async function publish(server: RealtimeServer, topic: string, n: number, isPrivate: boolean): Promise<void> {
  const query = isPrivate ? '?private=true&persist=true' : ''
  const response = await fetch(`${server.url}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/n${query}`, {
    method: 'POST', headers: { apikey: server.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ n }),
  })
  if (response.status !== 202) throw new Error(`publish ${n} answered ${response.status}`)
}

/**
 * 0 … count−1.
 * @example
 * range(3) // [0, 1, 2]
 */
export const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n)

/**
 * Publishes 0 … total−1 to `topics` at 100 msg/s, calling `at(n)` before message n.
 * @example
 * await stream(server, [{ topic, isPrivate: true }], 300, async (n) => { if (n === 100) await host.close() })
 */
export async function stream(server: RealtimeServer, topics: ReadonlyArray<{ topic: string; isPrivate: boolean }>, total: number, at: (n: number) => Promise<void>): Promise<void> {
  const startedAt = Date.now()
  for (const n of range(total)) {
    await at(n)
    for (const { topic, isPrivate } of topics) await publish(server, topic, n, isPrivate)
    // 100 msg/s: the n-th message leaves at startedAt + 10·n ms.
    const wait = startedAt + 10 * (n + 1) - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
