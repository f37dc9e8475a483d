/**
 * Issue 31 item 4, the tab host (no SharedWorker) against another page of the same origin in the
 * same browser context: it listens on every BroadcastChannel name it can find (every Web Lock
 * name the origin holds or waits for, and each prefix of it) and hears no token or payload; it
 * posts forged, plain and replayed frames from the tabs' addresses and nothing changes; and a
 * second app of the origin, with its own worker file, elects its own host and connects beside the
 * first.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect, topicOf } from './support/fixtures.ts'
import { recordLifecycle, restBroadcast, test } from './support/lifecycle.ts'
import { e2eEnv } from './support/env.ts'
import { appUrl, openTabs } from './support/pages.ts'
import { mintToken, socketsOf } from './support/server.ts'
import { hostIndex, withoutSharedWorker } from './support/tab-host.ts'
import { at, hubStats, subscribeAll } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

declare global {
  interface Window {
    /** The attacker page's recorder: every message heard on every channel it opened. */
    spy: { heard: Array<{ name: string; data: unknown }>; names: string[] }
  }
}

const MARKER = 'payload-marker-c41d'

/** Opens a page of the origin that runs no client, and makes it listen everywhere it can. */
async function attackerPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  await page.goto(e2eEnv().appUrl)
  await page.evaluate(() => {
    const spy: Window['spy'] = { heard: [], names: [] }
    window.spy = spy
    const listen = (name: string): void => {
      if (spy.names.includes(name)) return
      spy.names.push(name)
      new BroadcastChannel(name).onmessage = (event: MessageEvent) => { spy.heard.push({ name, data: event.data }) }
    }
    // An attacker's loop, not a test's wait: any name the origin's pages lock is a channel to try.
    const scan = async (): Promise<void> => {
      const state = await navigator.locks.query()
      for (const lock of [...(state.held ?? []), ...(state.pending ?? [])]) {
        const name = lock.name ?? ''
        listen(name)
        for (let i = name.lastIndexOf(':'); i > 0; i = name.lastIndexOf(':', i - 1)) listen(name.slice(0, i))
      }
      setTimeout(() => { void scan() }, 2)
    }
    void scan()
  })
  return page
}

/** What the attacker heard, as text (byte buffers as Latin-1), and how many sealed frames. */
function heardText(page: Page): Promise<{ text: string; frames: number; names: string[] }> {
  return page.evaluate(() => {
    const text = JSON.stringify(window.spy.heard, (_key, value: unknown) => (value instanceof ArrayBuffer ? String.fromCharCode(...new Uint8Array(value)) : value))
    const frames = window.spy.heard.filter(({ data }) => typeof data === 'object' && data !== null && 'tabrelay' in data && data.tabrelay === 'msg').length
    return { text, frames, names: window.spy.names }
  })
}

/** Posts, as the tabs' addresses, a plain `bye`, a changed frame and a replay of each frame it heard go to a host. */
function forge(page: Page): Promise<number> {
  return page.evaluate(() => {
    type Frame = { tabrelay: 'msg'; to: string; from: string; n: number; box: ArrayBuffer }
    const hosts = new Set(window.spy.heard.flatMap(({ data }) => (typeof data === 'object' && data !== null && 'tabrelay' in data && data.tabrelay === 'host' && 'hostId' in data ? [String(data.hostId)] : [])))
    const toHost = window.spy.heard.filter((m): m is { name: string; data: Frame } => typeof m.data === 'object' && m.data !== null && 'tabrelay' in m.data && m.data.tabrelay === 'msg' && 'to' in m.data && hosts.has(String(m.data.to)))
    const channels = new Map<string, BroadcastChannel>()
    const channel = (name: string): BroadcastChannel => channels.get(name) ?? channels.set(name, new BroadcastChannel(name)).get(name) ?? new BroadcastChannel(name)
    for (const { name, data } of toHost) {
      channel(name).postMessage({ tabrelay: 'msg', to: data.to, from: data.from, data: { id: 'forged', type: 'APPLY', path: ['bye'], argumentList: [] } })
      const flipped = new Uint8Array(data.box.slice(0))
      flipped[0] = (flipped[0] ?? 0) ^ 1
      channel(name).postMessage({ ...data, n: data.n + 1_000_000, box: flipped.buffer })
      channel(name).postMessage(data)
    }
    return toHost.length
  })
}

