/**
 * Issue 3, the product: every page of a user in one browser context rides ONE server connection
 * held by the SharedWorker; each topic is joined once; broadcasts fan out to the other pages
 * exactly once and in order; topics are left when the last page goes.
 */
import { expect, test, topicOf } from './support/fixtures.ts'
import { appUrl, hide, openTab, openTabs, show } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { at, hubStats, numbersOf, range, subscribeAll, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

test('five pages share one connection, and each topic is joined once', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const [a, b] = [topicOf('room-a'), topicOf('room-b')]
  const before = await server.stats()
  const pages = await openTabs(context, 5, appUrl({ token: alice.token }))
  const results = [...await subscribeAll(pages, a), ...await subscribeAll(pages, b)]
  expect(results.map((r) => [r.status, r.error])).toEqual(Array.from({ length: 10 }, () => ['SUBSCRIBED', null]))

  const after = await waitUntil(server.stats, (s) => joined(s, a) === 1 && joined(s, b) === 1, { what: 'both topics joined' })
  expect(after.connections).toBe(1)
  expect(after.connectionsTotal - before.connectionsTotal).toBe(1)
  expect(after.joinsTotal - before.joinsTotal).toBe(2)
  expect(socketsOf(after, alice.sub)).toEqual([expect.objectContaining({ channels: 2 })])

  const reports = await Promise.all(pages.map(hubStats))
  const first = reports[0]
  for (const report of reports) {
    expect(report).toMatchObject({ connections: 1, tabs: 5, status: 'open' })
    expect(report.workerId).toBe(first?.workerId)
    const channels = [...report.channels].sort((x, y) => x.topic.localeCompare(y.topic))
    expect(channels).toEqual([
      expect.objectContaining({ topic: a, tabs: 5 }),
      expect.objectContaining({ topic: b, tabs: 5 }),
    ])
  }
})

test('a starting page reports connecting, then open, and never closed', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('status')
  const pages = await openTabs(context, 2, appUrl({ token: alice.token }))
  await subscribeAll(pages, topic)
  for (const page of pages) {
    const statuses = await waitUntil(() => page.evaluate(() => window.harness.connectionStatuses()), (s) => s.at(-1) === 'open', { what: 'status open' })
    // 'closed' means realtime.close() was called; an app would show "disconnected for good".
    expect(statuses).not.toContain('closed')
    expect(statuses[0]).toBe('connecting')
  }
})

test('a broadcast reaches every other page once and in order, and its sender only with self', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('fanout')
  const pages = await openTabs(context, 5, appUrl({ token: alice.token }))
  const [quiet, echoing, marker, ...rest] = [at(pages, 0), at(pages, 1), at(pages, 2), ...pages.slice(3)]
  await subscribeAll([quiet], topic, { self: false })
  await subscribeAll([echoing], topic, { self: true })
  await subscribeAll([marker, ...rest], topic)

  // 1..50 from a page without self, 51..100 from a page with self, 101 as the end marker from a
  // page without self: every message before the marker has arrived once the marker has.
  expect(new Set(await quiet.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 50), topic))).toEqual(new Set(['ok']))
  expect(new Set(await echoing.evaluate((t) => window.harness.sendSequence(t, 'seq', 51, 100), topic))).toEqual(new Set(['ok']))
  expect(await marker.evaluate((t) => window.harness.send(t, 'seq', { n: 101 }), topic)).toBe('ok')

  expect(await waitForNumber(quiet, topic, 101)).toEqual(range(51, 101))
  expect(await waitForNumber(echoing, topic, 101)).toEqual(range(1, 101))
  for (const page of rest) expect(await waitForNumber(page, topic, 101)).toEqual(range(1, 101))
  expect(await waitForNumber(marker, topic, 100)).toEqual(range(1, 100))
  expect(await numbersOf(marker, topic)).toEqual(range(1, 100))
})

