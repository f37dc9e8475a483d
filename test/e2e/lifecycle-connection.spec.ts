/**
 * Issue 4, the connection's life: paused while no tab is visible and resumed with a resync carrying
 * `since`; a killed server reported as `reconnecting` in every tab and recovered from when it is
 * back on the same port. Two users share the browser profile (one context, one worker, two
 * sockets) and stay separated throughout.
 */
import type { Page } from '@playwright/test'
import { expect, topicOf } from './support/fixtures.ts'
import { lifecycleOf, recordLifecycle, restBroadcast, subscribeWithResync, test, waitForStatus } from './support/lifecycle.ts'
import { appUrl, hide, openTab, openTabs, show } from './support/pages.ts'
import { joined } from './support/server.ts'
import { hubStats, numbersOf, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

function subs(snapshot: { sockets: Array<{ sub: string | null }> }): Array<string | null> {
  return snapshot.sockets.map((s) => s.sub).sort()
}

async function resyncsOf(page: Page, topic: string): Promise<Array<{ since: number | null; at: number }>> {
  return (await lifecycleOf(page)).resyncs[topic] ?? []
}

test('all tabs hidden → paused with no socket; a tab shown → open, rejoined, resync with since, events flow', async ({ context, server, makeUser }) => {
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  const [busy, quiet] = [topicOf('busy'), topicOf('quiet')]
  const options = { pauseWhenHiddenMs: 500 }
  const alices = await openTabs(context, 2, appUrl({ token: alice.token, options }))
  const bobs = await openTab(context, appUrl({ token: bob.token, options }))
  const pages = [...alices, bobs]
  const [shown] = alices
  if (!shown) throw new Error('openTabs opened fewer pages than asked')
  for (const page of pages) {
    await recordLifecycle(page)
    for (const topic of [busy, quiet]) expect((await subscribeWithResync(page, topic)).status).toBe('SUBSCRIBED')
  }
  await waitUntil(server.stats, (s) => joined(s, busy) === 2 && joined(s, quiet) === 2, { what: 'both topics joined by both users' })
  expect(subs(await server.stats())).toEqual([alice.sub, bob.sub].sort())

  // Events from the server (a backend's REST broadcast) before the pause; `since` is the last one's.
  await restBroadcast(server.url, server.anonKey, busy, 'seq', { n: 1 })
  const lastSentAt = Date.now()
  await restBroadcast(server.url, server.anonKey, busy, 'seq', { n: 2 })
  for (const page of pages) await waitForNumber(page, busy, 2)

  const hidingAt = Date.now()
  for (const page of pages) await hide(page)
  for (const page of pages) {
    const paused = await waitForStatus(page, 'paused')
    // The pause waits for pauseWhenHiddenMs after the last tab was hidden.
    expect(paused?.at ?? 0).toBeGreaterThanOrEqual(hidingAt + 500)
  }
  await waitUntil(server.stats, (s) => s.connections === 0 && joined(s, busy) === 0, { what: 'no socket while paused' })
  await restBroadcast(server.url, server.anonKey, busy, 'seq', { n: 3 }) // missed: nobody listens

  // Alice shows a tab: her connection resumes, Bob's (all his tabs hidden) stays paused.
  const showingAt = Date.now()
  await show(shown)
  for (const page of alices) await waitForStatus(page, 'open')
  await waitUntil(server.stats, (s) => joined(s, busy) === 1 && joined(s, quiet) === 1, { what: "alice's topics rejoined" })
  expect(subs(await server.stats())).toEqual([alice.sub])
  expect(await bobs.evaluate(() => window.harness.realtime.status)).toBe('paused')

  for (const page of alices) {
    const [busyResync, ...moreBusy] = await waitUntil(() => resyncsOf(page, busy), (r) => r.length > 0, { what: 'a resync on the busy topic' })
    const [quietResync, ...moreQuiet] = await waitUntil(() => resyncsOf(page, quiet), (r) => r.length > 0, { what: 'a resync on the quiet topic' })
    expect([moreBusy, moreQuiet]).toEqual([[], []])
    // Busy: the time of the last event delivered before the pause. Quiet (no event): its first join.
    expect(busyResync?.since ?? 0).toBeGreaterThanOrEqual(lastSentAt)
    expect(busyResync?.since ?? Infinity).toBeLessThan(hidingAt)
    expect(quietResync?.since ?? Infinity).toBeLessThan(lastSentAt)
    expect(Math.min(busyResync?.at ?? 0, quietResync?.at ?? 0)).toBeGreaterThanOrEqual(showingAt)
  }
  expect(await resyncsOf(bobs, busy)).toEqual([])

  // New events flow again, from the server and between Alice's tabs; Bob gets his once he is back.
  await restBroadcast(server.url, server.anonKey, busy, 'seq', { n: 4 })
  for (const page of alices) expect(await waitForNumber(page, busy, 4)).toEqual([1, 2, 4])
  await show(bobs)
  await waitForStatus(bobs, 'open')
  await waitUntil(() => resyncsOf(bobs, busy), (r) => r.length === 1, { what: "bob's resync" })
  await waitUntil(server.stats, (s) => joined(s, busy) === 2, { what: "bob's topics rejoined" })
  await restBroadcast(server.url, server.anonKey, busy, 'seq', { n: 5 })
  for (const page of pages) await waitForNumber(page, busy, 5)
  expect(await Promise.all(pages.map((p) => numbersOf(p, busy)))).toEqual([[1, 2, 4, 5], [1, 2, 4, 5], [1, 2, 5]])
  expect(subs(await server.stats())).toEqual([alice.sub, bob.sub].sort())
})

test('server killed → reconnecting everywhere → restarted on its port → open, rejoined, events once', async ({ context, own }) => {
  const [alice, bob] = [await own.mintToken('alice'), await own.mintToken('bob')]
  const [room, solo] = [topicOf('room'), topicOf('solo')]
  const url = (token: string): string => appUrl({ realtimeUrl: own.url, apikey: own.anonKey, token })
  const alices = await openTabs(context, 2, url(alice))
  const bobs = await openTab(context, url(bob))
  const pages = [...alices, bobs]
  const [sender, listener] = alices
  if (!sender || !listener) throw new Error('openTabs opened fewer pages than asked')
  for (const page of pages) {
    await recordLifecycle(page)
    expect((await subscribeWithResync(page, room)).status).toBe('SUBSCRIBED')
  }
  for (const page of alices) expect((await subscribeWithResync(page, solo)).status).toBe('SUBSCRIBED')
  await waitUntil(own.stats, (s) => joined(s, room) === 2 && joined(s, solo) === 1, { what: 'topics joined' })

  await own.kill()
  for (const page of pages) {
    const reconnecting = await waitUntil(async () => (await lifecycleOf(page)).statuses.find((e) => e.status === 'reconnecting'), Boolean, { what: "'reconnecting'" })
    expect(reconnecting).toMatchObject({ status: 'reconnecting', attempt: expect.any(Number), error: { code: 'transport', message: expect.any(String) } })
    expect(reconnecting?.attempt).toBeGreaterThanOrEqual(1)
  }

  await own.restart()
  for (const page of pages) await waitForStatus(page, 'open')
  const rejoined = await waitUntil(own.stats, (s) => joined(s, room) === 2 && joined(s, solo) === 1, { what: 'every channel rejoined' })
  expect(subs(rejoined)).toEqual(['alice', 'bob'])
  expect(rejoined.connectionsTotal).toBe(2)
  for (const page of pages) await waitUntil(() => resyncsOf(page, room), (r) => r.length === 1, { what: 'a resync after the rejoin' })
  for (const page of pages) expect(await page.evaluate((t) => window.harness.statuses(t).at(-1), room)).toBe('SUBSCRIBED')

  // After the rejoin: from the server, each tab once; from one of Alice's tabs (no self), her other
  // tab once through the hub's echo and Bob once through the server, never twice.
  // Each phase is awaited: the hub's echo and the server's fan-out are not ordered with each other.
  for (let n = 1; n <= 3; n++) await restBroadcast(own.url, own.anonKey, room, 'seq', { n })
  for (const page of pages) await waitForNumber(page, room, 3)
  expect(await sender.evaluate((t) => window.harness.sendSequence(t, 'seq', 4, 6), room)).toEqual(['ok', 'ok', 'ok'])
  for (const page of [listener, bobs]) await waitForNumber(page, room, 6)
  await restBroadcast(own.url, own.anonKey, room, 'seq', { n: 7 })
  for (const page of pages) await waitForNumber(page, room, 7)
  expect(await Promise.all(pages.map((p) => numbersOf(p, room)))).toEqual([[1, 2, 3, 7], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7]])
  await restBroadcast(own.url, own.anonKey, solo, 'seq', { n: 8 })
  for (const page of alices) await waitForNumber(page, solo, 8)
  expect((await hubStats(listener)).connections).toBe(2)
})
