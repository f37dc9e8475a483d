/**
 * Tabs rejoining a new hub with their cursors (Subscription.resume), through the hub over fakes: the
 * router hands each subscription what the replay owes it; a forged cursor fails in its own tab.
 */
import { describe, expect, it } from 'vitest'
import type { Json, Subscription } from '../../../src/contract/protocol.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { createHarness, hello, onBroadcast, received, sub, type Harness } from './harness.ts'

const resumed = (subId: string, since: number, ids: string[]): Subscription => ({ ...sub(subId, 'room', [onBroadcast(), { type: 'system', event: 'resync' }]), resume: { since, ids } })
const resyncs = (h: Harness, tabId: string): Json[] => h.sink(tabId).deliveries('system').filter((d) => d.event === 'resync').map((d) => d.payload)

/** The server replays, as Supabase does, from where the hub asks: `replayed` ids, then `live` ones. */
function serve(h: Harness, replayed: string[], live: string[]): void {
  const { handlers } = h.net.latest.single('room')
  for (const id of replayed) handlers.broadcast('msg', id, { replayed: true, id })
  for (const id of live) handlers.broadcast('msg', id, { id })
}

describe('a new hub resuming the tabs that rejoin it', () => {
  it('asks the replay from the oldest cursor; each tab gets only what it lacks, a fresh tab none of it, nobody a resync', async () => {
    const h = createHarness()
    for (const tabId of ['a', 'b', 'fresh']) h.tab(tabId)
    const since = h.clock.now()
    h.hub.join('a', resumed('s1', since - 1_000, ['m1', 'm2']))
    h.hub.join('b', resumed('s1', since, ['m1']))
    h.hub.join('fresh', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    const plan = h.net.latest.single('room').handlers.resume?.(25)
    expect(plan).toEqual({ since: since - 1_000 - 5_000, limit: 25 })
    await h.net.latest.subscribe('room')
    serve(h, ['m1', 'm2', 'm3'], ['m4'])
    await h.settle()
    expect(received(h.sink('a'))).toEqual(['m3', 'm4'])
    expect(received(h.sink('b'))).toEqual(['m2', 'm3', 'm4'])
    expect(received(h.sink('fresh'))).toEqual(['m4'])
    h.clock.advance(10_000)
    await h.settle()
    expect([resyncs(h, 'a'), resyncs(h, 'b')]).toEqual([[], []])
  })

  it('a transport that cannot replay: each rejoined tab gets its own resync, reason new-hub, at SUBSCRIBED', async () => {
    const h = createHarness()
    for (const tabId of ['a', 'fresh']) h.tab(tabId)
    const since = h.clock.now()
    h.hub.join('a', resumed('s1', since, ['m1']))
    h.hub.join('fresh', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await h.settle()
    expect(resyncs(h, 'a')).toEqual([{ since, reason: 'new-hub' }])
    expect(resyncs(h, 'fresh')).toEqual([])
  })

  it('a tab that rejoins once the topic is joined is caught up from what the hub kept', async () => {
    const h = createHarness()
    for (const tabId of ['a', 'late']) h.tab(tabId)
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    serve(h, [], ['m1', 'm2', 'm3'])
    await h.settle()
    h.hub.join('late', resumed('s1', h.clock.now(), ['m0', 'm1']))
    await h.settle()
    expect(received(h.sink('late'))).toEqual(['m2', 'm3'])
    expect(resyncs(h, 'late')).toEqual([])
  })

  it('a tab that rejoins later than the kept messages reach back makes the hub join again and replay from its cursor', async () => {
    const h = createHarness()
    for (const tabId of ['a', 'late']) h.tab(tabId)
    h.hub.join('a', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
    h.net.latest.open()
    // A transport that replays asks on every join (the fake does not: asked here, as Supabase would).
    expect(h.net.latest.single('room').handlers.resume?.(1_000)).toBeNull()
    await h.net.latest.subscribe('room')
    const all = Array.from({ length: 200 }, (_, i) => `m${i}`)
    serve(h, [], all.slice(0, 10))
    await h.settle()
    const lateSince = h.clock.now()
    h.clock.advance(1_000)
    serve(h, [], all.slice(10, 200)) // more than the 128 the hub keeps
    await h.settle()
    h.hub.join('late', resumed('s1', lateSince, all.slice(0, 10)))
    await h.settle()
    // The old channel went, a new one asks the replay from the late tab's cursor.
    expect(h.net.latest.channels.filter((c) => c.spec.topic === 'room')).toHaveLength(2)
    expect(h.net.latest.liveChannels('room')).toBe(1)
    const { handlers } = h.net.latest.single('room')
    expect(handlers.resume?.(1_000)).toEqual({ since: lateSince - 5_000, limit: 1_000 })
    // As Supabase reports a re-join it asked a replay for.
    handlers.status('SUBSCRIBED', undefined, { isContinuous: true })
    serve(h, all.slice(5, 200), ['m200'])
    await h.settle()
    expect(received(h.sink('late'))).toEqual([...all.slice(10), 'm200'])
    expect(received(h.sink('a'))).toEqual([...all, 'm200'])
    h.clock.advance(10_000)
    await h.settle()
    expect([resyncs(h, 'a'), resyncs(h, 'late')]).toEqual([[], []])
  })

  it.each<[string, unknown]>([
    ['a since that is not a time', { since: 'yesterday', ids: [] }],
    ['65 ids', { since: 1, ids: Array.from({ length: 65 }, (_, i) => `id${i}`) }],
    ['an id of 10 kB', { since: 1, ids: ['x'.repeat(10_000)] }],
  ])('a rejoin with %s fails bad-input in its tab; the topic and the other tab carry on', async (_, resume) => {
    const h = createHarness()
    h.tab('b')
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    const forger = new TabSession(h.hub, sinkSource(new FakeSink()).open)
    await forger.hello(hello('a'))
    const forged = { ...sub('s1', 'room', [onBroadcast()]), resume } as unknown as Subscription
    await expect(Promise.resolve().then(() => forger.join(forged))).rejects.toMatchObject({ code: 'bad-input' })
    serve(h, [], ['m1'])
    await h.settle()
    expect(received(h.sink('b'))).toEqual(['m1'])
    expect(h.net.latest.isClosed).toBe(false)
  })
})
