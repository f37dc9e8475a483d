/**
 * Issue 4, reloading the only tab (Chromium: `extendedLifetime` is a Chromium 148+ SharedWorker
 * option; Firefox's behaviour is asserted in lifecycle.firefox.spec.ts): with it the worker and its
 * server connection survive the reload; without it (the control) the reload costs a new connection.
 */
import { expect, topicOf } from './support/fixtures.ts'
import { test } from './support/lifecycle.ts'
import { appUrl, openTab } from './support/pages.ts'
import { reloadOnlyTab } from './support/reload.ts'

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
    const { before, after, workerId, stats } = await reloadOnlyTab(page, server, topic, alice.sub)
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