test('closing pages leaves their topics after the linger, and the last page takes the server back to baseline', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const [shared, own] = [topicOf('shared'), topicOf('own')]
  const baseline = await server.stats()
  const pages = await openTabs(context, 3, appUrl({ token: alice.token, options: { lingerMs: 300, 'hub.idleCloseMs': 500 } }))
  const [first, second, third] = [at(pages, 0), at(pages, 1), at(pages, 2)]
  await subscribeAll(pages, shared)
  await subscribeAll([third], own)
  await waitUntil(server.stats, (s) => joined(s, shared) === 1 && joined(s, own) === 1, { what: 'both topics joined' })

  // The hub learns of a closed page through its Web Lock, then leaves `own` after the 300 ms linger.
  const closedAt = Date.now()
  await third.close()
  const afterThird = await waitUntil(server.stats, (s) => joined(s, own) === 0, { what: `'${own}' left`, timeoutMs: 5_000 })
  test.info().annotations.push({ type: 'left after', description: `${Date.now() - closedAt} ms (linger 300 ms)` })
  expect(joined(afterThird, shared)).toBe(1)
  expect(afterThird.connections).toBe(1)
  expect(await hubStats(first)).toMatchObject({ tabs: 2, channels: [expect.objectContaining({ topic: shared, tabs: 2 })] })

  await second.close()
  await first.close()
  const end = await waitUntil(server.stats, (s) => s.connections === baseline.connections, { what: 'no socket left', timeoutMs: 5_000 })
  expect(end.topics).toEqual(baseline.topics)
  expect(end.presence).toEqual(baseline.presence)
})

test('a page that subscribes late sees presence at once, without a new server join', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('presence')
  const early = await openTab(context, appUrl({ token: alice.token }))
  expect((await subscribeAll([early], topic, { presenceKey: 'alice' }))[0]?.status).toBe('SUBSCRIBED')
  expect(await early.evaluate((t) => window.harness.track(t, { online: true }), topic)).toBe('ok')
  await waitUntil(() => early.evaluate((t) => window.harness.presence(t), topic), (state) => 'alice' in state, { what: 'own presence synced' })
  const before = await waitUntil(server.stats, (s) => s.presence[`realtime:${topic}`] === 1, { what: 'presence on the server' })

  const late = await openTab(context, appUrl({ token: alice.token }))
  const [result] = await subscribeAll([late], topic, { presenceKey: 'alice' })
  // Read inside the SUBSCRIBED callback: the hub's snapshot, not a later server presence_state.
  expect(result?.status).toBe('SUBSCRIBED')
  expect(result?.presence['alice']).toEqual([expect.objectContaining({ online: true })])
  const after = await server.stats()
  expect(after.joinsTotal).toBe(before.joinsTotal)
  expect(after.connectionsTotal).toBe(before.connectionsTotal)
})

test('another user in a second context gets a second connection and only what the server sends it', async ({ browser, context, server, makeUser }) => {
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  const [shared, onlyAlice, onlyBob] = [topicOf('shared'), topicOf('alice'), topicOf('bob')]
  const alicePages = await openTabs(context, 2, appUrl({ token: alice.token }))
  const bobContext = await browser.newContext()
  try {
    const bobPages = await openTabs(bobContext, 2, appUrl({ token: bob.token }))
    await subscribeAll([...alicePages, ...bobPages], shared)
    await subscribeAll(alicePages, onlyAlice)
    await subscribeAll(bobPages, onlyBob)

    const s = await waitUntil(server.stats, (x) => joined(x, shared) === 2 && joined(x, onlyAlice) === 1 && joined(x, onlyBob) === 1, { what: 'all topics joined' })
    expect(s.connections).toBe(2)
    expect(socketsOf(s, alice.sub)).toEqual([expect.objectContaining({ channels: 2 })])
    expect(socketsOf(s, bob.sub)).toEqual([expect.objectContaining({ channels: 2 })])
    const [aliceHub, bobHub] = [await hubStats(at(alicePages, 0)), await hubStats(at(bobPages, 0))]
    expect(aliceHub.workerId).not.toBe(bobHub.workerId)
    expect(aliceHub).toMatchObject({ connections: 1, tabs: 2 })
    expect(bobHub).toMatchObject({ connections: 1, tabs: 2 })
    expect(aliceHub.channels.map((c) => c.topic).sort()).toEqual([onlyAlice, shared].sort())
    expect(bobHub.channels.map((c) => c.topic).sort()).toEqual([onlyBob, shared].sort())

    // On the shared topic the server fans out to Bob's socket: exactly once there too.
    const [sender, sibling] = [at(alicePages, 0), at(alicePages, 1)]
    await sender.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 20), shared)
    await sender.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 5), onlyAlice)
    for (const page of [sibling, ...bobPages]) expect(await waitForNumber(page, shared, 20)).toEqual(range(1, 20))
    expect(await waitForNumber(sibling, onlyAlice, 5)).toEqual(range(1, 5))
    await at(bobPages, 0).evaluate((t) => window.harness.send(t, 'seq', { n: 99 }), onlyBob)
    expect(await waitForNumber(at(bobPages, 1), onlyBob, 99)).toEqual([99])
    for (const page of alicePages) expect(await numbersOf(page, onlyAlice)).toEqual(page === sender ? [] : range(1, 5))
    expect(await numbersOf(sender, shared)).toEqual([])
  } finally {
    await bobContext.close()
  }
})

