/**
 * Issue 4, reloading the only tab (Chromium: `extendedLifetime` is a Chromium 148+ SharedWorker
 * option; Firefox's behaviour is asserted in lifecycle.firefox.spec.ts): with it the worker and its
 * server connection survive the reload; without it (the control) the reload costs a new connection.
 */
import { expect } from './support/fixtures.ts'
import { test } from './support/lifecycle.ts'
import { appUrl, openTab } from './support/pages.ts'
import { joined, socketsOf } from './support/server.ts'
import { hubStats, subscribeAll } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

/** A topic name of this test only, so a failure's server stats read unambiguously. */
function topicOf(name: string): string {
  return `${name}:${test.info().testId.slice(0, 6)}`
}

for (const isExtended of [true, false]) {
  const title = isExtended
    ? 'reloading the only tab keeps the server connection and the worker (extendedLifetime)'
    : 'control: without extendedLifetime, reloading the only tab costs a new connection'
  test(title, async ({ context, server, makeUser }) => {
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
