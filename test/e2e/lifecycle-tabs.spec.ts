/**
 * Issue 4, tabs coming and going: a closed or crashed tab is released through its Web Lock at once
 * (not after a heartbeat timeout); the leader moves to another visible tab when it is hidden or
 * closed, one leader at a time; reloading the only tab keeps the server connection.
 */
import type { Page } from '@playwright/test'
import { expect } from './support/fixtures.ts'
import { crashPage, leaders, lifecycleOf, recordLifecycle, test } from './support/lifecycle.ts'
import { appUrl, hide, openTab, openTabs, show } from './support/pages.ts'
import { joined, socketsOf, type Stats } from './support/server.ts'
import { hubStats, subscribeAll } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

/** A topic name of this test only, so a failure's server stats read unambiguously. */
function topicOf(name: string): string {
  return `${name}:${test.info().testId.slice(0, 6)}`
}

function presenceOf(snapshot: Stats, topic: string): number {
  return snapshot.presence[`realtime:${topic}`] ?? 0
}

for (const how of ['closed', 'crashed'] as const) {
  test(`a ${how} tab's topics and presence are released within 1 s, not after a heartbeat timeout`, async ({ context, server, makeUser, browserName }) => {
    test.skip(how === 'crashed' && browserName !== 'chromium', 'Page.crash is a Chromium DevTools command')
    const alice = await makeUser('alice')
    const [shared, own] = [topicOf('shared'), topicOf('own')]
    // Heartbeats every 5 s: a tab is declared dead by them only after 15 s. A short linger keeps
    // the topic leave that follows well inside the second.
    const [staying, leaving] = await openTabs(context, 2, appUrl({ token: alice.token, options: { lingerMs: 100, heartbeatIntervalMs: 5_000 } }))
    if (!staying || !leaving) throw new Error('openTabs opened fewer pages than asked')
    await subscribeAll([staying, leaving], shared, { presenceKey: 'alice' })
    await subscribeAll([leaving], own)
    expect(await leaving.evaluate((t) => window.harness.track(t, { tab: 'leaving' }), shared)).toBe('ok')
    await waitUntil(server.stats, (s) => joined(s, shared) === 1 && joined(s, own) === 1 && presenceOf(s, shared) === 1, { what: 'both topics joined, one presence' })
    await waitUntil(() => staying.evaluate((t) => Object.keys(window.harness.presence(t)).length, shared), (n) => n === 1, { what: 'the staying tab to see the presence' })

    const started = Date.now()
    if (how === 'closed') await leaving.close()
    else await crashPage(leaving)
    const released = await waitUntil(server.stats, (s) => joined(s, own) === 0 && presenceOf(s, shared) === 0, { what: `the ${how} tab's topic and presence released`, timeoutMs: 5_000, intervalMs: 20 })
    expect(Date.now() - started).toBeLessThan(1_000)
    // The staying tab keeps the shared topic and the one connection; it sees the presence leave.
    expect(joined(released, shared)).toBe(1)
    expect(socketsOf(released, alice.sub)).toEqual([expect.objectContaining({ channels: 1 })])
    await waitUntil(() => staying.evaluate((t) => window.harness.presence(t), shared), (p) => Object.keys(p).length === 0, { what: 'the staying tab to see the presence leave' })
    expect(await hubStats(staying)).toMatchObject({ tabs: 1, connections: 1 })
  })
}

/** Index of the page that is the one leader, once exactly one of `pages` says it is. */
async function theLeader(pages: readonly Page[], isEligible: (index: number) => boolean = () => true): Promise<number> {
  const flags = await waitUntil(() => leaders(pages), (f) => f.filter(Boolean).length === 1 && isEligible(f.indexOf(true)), { what: 'exactly one (eligible) leader', intervalMs: 20 })
  return flags.indexOf(true)
}

