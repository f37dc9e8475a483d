/**
 * Helpers of the tab-host specs (issue 16): pages without SharedWorker, which page hosts the hub,
 * a broadcast pump from the test process, and the handover test shared by the closed-host spec
 * (every browser) and the crashed-host spec (Chromium: `Page.crash` is a DevTools command).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect, topicOf } from './fixtures.ts'
import { crashPage, lifecycleOf, recordLifecycle, restBroadcast, subscribeWithResync, test } from './lifecycle.ts'
import { appUrl, openTabs } from './pages.ts'
import { joined, socketsOf } from './server.ts'
import { hubStats } from './tabs.ts'
import { waitUntil } from './wait.ts'

/**
 * Removes `SharedWorker` from every page of `context` before the app runs, as on Chrome Android
 * before 148: `worker('shared')` then throws and host 'auto' elects a tab host.
 * @example
 * await withoutSharedWorker(context)
 */
export async function withoutSharedWorker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    Object.defineProperty(window, 'SharedWorker', { value: undefined, configurable: true, writable: true })
  })
}

/**
 * The index of the one page hosting the hub, once exactly one does.
 * @example
 * const host = pages[await hostIndex(pages)]
 */
export async function hostIndex(pages: readonly Page[]): Promise<number> {
  const flags = await waitUntil(() => Promise.all(pages.map((p) => p.evaluate(() => window.tabHost.isHosting))), (f) => f.filter(Boolean).length === 1, { what: 'exactly one host page', intervalMs: 20 })
  return flags.indexOf(true)
}

/** Arrivals of `{ n }` broadcasts on `topic`: n and the page's Date.now(). */
export function arrivals(page: Page, topic: string): Promise<Array<{ n: number; at: number }>> {
  return page.evaluate((t) => window.harness.received(t).map(({ payload, at }) => {
    const n = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload['n'] : undefined
    return { n: typeof n === 'number' ? n : -1, at }
  }), topic)
}

/** A broadcast every `everyMs` from the test process through the server's REST route. */
export interface Pump {
  /** The last n sent. */
  readonly sent: number
  stop(): Promise<void>
}

/**
 * Starts sending `{ n }` = 1, 2, … to `topic` every `everyMs` (a load generator's pace, not a wait).
 * @example
 * const pump = startPump(server.url, server.anonKey, topic, 10); … await pump.stop()
 */
export function startPump(url: string, apikey: string, topic: string, everyMs: number): Pump {
  let sent = 0
  let isStopped = false
  const loop = (async () => {
    while (!isStopped) {
      await restBroadcast(url, apikey, topic, 'seq', { n: ++sent })
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  return { get sent() { return sent }, stop: async () => { isStopped = true; await loop } }
}

/**
 * Registers the handover test: five tabs, the host closed or crashed, events flowing again.
 * @example
 * defineHandoverTest('closed')
 */
export function defineHandoverTest(how: 'closed' | 'crashed'): void {
  test(`the host tab ${how} → the next tab hosts; events flow again in every tab, once each, with a resync per channel`, async ({ context, server, makeUser }) => {
    await withoutSharedWorker(context)
    const alice = await makeUser('alice')
    const [live, quiet] = [topicOf('live'), topicOf('quiet')]
    // Heartbeats 5 s apart: recovery within a second can only come from the host's locks.
    const pages = await openTabs(context, 5, appUrl({ token: alice.token, options: { heartbeatIntervalMs: 5_000 } }))
    for (const page of pages) {
      await recordLifecycle(page)
      for (const topic of [live, quiet]) expect((await subscribeWithResync(page, topic)).status).toBe('SUBSCRIBED')
    }
    await waitUntil(server.stats, (s) => joined(s, live) === 1 && socketsOf(s, alice.sub).length === 1, { what: 'one socket, one join' })
    const host = pages[await hostIndex(pages)]
    if (!host) throw new Error('no host page')
    const stayed = pages.filter((p) => p !== host)
    const pump = startPump(server.url, server.anonKey, live, 10)
    for (const page of stayed) await waitUntil(() => arrivals(page, live), (a) => a.length >= 3, { what: 'events flowing before' })

    let goneAt = Date.now()
    if (how === 'closed') await host.close()
    else goneAt = await crashPage(host)
    const after = (a: ReadonlyArray<{ at: number }>): number => a.filter((e) => e.at > goneAt).length
    for (const page of stayed) await waitUntil(() => arrivals(page, live), (a) => after(a) >= 5, { what: 'events flowing again', timeoutMs: 10_000, intervalMs: 20 })
    await pump.stop()

    const gaps: number[] = []
    for (const page of stayed) {
      const got = await arrivals(page, live)
      const ns = got.map((e) => e.n)
      expect(new Set(ns).size, 'no duplicates').toBe(ns.length)
      expect(ns, 'in order').toEqual([...ns].sort((a, b) => a - b))
      // The silence: the longest time between two arrivals from just before the host went on
      // (a close or crash takes effect some ms after it was asked for).
      const around = got.filter((e) => e.at >= goneAt - 50)
      const silence = Math.max(...around.slice(1).map((e, i) => e.at - (around[i]?.at ?? e.at)))
      gaps.push(silence)
      const log = await lifecycleOf(page)
      for (const topic of [live, quiet]) expect(log.resyncs[topic]?.filter((r) => r.at > goneAt).length, `a resync on ${topic}`).toBeGreaterThanOrEqual(1)
    }
    const newHost = stayed[await hostIndex(stayed)]
    if (!newHost) throw new Error('no new host')
    const lost = pump.sent - (await arrivals(newHost, live)).length
    test.info().annotations.push({ type: 'handover gap', description: `${gaps.join(', ')} ms (max ${Math.max(...gaps)}); ${lost} of ${pump.sent} broadcasts sent while no socket was joined` })
    console.log(`tab host ${how}: handover gap per tab ${gaps.join(', ')} ms; ${lost} of ${pump.sent} broadcasts missed (resync covers them)`)
    expect(Math.max(...gaps)).toBeLessThan(1_000)
    await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 1, { what: 'one socket again' })
    expect(await hubStats(newHost)).toMatchObject({ tabs: 4, connections: 1 })
  })
}
