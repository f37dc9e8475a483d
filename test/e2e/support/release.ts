/**
 * Issue 4, a tab that goes away: its topics and presence are released through its Web Lock at
 * once, not after a heartbeat timeout. Shared by the closed-tab spec (every browser) and the
 * crashed-tab spec (Chromium: `Page.crash` is a DevTools command).
 */
import { expect, topicOf } from './fixtures.ts'
import { crashPage, test } from './lifecycle.ts'
import { appUrl, openTabs } from './pages.ts'
import { joined, socketsOf, type Stats } from './server.ts'
import { hubStats, subscribeAll } from './tabs.ts'
import { waitUntil } from './wait.ts'

function presenceOf(snapshot: Stats, topic: string): number {
  return snapshot.presence[`realtime:${topic}`] ?? 0
}

/**
 * Registers the test for a tab that is closed or crashed.
 * @example
 * defineReleaseTest('closed')
 */
export function defineReleaseTest(how: 'closed' | 'crashed'): void {
  test(`a ${how} tab's topics and presence are released within 1 s, not after a heartbeat timeout`, async ({ context, server, makeUser }) => {
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

    // Measured from the moment the tab is told to go (close requested, or Page.crash sent once the
    // DevTools session is up) to the first /stats that shows the release; typically 120-170 ms
    // with the 100 ms linger, so the 1 s bound leaves room for a busy machine.
    let startedAt = Date.now()
    if (how === 'closed') await leaving.close()
    else startedAt = await crashPage(leaving)
    const released = await waitUntil(server.stats, (s) => joined(s, own) === 0 && presenceOf(s, shared) === 0, { what: `the ${how} tab's topic and presence released`, timeoutMs: 5_000, intervalMs: 20 })
    const releasedAfterMs = Date.now() - startedAt
    test.info().annotations.push({ type: 'released after', description: `${releasedAfterMs} ms` })
    expect(releasedAfterMs).toBeLessThan(1_000)
    // The staying tab keeps the shared topic and the one connection; it sees the presence leave.
    expect(joined(released, shared)).toBe(1)
    expect(socketsOf(released, alice.sub)).toEqual([expect.objectContaining({ channels: 1 })])
    await waitUntil(() => staying.evaluate((t) => window.harness.presence(t), shared), (p) => Object.keys(p).length === 0, { what: 'the staying tab to see the presence leave' })
    expect(await hubStats(staying)).toMatchObject({ tabs: 1, connections: 1 })
  })
}
