/**
 * Issue 12, deploy skew: a deploy that changes the worker script gives new tabs another
 * SharedWorker (another URL, the same name) than the tabs still open on the old build. Here the
 * two builds are the test app's worker with a different hub option in its URL (`?joinWaitMs=…`):
 * another URL, the same `workerName()`, exactly what a content hash does.
 */
import { PROTOCOL_VERSION } from '../../src/contract/protocol.ts'
import { expect, test, topicOf } from './support/fixtures.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { at, hubStats, numbersOf, range, subscribeAll, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

const OLD_BUILD = { 'hub.joinWaitMs': 10_000 }
const NEW_BUILD = { 'hub.joinWaitMs': 10_001 }

test('a tab of a newer deploy: the older deploy\'s tabs move to its worker, the user is back to one socket, and messages arrive once', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('deploy')
  const olds = await openTabs(context, 3, appUrl({ token: alice.token, options: OLD_BUILD }))
  await subscribeAll(olds, topic)
  const before = await waitUntil(server.stats, (s) => joined(s, topic) === 1, { what: 'the topic joined by the old build' })
  expect(socketsOf(before, alice.sub)).toHaveLength(1)
  const oldHub = (await hubStats(at(olds, 0))).workerId

  const fresh = await openTab(context, appUrl({ token: alice.token, options: NEW_BUILD }))
  await subscribeAll([fresh], topic)
  const newHub = (await hubStats(fresh)).workerId
  expect(newHub).not.toBe(oldHub)
  const reports = await waitUntil(() => Promise.all(olds.map(hubStats)), (all) => all.every((r) => r.workerId === newHub && r.tabs === 4), { what: 'every old tab on the newer deploy\'s hub' })
  expect(reports.map((r) => r.connections)).toEqual([1, 1, 1])
  const after = await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 1, { what: 'one socket for alice again' })
  expect(joined(after, topic)).toBe(1)
  for (const page of olds) expect(await page.evaluate(() => window.harness.updates())).toEqual([{ moved: true, protocol: PROTOCOL_VERSION }])
  expect(await fresh.evaluate(() => window.harness.updates())).toEqual([])

  // The moved tabs rejoined on the newer hub: what the new tab sends reaches each once, in order.
  await waitUntil(() => Promise.all(olds.map((p) => p.evaluate((t) => window.harness.statuses(t).at(-1), topic))), (last) => last.every((s) => s === 'SUBSCRIBED'), { what: 'old tabs subscribed again' })
  expect(new Set(await fresh.evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 20), topic))).toEqual(new Set(['ok']))
  for (const page of olds) expect(await waitForNumber(page, topic, 20)).toEqual(range(1, 20))
  // An old tab sends through the newer hub too.
  expect(await at(olds, 0).evaluate((t) => window.harness.send(t, 'seq', { n: 21 }), topic)).toBe('ok')
  expect(await waitForNumber(fresh, topic, 21)).toEqual([21])
  for (const page of olds.slice(1)) expect(await waitForNumber(page, topic, 21)).toEqual(range(1, 21))
  expect(await numbersOf(at(olds, 0), topic)).toEqual(range(1, 20))
  expect(socketsOf(await server.stats(), alice.sub)).toHaveLength(1)
})
