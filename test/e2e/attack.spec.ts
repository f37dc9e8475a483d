/**
 * Issue 31, the control surfaces: a page of the app's origin in the same browser context (another
 * app on the origin, an injected script) opens the hub's SharedWorker by the URL and name in the
 * bundle and sends it raw Comlink messages, then posts forged deploy notices. It gets nothing: no
 * code runs in the hub, no tab moves, and the user's tabs keep receiving over one socket.
 */
import { PROTOCOL_VERSION } from '../../src/contract/protocol.ts'
import { expect, test, topicOf } from './support/fixtures.ts'
import { attackHub, evilConnects, forgeDeploys } from './support/attacker.ts'
import { e2eEnv } from './support/env.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { at, hubStats, range, subscribeAll, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

const NAME = `tabrelay-v${PROTOCOL_VERSION}`

test('raw Comlink at the hub and forged deploy notices from another page of the origin: refused, no code runs, no tab moves, one socket', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('attack')
  const tabs = await openTabs(context, 2, appUrl({ token: alice.token }))
  await subscribeAll(tabs, topic)
  await waitUntil(server.stats, (s) => joined(s, topic) === 1, { what: 'the topic joined' })
  const hubId = (await hubStats(at(tabs, 0))).workerId

  // A page of the origin that is not the app (here: the static server's 404 page).
  const attacker = await context.newPage()
  await attacker.goto(new URL('not-the-app', e2eEnv().appUrl).href)
  const attack = await attacker.evaluate(attackHub, { name: NAME })
  const refused = Object.fromEntries(Object.keys(attack.outcomes).map((what) => [what, 'error bad-input']))
  expect(attack.outcomes).toEqual(refused)
  expect(attack.probe).toBe('refused')

  // A tab that says hello after the prototype write is served as usual, and so are the others.
  const late = await openTab(context, appUrl({ token: alice.token }))
  await subscribeAll([late], topic)
  expect((await hubStats(late)).workerId).toBe(hubId)
  expect(new Set(await at(tabs, 0).evaluate((t) => window.harness.sendSequence(t, 'seq', 1, 10), topic))).toEqual(new Set(['ok']))
  for (const page of [at(tabs, 1), late]) expect(await waitForNumber(page, topic, 10)).toEqual(range(1, 10))

  // Forged deploy notices: an evil blob: worker, a data: URL, another origin, another directory.
  await attacker.evaluate(forgeDeploys, { name: NAME, workerUrl: attack.workerUrl, protocol: PROTOCOL_VERSION })
  // Had a hub taken a notice, its tabs would have opened the offered worker at once; these 10
  // messages go round the server after the notices went out.
  expect(new Set(await at(tabs, 0).evaluate((t) => window.harness.sendSequence(t, 'seq', 11, 20), topic))).toEqual(new Set(['ok']))
  for (const page of [at(tabs, 1), late]) expect(await waitForNumber(page, topic, 20)).toEqual(range(1, 20))
  expect(await attacker.evaluate(evilConnects)).toEqual({ connects: 1, tokens: 0 })
  for (const page of [...tabs, late]) {
    expect(await page.evaluate(() => window.harness.updates())).toEqual([])
    expect(await hubStats(page)).toMatchObject({ workerId: hubId, tabs: 3, connections: 1 })
  }
  expect(socketsOf(await server.stats(), alice.sub)).toHaveLength(1)
})
