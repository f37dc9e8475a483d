/**
 * Issue 25, nothing lost when the SharedWorker itself dies (Chromium: terminated through the
 * DevTools protocol, as a browser ends an idle worker): the tabs start a new worker and rejoin it
 * with their cursors; it resumes the private channel through the server's replay — every message
 * once, in order, no `resync` — and owes the public one a `resync` with its reason.
 */
import { startRealtimeServer, type RealtimeServer } from '../../demo/server/index.ts'
import { expect, test, topicOf } from './support/fixtures.ts'
import { terminateSharedWorker } from './support/lifecycle.ts'
import { appUrl } from './support/pages.ts'
import { logOf, openJoined, range, replaysJudged, stream } from './support/replay.ts'
import { waitUntil } from './support/wait.ts'

let server: RealtimeServer
// Its own server, replaying up to 1000: a worker's recovery at 100 msg/s outruns Supabase's 25.
test.beforeAll(async () => { server = await startRealtimeServer({ port: 0, host: '127.0.0.1', replay: { hardLimit: 1_000 } }) })
test.afterAll(async () => { await server.close() })

test('the worker terminated at 100 msg/s → private: every message once, in order, no resync; public: one resync, public-channel', async ({ browser, context }) => {
  const [feed, lobby] = [topicOf('feed'), topicOf('lobby')]
  // Heartbeats every 500 ms: a tab gives the dead worker up after about a second.
  const url = appUrl({ realtimeUrl: server.url, apikey: server.anonKey, options: { 'hub.replayLimit': 1_000, heartbeatIntervalMs: 500 } })
  const pages = await openJoined(context, 2, url, feed, lobby)
  const workerIds = await Promise.all(pages.map((page) => page.evaluate(() => window.harness.realtime.workerId)))
  const total = 300
  await stream(server, [{ topic: feed, isPrivate: true }, { topic: lobby, isPrivate: false }], total, async (n) => { if (n === 100) await terminateSharedWorker(browser) })
  for (const page of pages) await waitUntil(() => logOf(page, feed), (log) => log.ns.length >= total, { what: 'every message', timeoutMs: 15_000 })
  // A resync could still come until the new hub has judged the replay: wait for that, then assert none came.
  for (const page of pages) await replaysJudged(page, [feed, lobby])
  for (const [i, page] of pages.entries()) {
    expect(await page.evaluate(() => window.harness.realtime.workerId), 'a new worker').not.toBe(workerIds[i])
    expect(await logOf(page, feed)).toEqual({ ns: range(total), resyncs: [] })
    expect((await logOf(page, lobby)).resyncs).toEqual([{ since: expect.any(Number), reason: 'public-channel' }])
  }
})
