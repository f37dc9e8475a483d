/**
 * Issue 4, tokens: a refreshed token goes onto the open connection (no new socket) and keeps its
 * channels alive past the old token's expiry; a token that expires with no refresh is reported as
 * `CHANNEL_ERROR` with `unauthorized`. Three users share the browser profile (one context, one
 * worker) and never see each other's local echo.
 */
import type { Page } from '@playwright/test'
import { expect, topicOf } from './support/fixtures.ts'
import { lifecycleOf, recordLifecycle, restBroadcast, subscribeWithResync, test } from './support/lifecycle.ts'
import { appUrl, openTab, openTabs } from './support/pages.ts'
import { joined, mintToken, socketsOf } from './support/server.ts'
import { numbersOf, waitForNumber } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

/** The `exp` claim of a JWT, in seconds. */
function expOf(token: string): number {
  const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
  if (typeof payload !== 'object' || payload === null || !('exp' in payload) || typeof payload.exp !== 'number') throw new Error('token without exp')
  return payload.exp
}

test('a refreshed token is applied without a new connection; an expired one is reported unauthorized; users stay apart', async ({ context, server, makeUser }) => {
  const [alice, bob, carol] = [await makeUser('alice'), await makeUser('bob'), await makeUser('carol')]
  const topic = topicOf('auth')
  const join = async (pages: Page[]): Promise<Page[]> => {
    for (const page of pages) {
      await recordLifecycle(page)
      expect(await subscribeWithResync(page, topic)).toMatchObject({ status: 'SUBSCRIBED', error: null })
    }
    return pages
  }
  // Alice and Carol start with 6-second tokens (valid 5 to 6 s: the server counts whole seconds),
  // each minted right before its pages open and join. Only Alice's own set-up races her token: one
  // of her tabs refreshes it (same user, later exp) as soon as her tabs have joined. Carol's is
  // minted after that, so it expires no earlier than Alice's; nobody refreshes it.
  const aliceShort = await mintToken(server.url, alice.sub, 6)
  const alices = await join(await openTabs(context, 2, appUrl({ token: aliceShort })))
  const [refresher, other] = alices
  if (!refresher || !other) throw new Error('openTabs opened fewer pages than asked')
  const aliceSocket = socketsOf(await waitUntil(server.stats, (s) => joined(s, topic) === 1, { what: 'alice joined' }), alice.sub)
  await refresher.evaluate((token) => window.harness.realtime.setAuth(token), alice.token)
  const carolShort = await mintToken(server.url, carol.sub, 6)
  const [carols] = await join([await openTab(context, appUrl({ token: carolShort }))])
  const [bobs] = await join([await openTab(context, appUrl({ token: bob.token }))])
  if (!carols || !bobs) throw new Error('openTab opened no page')
  const pages = [...alices, bobs, carols]
  const before = await waitUntil(server.stats, (s) => joined(s, topic) === 3, { what: 'three users joined' })
  expect(before.sockets.map((s) => s.sub).sort()).toEqual([alice.sub, bob.sub, carol.sub].sort())

  const carolLog = await waitUntil(async () => (await lifecycleOf(carols)).channels[topic] ?? [], (log) => log.length > 0, { what: "Carol's channel to fail", timeoutMs: 10_000 })
  expect(carolLog).toEqual([expect.objectContaining({ status: 'CHANNEL_ERROR', code: 'unauthorized', message: expect.stringMatching(/expired/) })])
  // The premise of the next checks: Alice's first token has expired by now too.
  expect(Date.now() / 1000).toBeGreaterThanOrEqual(expOf(aliceShort))

  const after = await waitUntil(server.stats, (s) => joined(s, topic) === 2, { what: "Carol's channel shut by the server" })
  expect(after.connectionsTotal - before.connectionsTotal).toBe(0)
  // The refresh went onto Alice's socket of before the refresh: no new one.
  expect(socketsOf(after, alice.sub).map((s) => s.id)).toEqual(aliceSocket.map((s) => s.id))
  expect(socketsOf(after, alice.sub)).toEqual([expect.objectContaining({ channels: 1 })])
  for (const page of [...alices, bobs]) {
    expect((await lifecycleOf(page)).channels[topic]).toEqual([])
    expect(await page.evaluate(() => window.harness.realtime.status)).toBe('open')
  }

  // Events still flow to Alice on her refreshed connection; each user gets each event once.
  await restBroadcast(server.url, server.anonKey, topic, 'seq', { n: 1 })
  for (const page of [...alices, bobs]) await waitForNumber(page, topic, 1)
  expect(await bobs.evaluate((t) => window.harness.send(t, 'seq', { n: 2 }), topic)).toBe('ok')
  for (const page of alices) await waitForNumber(page, topic, 2)
  expect(await refresher.evaluate((t) => window.harness.send(t, 'seq', { n: 3 }), topic)).toBe('ok')
  for (const page of [other, bobs]) await waitForNumber(page, topic, 3)
  await restBroadcast(server.url, server.anonKey, topic, 'seq', { n: 4 })
  for (const page of [...alices, bobs]) await waitForNumber(page, topic, 4)
  expect(await Promise.all(pages.map((p) => numbersOf(p, topic)))).toEqual([[1, 2, 4], [1, 2, 3, 4], [1, 3, 4], []])
  expect((await server.stats()).connectionsTotal - before.connectionsTotal).toBe(0)
})