test('another user in the same context gets its own connection in the same worker, and no echo of the first', async ({ context, server, makeUser }) => {
  const [alice, carol] = [await makeUser('alice'), await makeUser('carol')]
  const topic = topicOf('mixed')
  const alicePages = await openTabs(context, 2, appUrl({ token: alice.token }))
  const carolPage = await openTab(context, appUrl({ token: carol.token }))
  await subscribeAll([...alicePages, carolPage], topic)
  const s = await waitUntil(server.stats, (x) => joined(x, topic) === 2, { what: 'one join per user' })
  expect(s.connections).toBe(2)
  expect(socketsOf(s, alice.sub)).toHaveLength(1)
  expect(socketsOf(s, carol.sub)).toHaveLength(1)
  expect(await hubStats(carolPage)).toMatchObject({ connections: 2, identities: 2, tabs: 1 })

  // Alice's broadcast reaches Carol through the server only, and Alice's other page only once
  // (not a second time through Carol's socket); Carol's reaches both of Alice's pages once.
  const [sender, sibling] = [at(alicePages, 0), at(alicePages, 1)]
  await sender.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 20), topic)
  await carolPage.evaluate((t) => window.harness.send(t, 'seq', { n: 21 }), topic)
  expect(await waitForNumber(carolPage, topic, 20)).toEqual(range(1, 20))
  expect(await waitForNumber(sibling, topic, 21)).toEqual(range(1, 21))
  expect(await waitForNumber(sender, topic, 21)).toEqual([21])
  await sibling.evaluate((t) => window.harness.send(t, 'seq', { n: 22 }), topic)
  expect(await waitForNumber(carolPage, topic, 22)).toEqual([...range(1, 20), 22])
  expect(await numbersOf(sender, topic)).toEqual([21, 22])
})

test('bad input fails with bad-input in its page only; the other pages keep receiving', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('input')
  const pages = await openTabs(context, 3, appUrl({ token: alice.token }))
  const [culprit, ...others] = [at(pages, 0), ...pages.slice(1)]
  await subscribeAll(pages, topic)

  const errors = await culprit.evaluate(async (t) => {
    const { harness, tabrelay } = window
    // What JSON.stringify (supabase-js's serialiser) throws on; a bigint does not compile, hence the cast.
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    const cases = {
      bigintPayload: () => harness.channel(t).send({ type: 'broadcast', event: 'seq', payload: { n: 1n } as unknown as { n: number } }),
      cyclicPayload: () => harness.channel(t).send({ type: 'broadcast', event: 'seq', payload: cycle }),
      longTopic: () => harness.realtime.channel('x'.repeat(300)),
      unknownListener: () => harness.realtime.channel(`${t}-other`).on('nonsense' as 'broadcast', { event: '*' }, () => undefined),
    }
    const out: { [name: string]: { code: string | null; isInstance: boolean } | null } = {}
    for (const [name, fn] of Object.entries(cases)) {
      let caught: unknown = null
      try { await fn() } catch (error) { caught = error }
      out[name] = caught === null ? null : { code: caught instanceof tabrelay.RelayError ? caught.code : String(caught), isInstance: caught instanceof tabrelay.RelayError }
    }
    return out
  }, topic)
  const badInput = { code: 'bad-input', isInstance: true }
  expect(errors).toEqual({ bigintPayload: badInput, cyclicPayload: badInput, longTopic: badInput, unknownListener: badInput })

  await culprit.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 10), topic)
  for (const page of others) expect(await waitForNumber(page, topic, 10)).toEqual(range(1, 10))
  expect(await culprit.evaluate(() => window.harness.realtime.status)).toBe('open')
  expect((await hubStats(culprit)).channels).toEqual([expect.objectContaining({ topic, tabs: 3 })])
})

test('the visibility override reaches the hub', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const pages = await openTabs(context, 3, appUrl({ token: alice.token }))
  const [watcher, ...rest] = [at(pages, 0), ...pages.slice(1)]
  await waitUntil(() => hubStats(watcher), (s) => s.visibleTabs === 3, { what: 'three visible tabs' })
  for (const page of rest) await hide(page)
  await waitUntil(() => hubStats(watcher), (s) => s.visibleTabs === 1 && s.tabs === 3, { what: 'one visible tab' })
  for (const page of rest) await show(page)
  await waitUntil(() => hubStats(watcher), (s) => s.visibleTabs === 3, { what: 'three visible tabs again' })
})
