/**
 * The persisted outbox (worker/persist/) on a hub over fakes, stored in a real IndexedDB
 * implementation (fake-indexeddb): a new Hub over the same database is a worker that restarted.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Json, Outgoing } from '../../../src/contract/protocol.ts'
import { indexedDbStore, persistedSends, type PersistOptions, type SendStore, type StoredSend } from '../../../worker/persist/index.ts'
import { SEND_KEY } from '../../../worker/persist/dedupe.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { createHarness, jwt, onBroadcast, received, sub, type Harness } from './harness.ts'

const ALICE = jwt({ sub: 'alice', exp: 4_000_000_000 })
const BOB = jwt({ sub: 'bob', exp: 4_000_000_000 })
const OUTBOX = { type: 'system', event: 'outbox' } as const
let dbCount = 0

const persisted = (payload: Json): Outgoing => ({ type: 'broadcast', event: 'msg', payload, outbox: 'persist' })

/** A hub (a worker's life) over the store `db`; tab `a` of `token` is joined to `room` and admitted. */
async function worker(db: string, token: string, options: Omit<PersistOptions, 'store'> = {}): Promise<Harness> {
  const h = createHarness({ persist: persistedSends({ store: indexedDbStore(db), ...options }) })
  h.tab('a', { token })
  h.hub.join('a', sub('s1', 'room', [onBroadcast(), OUTBOX]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  return h
}

/** Drops the socket: the topic is not joined until `rejoin`. */
async function goOffline(h: Harness): Promise<void> {
  h.net.latest.drop()
  await h.settle()
}

async function rejoin(h: Harness): Promise<void> {
  h.clock.advance(1_000)
  await h.settle()
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  await h.settle()
}

const sendsOf = (h: Harness): Array<{ event: string; payload: Json }> => h.net.transports.flatMap((t) => t.channels.flatMap((c) => c.sends))
const reports = (h: Harness, tabId: string): Json[] => h.sink(tabId).deliveries('system').filter((d) => d.event === 'outbox').map((d) => d.payload)
const stateOf = (report: Json): Json => (typeof report === 'object' && report !== null && !Array.isArray(report) ? report['state'] ?? null : null)
const newDb = (): string => `outbox-test-${++dbCount}`

/** Acks every acked send waiting on the latest attempt. */
async function ackAll(h: Harness): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await h.settle()
    for (const send of h.net.latest.channels.flatMap((c) => c.sends)) send.reply?.('ok')
  }
  await h.settle()
}

describe('indexedDbStore: one identity never reads another', () => {
  it("lists an identity's sends in seq order and clears them without touching another identity's", async () => {
    const store = indexedDbStore(newDb())
    const send = (identity: string, seq: number): StoredSend => ({ identity, seq, key: `k${seq}`, topic: 'realtime:room', name: 'room', event: 'msg', payload: { seq }, bytes: 10, at: 1, isWritten: false })
    // 'alice' is a prefix of 'alice2': the key range must still keep them apart.
    for (const s of [send('alice', 3), send('alice2', 1), send('alice', 2), send('bob', 1)]) await store.put(s)
    expect((await store.list('alice')).map((s) => s.seq)).toEqual([2, 3])
    await store.clear('alice')
    expect(await store.list('alice')).toEqual([])
    expect((await store.list('alice2')).map((s) => s.key)).toEqual(['k1'])
    expect((await store.list('bob')).map((s) => s.key)).toEqual(['k1'])
  })
})