async function statusesOf(page: Page): Promise<string[]> {
  return page.evaluate(() => window.harness.connectionStatuses())
}

test('an attacker page hears no token or payload on any channel, cannot act as a tab; a second app elects its own host', async ({ context, server, makeUser }) => {
  await withoutSharedWorker(context)
  const alice = await makeUser('alice')
  const topic = topicOf('room')
  const attacker = await attackerPage(context)
  const pages = await openTabs(context, 3, appUrl({ token: alice.token }))
  await hostIndex(pages)
  for (const page of pages) await recordLifecycle(page)
  expect((await subscribeAll(pages, topic)).map((r) => r.status)).toEqual(['SUBSCRIBED', 'SUBSCRIBED', 'SUBSCRIBED'])
  // A tab opened while the attacker listens (its hello), a token refresh and a delivery.
  const [late] = await openTabs(context, 1, appUrl({ token: alice.token }))
  if (!late) throw new Error('no late page')
  pages.push(late)
  expect((await subscribeAll([late], topic)).map((r) => r.status)).toEqual(['SUBSCRIBED'])
  const refreshed = await mintToken(server.url, alice.sub)
  await late.evaluate((token) => window.harness.realtime.setAuth(token), refreshed)
  await restBroadcast(server.url, server.anonKey, topic, 'say', { secret: MARKER })
  for (const page of pages) await waitUntil(() => page.evaluate((t) => window.harness.received(t).length, topic), (n) => n === 1, { what: 'the marker in every tab' })

  const heard = await heardText(attacker)
  expect(heard.names.some((name) => name.startsWith('tabrelay-host-v')), `channels found: ${heard.names.join(', ')}`).toBe(true)
  expect(heard.frames, 'the attacker heard the tabs talk').toBeGreaterThan(20)
  const [, claims] = alice.token.split('.')
  for (const secret of [alice.token, claims ?? alice.token, refreshed, MARKER, alice.sub]) expect(heard.text.includes(secret), `"${secret.slice(0, 24)}…" in what the attacker heard`).toBe(false)

  const before = await hubStats(at(pages, 0))
  expect(before).toMatchObject({ tabs: 4, connections: 1 })
  expect(await forge(attacker)).toBeGreaterThan(20)
  // After the forgeries (posted before this call), the hub still knows every tab; nothing reconnected.
  expect(await hubStats(at(pages, 0))).toMatchObject({ tabs: 4, connections: 1, workerId: before.workerId })
  await restBroadcast(server.url, server.anonKey, topic, 'say', { n: 2 })
  for (const page of pages) await waitUntil(() => page.evaluate((t) => window.harness.received(t).length, topic), (n) => n === 2, { what: 'the second message in every tab' })
  for (const page of pages) expect(await page.evaluate((t) => window.harness.received(t).length, topic)).toBe(2)
  for (const page of pages) expect(await statusesOf(page)).not.toContain('reconnecting')

  // The second app: its own worker file, its own host, its own connection.
  const others = await openTabs(context, 2, appUrl({ token: alice.token, options: { app: 'b' } }))
  await hostIndex(others)
  for (const page of others) await waitUntil(() => page.evaluate(() => window.harness.realtime.status), (s) => s === 'open', { what: 'app b open' })
  // A socket names its user once it joined with the user's token.
  expect((await subscribeAll(others, topic)).map((r) => r.status)).toEqual(['SUBSCRIBED', 'SUBSCRIBED'])
  const [a, b] = [await hubStats(at(pages, 0)), await hubStats(at(others, 0))]
  expect(b.workerId).not.toBe(a.workerId)
  expect(a).toMatchObject({ tabs: 4, connections: 1 })
  expect(b).toMatchObject({ tabs: 2, connections: 1 })
  expect((await Promise.all(others.map((p) => hubStats(p)))).map((s) => s.workerId)).toEqual([b.workerId, b.workerId])
  await waitUntil(server.stats, (s) => socketsOf(s, alice.sub).length === 2, { what: 'one socket per app' })
  expect(await hostIndex(pages)).toBeGreaterThanOrEqual(0)
})