/** Every leader change each page was told of since recordLifecycle(); `[]` for closed pages. */
function leaderLogs(pages: readonly Page[]): Promise<boolean[][]> {
  return Promise.all(pages.map(async (p) => (p.isClosed() ? [] : (await lifecycleOf(p)).leader.map((e) => e.isLeader))))
}

test('hiding or closing the leader hands leadership to another visible tab, one leader at a time', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const pages = await openTabs(context, 3, appUrl({ token: alice.token }))
  for (const page of pages) await recordLifecycle(page)
  const first = await theLeader(pages)
  const at = (i: number): Page => pages[i] ?? (() => { throw new Error(`no page ${i}`) })()

  // Hidden: the leader steps down and one visible tab takes over; each is told exactly once.
  await hide(at(first))
  const second = await theLeader(pages, (i) => i !== first)
  const other = [0, 1, 2].find((i) => i !== first && i !== second) ?? -1
  const expected = (byIndex: Record<number, boolean[]>): boolean[][] => pages.map((_, i) => byIndex[i] ?? [])
  const afterHide = expected({ [first]: [false], [second]: [true] })
  expect(await waitUntil(() => leaderLogs(pages), (l) => l[first]?.length === 1, { what: 'the hidden leader told it stepped down' })).toEqual(afterHide)

  // Shown again: no flapping back, the new leader keeps the role.
  await show(at(first))
  await waitUntil(() => hubStats(at(first)), (s) => s.visibleTabs === 3, { what: 'the hub to see three visible tabs' })
  expect(await leaders(pages)).toEqual(pages.map((_, i) => i === second))
  expect(await leaderLogs(pages)).toEqual(afterHide)

  // Closed (with the third tab hidden): the lock tells the hub at once; the one visible tab leads.
  await hide(at(other))
  await waitUntil(() => hubStats(at(first)), (s) => s.visibleTabs === 2, { what: 'the hub to see the third tab hidden' })
  const started = Date.now()
  await at(second).close()
  const open = [first, other].map(at)
  expect(await theLeader(open)).toBe(0)
  expect(Date.now() - started).toBeLessThan(1_000)
  expect(await leaderLogs(pages)).toEqual(expected({ [first]: [false, true] }))
})

for (const isExtended of [true, false]) {
  const title = isExtended
    ? 'reloading the only tab keeps the server connection and the worker (extendedLifetime)'
    : 'control: without extendedLifetime, reloading the only tab costs a new connection'
  test(title, async ({ context, server, makeUser, browserName }) => {
    test.skip(browserName !== 'chromium', 'extendedLifetime is a Chromium (148+) SharedWorker option')
    const alice = await makeUser('alice')
    const topic = topicOf('reload')
    // A linger longer than a reload, so the topic is not left and joined again either.
    const url = appUrl({ token: alice.token, options: { lingerMs: 5_000, ...(isExtended ? {} : { extendedLifetime: 0 }) } })
    const page = await openTab(context, url)
    expect((await subscribeAll([page], topic)).map((r) => r.status)).toEqual(['SUBSCRIBED'])
    const before = await waitUntil(server.stats, (s) => joined(s, topic) === 1 && socketsOf(s, alice.sub).length === 1, { what: 'the topic joined' })
    const { workerId } = await hubStats(page)

    await page.reload()
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' })
    expect((await subscribeAll([page], topic)).map((r) => r.status)).toEqual(['SUBSCRIBED'])
    const after = await waitUntil(server.stats, (s) => joined(s, topic) === 1 && socketsOf(s, alice.sub).length === 1, { what: 'the topic joined after the reload' })
    const stats = await hubStats(page)
    if (isExtended) {
      expect(after.connectionsTotal - before.connectionsTotal).toBe(0)
      expect(after.joinsTotal - before.joinsTotal).toBe(0)
      expect(stats).toMatchObject({ workerId, tabs: 1, connections: 1 })
    } else {
      expect(after.connectionsTotal - before.connectionsTotal).toBe(1)
      expect(stats.workerId).not.toBe(workerId)
    }
  })
}
