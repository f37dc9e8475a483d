/**
 * Issue 3, the product: every page of a user in one browser context rides ONE server connection
 * held by the SharedWorker; each topic is joined once; broadcasts fan out to the other pages
 * exactly once and in order; topics are left when the last page goes.
 */
import { expect, test } from './support/fixtures.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { hubStats, numbersOf, range, subscribeAll, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

/** A topic name of this test only, so a failure's server stats read unambiguously. */
function topicOf(name: string): string {
  return `${name}:${test.info().testId.slice(0, 6)}`
}

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

test('a broadcast reaches every other page once and in order, and its sender only with self', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('fanout')
  const pages = await openTabs(context, 5, appUrl({ token: alice.token }))
  const [quiet, echoing, ...others] = pages
  if (!quiet || !echoing) throw new Error('openTabs opened fewer pages than asked')
  await subscribeAll([quiet], topic, { self: false })
  await subscribeAll([echoing], topic, { self: true })
  await subscribeAll(others, topic)

  // 1..50 from a page without self, 51..100 from a page with self, 101 as the end marker from a
  // page without self: every message before the marker has arrived once the marker has.
  expect(new Set(await quiet.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 50), topic))).toEqual(new Set(['ok']))
  expect(new Set(await echoing.evaluate((t) => window.harness.sendSequence(t, 'seq', 51, 100), topic))).toEqual(new Set(['ok']))
  const [marker, ...rest] = others
  if (!marker) throw new Error('openTabs opened fewer pages than asked')
  expect(await marker.evaluate((t) => window.harness.send(t, 'seq', { n: 101 }), topic)).toBe('ok')

  expect(await waitForNumber(quiet, topic, 101)).toEqual(range(51, 101))
  expect(await waitForNumber(echoing, topic, 101)).toEqual(range(1, 101))
  for (const page of rest) expect(await waitForNumber(page, topic, 101)).toEqual(range(1, 101))
  expect(await waitForNumber(marker, topic, 100)).toEqual(range(1, 100))
  expect(await numbersOf(marker, topic)).toEqual(range(1, 100))
})