describe('the persisted outbox on the hub', () => {
  it("stores an offline send ('queued'), survives the worker, and sends it once with its key when the same user joins again", async () => {
    const db = newDb()
    const first = await worker(db, ALICE)
    await goOffline(first)
    await expect(first.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'hi' }))).resolves.toBe('queued')
    await first.settle()
    expect(reports(first, 'a').map(stateOf)).toEqual(['queued'])
    expect(sendsOf(first)).toEqual([])

    // The worker is gone (nothing of `first` runs again); a new one starts with two tabs of alice.
    const second = createHarness({ persist: persistedSends({ store: indexedDbStore(db) }) })
    second.tab('c', { token: ALICE })
    second.tab('d', { token: ALICE })
    second.hub.join('c', sub('s1', 'room', [onBroadcast(), OUTBOX]))
    second.hub.join('d', sub('s1', 'room', [onBroadcast()]))
    second.net.latest.open()
    await second.net.latest.subscribe('room')
    await ackAll(second)
    const wire = sendsOf(second)
    expect(wire).toHaveLength(1)
    expect(wire[0]?.payload).toMatchObject({ text: 'hi', [SEND_KEY]: expect.any(String) })
    // Every tab of the room gets it once, without the key; the report says it went out.
    expect(received(second.sink('c'))).toEqual([{ text: 'hi' }])
    expect(received(second.sink('d'))).toEqual([{ text: 'hi' }])
    expect(reports(second, 'c').map(stateOf)).toEqual(['ok'])
    expect(await indexedDbStore(db).list(JSON.stringify(['supabase', 'http://127.0.0.1:54321', 'anon-key|sub:"alice"']))).toEqual([])

    // A later rejoin sends nothing again.
    await goOffline(second)
    await rejoin(second)
    await ackAll(second)
    expect(sendsOf(second)).toHaveLength(1)
  })

  it('never sends it under another identity: a tab of bob on the same topic leaves it stored for alice', async () => {
    const db = newDb()
    const first = await worker(db, ALICE)
    await goOffline(first)
    await first.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'from alice' }))
    const bobs = await worker(db, BOB)
    await ackAll(bobs)
    expect(sendsOf(bobs)).toEqual([])
    expect(received(bobs.sink('a'))).toEqual([])
    const alices = await worker(db, ALICE)
    await ackAll(alices)
    expect(sendsOf(alices).map((s) => s.event)).toEqual(['msg'])
  })

  it('sign-out (setAuth(null)) deletes what the user stored: it is never sent', async () => {
    const db = newDb()
    const first = await worker(db, ALICE)
    await goOffline(first)
    await first.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'secret' }))
    await first.hub.setAuth('a', null)
    await first.settle()
    const next = await worker(db, ALICE)
    await ackAll(next)
    expect(sendsOf(next)).toEqual([])
    expect(received(next.sink('a'))).toEqual([])
  })

  it("is bounded by count and bytes: a send past a bound fails 'outbox-full' in its tab; the stored ones still go out", async () => {
    const h = await worker(newDb(), ALICE, { maxCount: 2, maxBytes: 1_000 })
    await goOffline(h)
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ n: 1 }))
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ n: 2 }))
    await expect(h.hub.connectionOf('a').sends.send('a', 's1', persisted({ n: 3 }))).rejects.toMatchObject({ code: 'outbox-full' })
    const big = await worker(newDb(), ALICE, { maxCount: 10, maxBytes: 30 })
    await goOffline(big)
    await expect(big.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'x'.repeat(40) }))).rejects.toMatchObject({ code: 'outbox-full', message: expect.stringMatching(/maxBytes: 30/) })
    await rejoin(h)
    await ackAll(h)
    expect(sendsOf(h).map((s) => s.payload)).toMatchObject([{ n: 1 }, { n: 2 }])
  })

  it("is bounded by age: a send older than maxAgeMs when its topic is joined is reported 'expired' and never sent", async () => {
    const h = await worker(newDb(), ALICE, { maxAgeMs: 60_000 })
    await goOffline(h)
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'stale' }))
    h.clock.advance(61_000)
    await rejoin(h)
    await ackAll(h)
    expect(sendsOf(h)).toEqual([])
    expect(reports(h, 'a')).toMatchObject([{ state: 'queued' }, { state: 'error', reason: 'expired', payload: { text: 'stale' } }])
  })

  it("a send whose ack was lost with the socket is sent again with the same key at the next join, echoed to tabs once", async () => {
    const h = await worker(newDb(), ALICE)
    h.tab('b', { token: ALICE })
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    await goOffline(h)
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'once' }))
    await rejoin(h)
    const [firstCopy] = h.net.latest.channels.flatMap((c) => c.sends)
    firstCopy?.reply('timed out')
    await goOffline(h)
    await rejoin(h)
    await ackAll(h)
    const copies = sendsOf(h)
    expect(copies).toHaveLength(2)
    expect(copies[1]?.payload).toEqual(copies[0]?.payload)
    expect(received(h.sink('b'))).toEqual([{ text: 'once' }])
    expect(reports(h, 'a').map(stateOf)).toEqual(['queued', 'ok'])
  })

  it('on a server that echoes to the sender, the tabs get the stored send once, from the server, without its key', async () => {
    const h = createHarness({ persist: persistedSends({ store: indexedDbStore(newDb()) }) }, new FakeNetwork({ echoesToSender: true, acks: false }))
    h.tab('a', { token: ALICE })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await goOffline(h)
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'hi' }))
    await rejoin(h)
    const [wire] = sendsOf(h)
    expect(received(h.sink('a'))).toEqual([])
    // The server echoes the frame to every socket, this one too, and a resend after a restart twice.
    h.net.latest.broadcast('room', 'msg', wire?.payload ?? null)
    h.net.latest.broadcast('room', 'msg', wire?.payload ?? null)
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ text: 'hi' }])
  })

  it('online, a persist send goes out at once (ok), stores nothing and carries no key', async () => {
    const db = newDb()
    const h = await worker(db, ALICE)
    const sent = h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'now' }))
    await ackAll(h)
    await expect(sent).resolves.toBe('ok')
    expect(sendsOf(h).map((s) => s.payload)).toEqual([{ text: 'now' }])
    expect(reports(h, 'a')).toEqual([])
  })

  it("a hub without persistedSends() refuses a persist send 'unsupported' (no silent memory-only queue)", async () => {
    const h = createHarness()
    h.tab('a', { token: ALICE })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    await expect(h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'hi' }))).rejects.toMatchObject({ code: 'unsupported' })
  })
})

describe('receivers drop a second copy of a keyed message (a hub with the persisted outbox)', () => {
  it('delivers a keyed broadcast once and without its key; unkeyed broadcasts are untouched', async () => {
    const h = createHarness({ persist: persistedSends({ store: indexedDbStore(newDb()) }) })
    h.tab('a', { token: BOB })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    h.net.latest.broadcast('room', 'msg', { text: 'hi', [SEND_KEY]: 'k1' })
    h.net.latest.broadcast('room', 'msg', { text: 'hi', [SEND_KEY]: 'k1' })
    h.net.latest.broadcast('room', 'msg', { text: 'plain' })
    h.net.latest.broadcast('room', 'msg', { text: 'plain' })
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ text: 'hi' }, { text: 'plain' }, { text: 'plain' }])
  })
})

describe('the store is only the hub’s to read', () => {
  it('keeps nothing of the token: a stored send names the identity key, not the JWT', async () => {
    const db = newDb()
    const h = await worker(db, ALICE)
    await goOffline(h)
    await h.hub.connectionOf('a').sends.send('a', 's1', persisted({ text: 'hi' }))
    const store: SendStore = indexedDbStore(db)
    const [stored] = await store.list(JSON.stringify(['supabase', 'http://127.0.0.1:54321', 'anon-key|sub:"alice"']))
    expect(stored).toBeDefined()
    expect(JSON.stringify(stored)).not.toContain(ALICE)
  })
})
