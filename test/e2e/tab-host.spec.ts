/**
 * Issue 16, sharing without SharedWorker: an init script removes `SharedWorker`, so host 'auto'
 * elects one tab as host (its dedicated Worker runs the hub), and the other tabs reach it over
 * BroadcastChannel. One connection per user; a closed host is replaced within tens of ms; pause
 * and resume follow visibility. The crashed-host twin is Chromium-only (tab-host.chromium.spec.ts).
 */
import { expect, topicOf } from './support/fixtures.ts'
import { recordLifecycle, test, waitForStatus } from './support/lifecycle.ts'
import { appUrl, hide, openTabs, show } from './support/pages.ts'
import { socketsOf } from './support/server.ts'
import { defineHandoverTest, hostIndex, withoutSharedWorker } from './support/tab-host.ts'
import { hubStats, subscribeAll } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

test('5 tabs without SharedWorker → one tab hosts, 1 server connection', async ({ context, server, makeUser }) => {
  await withoutSharedWorker(context)
  const alice = await makeUser('alice')
  const pages = await openTabs(context, 5, appUrl({ token: alice.token }))
  expect(await pages[0]?.evaluate(() => typeof window.SharedWorker)).toBe('undefined')
  await hostIndex(pages)
  for (const page of pages) await recordLifecycle(page)
  // A socket names its user once it joined with the user's token.
  expect((await subscribeAll(pages, topicOf('room'))).map((r) => r.status)).toEqual(pages.map(() => 'SUBSCRIBED'))
  const stats = await Promise.all(pages.map(hubStats))
  expect(new Set(stats.map((s) => s.workerId)).size).toBe(1)
  expect(stats[0]).toMatchObject({ tabs: 5, connections: 1 })
  const snapshot = await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 1, { what: 'one socket' })
  expect(snapshot.connections).toBe(1)
})

defineHandoverTest('closed')

test('all tabs hidden → paused; one shown → resumed, one socket again', async ({ context, server, makeUser }) => {
  await withoutSharedWorker(context)
  const alice = await makeUser('alice')
  const pages = await openTabs(context, 3, appUrl({ token: alice.token, options: { pauseWhenHiddenMs: 300 } }))
  for (const page of pages) await recordLifecycle(page)
  const host = await hostIndex(pages)
  expect((await subscribeAll(pages, topicOf('room'))).map((r) => r.status)).toEqual(pages.map(() => 'SUBSCRIBED'))
  for (const page of pages) await hide(page)
  for (const page of pages) await waitForStatus(page, 'paused')
  await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 0, { what: 'the socket closed while paused' })
  const shown = (host + 1) % pages.length
  const page = pages[shown]
  if (!page) throw new Error('no page to show')
  await show(page)
  // Whichever tab hosts when the shown one asks for the role (the unit test of tab-host.ts checks
  // the handover itself), the connection resumes once for every tab.
  for (const p of pages) await waitForStatus(p, 'open')
  await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 1, { what: 'one socket again' })
  expect(await hostIndex(pages)).toBeGreaterThanOrEqual(0)
})

test('two users in one profile without SharedWorker → one host, two connections', async ({ context, server, makeUser }) => {
  await withoutSharedWorker(context)
  const [alice, bob] = [await makeUser('alice'), await makeUser('bob')]
  const pages = [
    ...(await openTabs(context, 2, appUrl({ token: alice.token }))),
    ...(await openTabs(context, 2, appUrl({ token: bob.token }))),
  ]
  await hostIndex(pages)
  expect((await subscribeAll(pages, topicOf('room'))).map((r) => r.status)).toEqual(pages.map(() => 'SUBSCRIBED'))
  const stats = await Promise.all(pages.map(hubStats))
  expect(new Set(stats.map((s) => s.workerId)).size).toBe(1)
  expect(stats.map((s) => s.tabs)).toEqual([2, 2, 2, 2])
  const snapshot = await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 1 && socketsOf(s, bob.sub).length === 1, { what: 'one socket per user' })
  expect(snapshot.connections).toBe(2)
})
