/**
 * Issue 27, end to end: the Socket.IO transport (unmodified socket.io-client) in real browsers and a
 * real SharedWorker, against two socket.io 4.8 nodes on one Redis (`@socket.io/redis-adapter`)
 * behind a front. Connections and room joins are counted by the nodes themselves.
 */
import type { Page } from '@playwright/test'
import { mintToken } from '../unit/inbox/client.ts'
import { expect } from './support/fixtures.ts'
import { openSioTabs, test, textsOf, unique } from './support/socketio.ts'
import { waitUntil } from './support/wait.ts'
import { ONE_ENGINE } from './support/engines.ts'

const range = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`)

async function joinsOf(cluster: { one: { stats(): Promise<{ joins: Record<string, number> }> }; two: { stats(): Promise<{ joins: Record<string, number> }> } }, room: string): Promise<number> {
  const [one, two] = [await cluster.one.stats(), await cluster.two.stats()]
  return (one.joins[room] ?? 0) + (two.joins[room] ?? 0)
}

async function allReceived(pages: Page[], topic: string, expected: string[]): Promise<void> {
  for (const page of pages) {
    const got = await waitUntil(() => textsOf(page, topic), (list) => list.length >= expected.length, { what: `${expected.length} messages on ${topic}` })
    expect(got).toEqual(expected)
  }
}

test('5 tabs of alice and 2 of bob: 2 Socket.IO connections at the cluster, each room joined once per connection, events emitted on node two reach every subscribed tab once', async ({ context, cluster }) => {
  const [alice, bob] = [unique('alice'), unique('bob')]
  const [room, shared] = [unique('room'), unique('shared')]
  const alices = await openSioTabs(context, 5, cluster.url, await mintToken(alice), [room, shared])
  const bobs = await openSioTabs(context, 2, cluster.url, await mintToken(bob), [shared])
  await waitUntil(async () => [await cluster.sockets(alice), await cluster.sockets(bob)], ([a, b]) => a === 1 && b === 1, { what: 'one connection per user' })
  expect([await joinsOf(cluster, room), await joinsOf(cluster, shared)]).toEqual([1, 2])
  const sent = range('e', 1, 5)
  for (const text of sent) await cluster.two.emit(room, 'message', { text })
  await cluster.two.emit(shared, 'message', { text: 'to all' })
  await allReceived(alices, room, sent)
  await allReceived([...alices, ...bobs], shared, ['to all'])
  // A tab's acked send: the server acks it and forwards it to bob's connection; the hub hands it to
  // alice's other tabs (the server does not echo to the sender's socket).
  expect(await alices[0]?.evaluate((t) => window.sio.send(t, 'from a tab'), shared)).toBe('ok')
  await allReceived([...alices.slice(1), ...bobs], shared, ['to all', 'from a tab'])
  for (const page of bobs) expect(await textsOf(page, room)).toEqual([])
  expect(await textsOf(alices[0] as Page, shared)).toEqual(['to all'])
  expect([await cluster.sockets(alice), await cluster.sockets(bob)]).toEqual([1, 1])
})

test('connections at the cluster at 1, 5 and 10 tabs of one user: 1, 1, 1', ONE_ENGINE, async ({ context, cluster }) => {
  const carol = unique('carol')
  const token = await mintToken(carol)
  const room = unique('count')
  const counts: number[] = []
  let open = 0
  for (const target of [1, 5, 10]) {
    await openSioTabs(context, target - open, cluster.url, token, [room])
    open = target
    counts.push(await waitUntil(() => cluster.sockets(carol), (n) => n >= 1, { what: 'the connection' }))
  }
  expect(counts).toEqual([1, 1, 1])
  expect(await joinsOf(cluster, room)).toBe(1)
  test.info().annotations.push({ type: 'connections', description: `1/5/10 tabs → ${counts.join('/')} Socket.IO connections (a socket.io-client per tab: 1/5/10)` })
})

test('node one killed mid-stream: every tab reconnects through node two, gets one resync, and nothing arrives twice or out of order', async ({ context, cluster }) => {
  const dave = unique('dave')
  const room = unique('stream')
  const tabs = await openSioTabs(context, 3, cluster.url, await mintToken(dave), [room])
  expect((await cluster.one.stats()).users[dave]).toBe(1)
  try {
    // node two emits every 20 ms while node one, which holds the connection, is killed.
    let n = 0
    const emitted: string[] = []
    const emitting = (async () => {
      while (n < 60) {
        const text = `s${++n}`
        await cluster.two.emit(room, 'message', { text })
        emitted.push(text)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    await waitUntil(() => textsOf(tabs[0] as Page, room), (list) => list.length >= 10, { what: 'the stream under way' })
    await cluster.one.kill()
    for (const page of tabs) await page.waitForFunction((t) => window.sio.resyncs(t) === 1, room, { timeout: 20_000 })
    expect(await cluster.sockets(dave)).toBe(1)
    expect((await cluster.two.stats()).users[dave]).toBe(1)
    await emitting
    await cluster.two.emit(room, 'message', { text: 'marker' })
    for (const page of tabs) {
      const got = await waitUntil(() => textsOf(page, room), (list) => list.includes('marker'), { what: 'the marker after the move' })
      expect(new Set(got).size).toBe(got.length)
      const order = got.filter((t) => t !== 'marker').map((t) => emitted.indexOf(t))
      expect(order).toEqual([...order].sort((a, b) => a - b))
      expect(await page.evaluate((t) => window.sio.resyncs(t), room)).toBe(1)
      expect(await page.evaluate(() => window.sio.statuses())).toEqual(expect.arrayContaining(['reconnecting', 'open']))
    }
    const lost = emitted.length - ((await textsOf(tabs[0] as Page, room)).length - 1)
    test.info().annotations.push({ type: 'moved', description: `${emitted.length} emitted, ${lost} lost while the connection moved (covered by the resync)` })
  } finally {
    await cluster.one.start()
  }
})
