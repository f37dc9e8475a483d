/**
 * Issue 25, nothing lost through the server's replay: a private Supabase channel whose broadcasts
 * are persisted streams at 100 msg/s while the server drops the socket and, later, every tab is
 * hidden until the hub pauses (no socket) and shown again. Every tab ends with every message once,
 * in order, and no `resync`. The same when the host tab of the tab-host fallback closes: the tabs
 * rejoin the new host's hub with their cursors and it resumes the topic through the replay. A
 * public channel cannot be replayed: exactly one `resync` per topic and tab, with its reason.
 */
import { startRealtimeServer, type RealtimeServer } from '../../demo/server/index.ts'
import { expect, test, topicOf } from './support/fixtures.ts'
import { waitForStatus } from '../../src/testing/node/tabs.ts'
import { appUrl, hide, openTab, openTabs, show } from './support/pages.ts'
import { join, logOf, openJoined, publish, range, replaysJudged, stream } from './support/replay.ts'
import { waitUntil } from './support/wait.ts'
import { hostIndex, withoutSharedWorker } from './support/tab-host.ts'

let server: RealtimeServer
// Its own server: a 100 msg/s stream outruns Supabase's replay limit of 25 within a reconnect, so
// this one replays up to 1000, and the worker asks for as many (`replayLimit`).
test.beforeAll(async () => { server = await startRealtimeServer({ port: 0, host: '127.0.0.1', replay: { hardLimit: 1_000 } }) })
test.afterAll(async () => { await server.close() })

test('private channel at 100 msg/s: socket dropped, then all tabs paused and resumed → every message once, in order, no resync', async ({ context }) => {
  const topic = topicOf('feed')
  const url = appUrl({ realtimeUrl: server.url, apikey: server.anonKey, options: { 'hub.replayLimit': 1_000, pauseWhenHiddenMs: 200 } })
  const pages = await openTabs(context, 2, url)
  for (const page of pages) expect(await join(page, topic, true)).toBe('SUBSCRIBED')
  const total = 400
  const startedAt = Date.now()
  for (const n of range(total)) {
    if (n === 100) server.dropAllConnections()
    if (n === 250) for (const page of pages) await hide(page)
    if (n === 320) {
      for (const page of pages) await waitForStatus(page, 'paused')
      for (const page of pages) await show(page)
    }
    await publish(server, topic, n, true)
    // 100 msg/s: the n-th message leaves at startedAt + 10·n ms.
    const wait = startedAt + 10 * (n + 1) - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
  for (const page of pages) await waitUntil(() => logOf(page, topic), (log) => log.ns.length >= total, { what: 'every message', timeoutMs: 15_000 })
  // A resync could still come until the hub has judged the replay: wait for that, then assert none came.
  for (const page of pages) await replaysJudged(page, [topic])
  for (const page of pages) expect(await logOf(page, topic)).toEqual({ ns: range(total), resyncs: [] })
})

test('public channel: replay impossible → exactly one resync per topic and tab, reason public-channel', async ({ context }) => {
  const topics = [topicOf('lobby'), topicOf('hall')]
  const pages = await openTabs(context, 2, appUrl({ realtimeUrl: server.url, apikey: server.anonKey }))
  for (const page of pages) for (const topic of topics) expect(await join(page, topic, false)).toBe('SUBSCRIBED')
  const joins = server.stats().joinsTotal
  server.dropAllConnections()
  await waitUntil(async () => server.stats(), (s) => s.joinsTotal >= joins + topics.length, { what: 'the topics rejoined' })
  for (const topic of topics) await publish(server, topic, 1, false)
  for (const page of pages) {
    for (const topic of topics) {
      // The resync reaches a tab before the first event after the rejoin.
      const log = await waitUntil(() => logOf(page, topic), (l) => l.ns.includes(1), { what: `n=1 on ${topic}` })
      expect(log.resyncs).toEqual([{ since: expect.any(Number), reason: 'public-channel' }])
    }
  }
})

test('tab-host fallback at 100 msg/s: the host tab closes → the tabs resume on the new host; private: every message once, in order, no resync; public: one resync, public-channel', async ({ context }) => {
  await withoutSharedWorker(context)
  const [feed, lobby] = [topicOf('feed'), topicOf('lobby')]
  const url = appUrl({ realtimeUrl: server.url, apikey: server.anonKey, options: { 'hub.replayLimit': 1_000, heartbeatIntervalMs: 5_000 } })
  const pages = await openJoined(context, 3, url, feed, lobby)
  const host = pages[await hostIndex(pages)]
  if (!host) throw new Error('no host page')
  const stayed = pages.filter((page) => page !== host)
  const total = 300
  await stream(server, [{ topic: feed, isPrivate: true }, { topic: lobby, isPrivate: false }], total, async (n) => { if (n === 100) await host.close() })
  for (const page of stayed) await waitUntil(() => logOf(page, feed), (log) => log.ns.length >= total, { what: 'every message', timeoutMs: 15_000 })
  for (const page of stayed) await replaysJudged(page, [feed, lobby])
  expect(await hostIndex(stayed)).toBeGreaterThanOrEqual(0)
  for (const page of stayed) {
    expect(await logOf(page, feed)).toEqual({ ns: range(total), resyncs: [] })
    expect((await logOf(page, lobby)).resyncs).toEqual([{ since: expect.any(Number), reason: 'public-channel' }])
  }
})

test('deploy move at 100 msg/s: the older deploy\'s tabs move to the newer hub and resume from their cursors; private: every message once, in order, no resync; public: one resync, public-channel', async ({ context }) => {
  const [feed, lobby] = [topicOf('feed'), topicOf('lobby')]
  // Two builds as deploy.spec makes them: another worker URL, the same workerName().
  const build = (joinWaitMs: number): string => appUrl({ realtimeUrl: server.url, apikey: server.anonKey, options: { 'hub.replayLimit': 1_000, 'hub.joinWaitMs': joinWaitMs } })
  const olds = await openJoined(context, 2, build(10_000), feed, lobby)
  const total = 300
  await stream(server, [{ topic: feed, isPrivate: true }, { topic: lobby, isPrivate: false }], total, async (n) => { if (n === 100) await openTab(context, build(10_001)) })
  for (const page of olds) {
    await waitUntil(() => page.evaluate(() => window.harness.updates()), (updates) => updates.some((u) => u.moved), { what: 'the old tab moved to the newer hub' })
    await waitUntil(() => logOf(page, lobby), (log) => log.resyncs.length > 0, { what: 'the public topic rejoined on the newer hub' })
    await waitUntil(() => logOf(page, feed), (log) => log.ns.length >= total, { what: 'every message', timeoutMs: 15_000 })
  }
  for (const page of olds) {
    expect(await logOf(page, feed)).toEqual({ ns: range(total), resyncs: [] })
    expect((await logOf(page, lobby)).resyncs).toEqual([{ since: expect.any(Number), reason: 'public-channel' }])
  }
})
