/**
 * Issue 4, worker recovery: the SharedWorker terminated through the DevTools protocol; every tab
 * notices (no heartbeat answer), starts a new worker, says hello and rejoins its channels without
 * the app doing anything. Two users share the profile and come back on their own sockets.
 */
import { expect, topicOf } from './support/fixtures.ts'
import { lifecycleOf, recordLifecycle, restBroadcast, subscribeWithResync, terminateSharedWorker, test } from './support/lifecycle.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined } from './support/server.ts'
import { hubStats, numbersOf, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

test('a worker terminated through DevTools → tabs recover their channels by themselves', async ({ browser, context, server, makeUser }) => {
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  const topic = topicOf('recover')
  // Heartbeats every 500 ms: a tab gives the worker up after 1 s without an answer.
  const options = { heartbeatIntervalMs: 500 }
  const alices = await openTabs(context, 2, appUrl({ token: alice.token, options }))
  const bobs = await openTab(context, appUrl({ token: bob.token, options }))
  const [sender, listener] = alices
  if (!sender || !listener) throw new Error('openTabs opened fewer pages than asked')
  const pages = [...alices, bobs]
  for (const page of pages) {
    await recordLifecycle(page)
    expect((await subscribeWithResync(page, topic)).status).toBe('SUBSCRIBED')
  }
  const before = await waitUntil(server.stats, (s) => joined(s, topic) === 2, { what: 'both users joined' })
  const { workerId } = await hubStats(sender)

  const terminatedAt = Date.now()
  await terminateSharedWorker(browser)
  // Waits on page state, not on hub calls: a call already on its way to the dead worker gets no
  // answer and only fails after callTimeoutMs (10 s).
  for (const page of pages) {
    await waitUntil(() => page.evaluate(() => window.harness.realtime.workerId), (id) => id !== workerId, { what: 'a new worker id' })
    await waitUntil(async () => (await lifecycleOf(page)).channels[topic] ?? [], (log) => log.some((e) => e.status === 'SUBSCRIBED' && e.at >= terminatedAt), { what: 'SUBSCRIBED again' })
  }
  const recovered = await Promise.all(pages.map(hubStats))
  expect(new Set(recovered.map((s) => s.workerId)).size).toBe(1)
  expect(recovered.map((s) => s.tabs)).toEqual([2, 2, 1])
  expect(recovered.map((s) => s.channels.map((c) => [c.topic, c.status]))).toEqual(pages.map(() => [[topic, 'SUBSCRIBED']]))
  for (const page of pages) {
    expect(await page.evaluate(() => window.harness.realtime.workerId)).toBe(recovered[0]?.workerId)
    const log = await lifecycleOf(page)
    expect(log.statuses.map((e) => e.status)).toContain('reconnecting')
    expect(log.statuses.at(-1)?.status).toBe('open')
    // The channel reported SUBSCRIBED again, as supabase-js does after a rejoin.
    expect(log.channels[topic]?.map((e) => e.status).at(-1)).toBe('SUBSCRIBED')
  }
  const after = await waitUntil(server.stats, (s) => joined(s, topic) === 2 && s.connections === 2, { what: 'the new worker joined for both users' })
  expect(after.sockets.map((s) => s.sub).sort()).toEqual([alice.sub, bob.sub].sort())
  expect(after.connectionsTotal - before.connectionsTotal).toBe(2)
  expect(recovered[0]?.connections).toBe(2)

  // Broadcasts flow again, each once: from the server to all, from Alice's tab to her other tab and Bob.
  await restBroadcast(server.url, server.anonKey, topic, 'seq', { n: 1 })
  for (const page of pages) await waitForNumber(page, topic, 1)
  expect(await sender.evaluate((t) => window.harness.send(t, 'seq', { n: 2 }), topic)).toBe('ok')
  for (const page of [listener, bobs]) await waitForNumber(page, topic, 2)
  await restBroadcast(server.url, server.anonKey, topic, 'seq', { n: 3 })
  for (const page of pages) await waitForNumber(page, topic, 3)
  expect(await Promise.all(pages.map((p) => numbersOf(p, topic)))).toEqual([[1, 3], [1, 2, 3], [1, 2, 3]])
})
