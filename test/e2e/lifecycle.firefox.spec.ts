/**
 * Firefox's SharedWorker lifetime, where it differs from Chromium's (docs/guide/browser-support.md):
 * Firefox has no `extendedLifetime`, so the hub worker, and the connection it holds, end with the
 * last tab of the profile, even on a reload of the only tab. The Chromium counterparts (the
 * extendedLifetime reload, crashes and worker termination through the DevTools protocol) live in
 * `*.chromium.spec.ts`; playwright.config.ts runs this file in the firefox project only.
 */
import { expect, test, topicOf } from './support/fixtures.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { reloadOnlyTab } from './support/reload.ts'
import { hubStats, subscribeAll } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

test('reloading the only tab starts a new worker and costs one new connection (no extendedLifetime)', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('reload')
  // The app asks for extendedLifetime (test/e2e/app/main.ts); Firefox ignores the option. The hub
  // would keep an idle connection for a minute, so only the worker's end can close it.
  const page = await openTab(context, appUrl({ token: alice.token, options: { lingerMs: 5_000, 'hub.idleCloseMs': 60_000 } }))
  const { before, after, workerId, stats } = await reloadOnlyTab(page, server, topic, alice.sub)
  expect(after.connectionsTotal - before.connectionsTotal).toBe(1)
  expect(after.joinsTotal - before.joinsTotal).toBe(1)
  expect(stats.workerId).not.toBe(workerId)
  expect(stats).toMatchObject({ tabs: 1, connections: 1, status: 'open' })
})

test('the worker and its connection live as long as one tab does, and end with the last', async ({ context, server, makeUser }) => {
  const alice = await makeUser('alice')
  const topic = topicOf('last')
  const [first, last] = await openTabs(context, 2, appUrl({ token: alice.token, options: { lingerMs: 100, 'hub.idleCloseMs': 60_000 } }))
  if (!first || !last) throw new Error('openTabs opened fewer pages than asked')
  await subscribeAll([first, last], topic)
  await waitUntil(server.stats, (s) => joined(s, topic) === 1 && socketsOf(s, alice.sub).length === 1, { what: 'the topic joined' })
  const { workerId } = await hubStats(last)

  // The first tab (the worker's creator) goes: the worker stays, with the one connection.
  await first.close()
  await waitUntil(() => hubStats(last), (s) => s.tabs === 1, { what: 'the hub to see one tab left' })
  const kept = await server.stats()
  expect(socketsOf(kept, alice.sub)).toHaveLength(1)
  expect(joined(kept, topic)).toBe(1)
  expect((await hubStats(last)).workerId).toBe(workerId)

  // The last tab goes: the worker ends, and its socket with it, long before the hub's idle close.
  await last.close()
  await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 0, { what: 'the socket to close with the worker', timeoutMs: 5_000 })
})
