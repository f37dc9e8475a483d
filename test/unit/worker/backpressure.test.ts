/**
 * A tab that stops answering its deliveries: the worker holds a bounded window, then a bounded
 * queue, then drops that tab's backlog and, once it answers again, sends one resync per affected
 * subscription. The other tabs are not touched.
 */
import { describe, expect, it } from 'vitest'
import type { Delivery, HubStats, Json } from '../../../src/contract/protocol.ts'
import { Outbox, outboxCounters, type OutboxLimits } from '../../../worker/tab/outbox.ts'
import { ManualSchedule } from '../fakes/clock.ts'
import { FakeSink } from '../fakes/sink.ts'
import { createHarness, hello, onBroadcast, received, sub, type Harness } from './harness.ts'

/** A tab whose `deliver()` answers only once it thaws, as a Comlink call to a frozen page. */
class FreezableSink extends FakeSink {
  isFrozen = false
  #answers: Array<() => void> = []

  override deliver(batch: Delivery[]): Promise<void> {
    super.deliver(batch)
    if (!this.isFrozen) return Promise.resolve()
    return new Promise((resolve) => this.#answers.push(resolve))
  }

  thaw(): void {
    this.isFrozen = false
    for (const answer of this.#answers.splice(0)) answer()
  }
}

const RESYNC = { type: 'system', event: 'resync' } as const
const LIMITS: OutboxLimits = { windowBatches: 2, maxQueued: 5 }

/** Tab `slow` (freezable) and tab `fast` on `room`; `slow` has s1 (listens to resync) and s2 (does not). */
async function room(limits: OutboxLimits = LIMITS): Promise<{ h: Harness; slow: FreezableSink; fast: FakeSink }> {
  const h = createHarness({ outbox: limits })
  const slow = new FreezableSink()
  h.sinks.set('slow', slow)
  h.hub.hello(hello('slow'), slow)
  const fast = h.tab('fast')
  h.hub.join('slow', sub('s1', 'room', [onBroadcast(), RESYNC]))
  h.hub.join('slow', sub('s2', 'room', [onBroadcast()]))
  h.hub.join('fast', sub('f1', 'room', [onBroadcast(), RESYNC]))
  await h.net.latest.subscribe('room')
  await h.settle()
  slow.clear()
  fast.clear()
  return { h, slow, fast }
}

/** One server message per task, 10 ms apart, as a socket delivers them. */
async function stream(h: Harness, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n += 1) {
    h.clock.advance(10)
    h.net.latest.broadcast('room', 'msg', n)
    await h.settle()
  }
}

function resyncs(sink: FakeSink): Json[] {
  return sink.deliveries('system').filter((d) => d.event === 'resync').map((d) => ({ subIds: d.subIds, payload: d.payload }))
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

describe('back-pressure on a tab that stops answering', () => {
  it('sends at most windowBatches unanswered calls, holds the rest, and replays them in order when the tab answers', async () => {
    const { h, slow, fast } = await room()
    slow.isFrozen = true
    await stream(h, 0, 5)
    expect(slow.batches).toHaveLength(2)
    expect(statsOf(h).peakQueued).toBe(3)
    slow.thaw()
    await h.settle()
    expect(received(slow, 's1')).toEqual(range(0, 5))
    expect(resyncs(slow)).toEqual([])
    expect(received(fast)).toEqual(range(0, 5))
    expect(statsOf(h)).toMatchObject({ dropped: 0, overflows: 0, resyncs: 0 })
  })

  it('past maxQueued drops the backlog, keeps memory flat while frozen, then sends ONE resync to each subscription listening', async () => {
    const { h, slow, fast } = await room()
    slow.isFrozen = true
    await stream(h, 0, 2)
    const lastReceivedAt = h.clock.now()
    await stream(h, 2, 500)
    // Two calls reached the port; nothing else is held for the frozen tab.
    expect(slow.batches).toHaveLength(2)
    const frozen = statsOf(h)
    expect(frozen.peakQueued).toBe(5)
    expect(frozen).toMatchObject({ dropped: 498, overflows: 1, resyncs: 0 })
    slow.thaw()
    await h.settle()
    expect(resyncs(slow)).toEqual([{ subIds: ['s1'], payload: { since: lastReceivedAt, reason: 'overflow' } }])
    expect(statsOf(h).resyncs).toBe(1)
    // After the resync it gets live events again, once each.
    await stream(h, 500, 503)
    expect(received(slow, 's1')).toEqual([0, 1, 500, 501, 502])
    expect(received(slow, 's2')).toEqual([0, 1, 500, 501, 502])
    expect(resyncs(slow)).toHaveLength(1)
    // The other tab got everything and no resync.
    expect(received(fast)).toEqual(range(0, 503))
    expect(resyncs(fast)).toEqual([])
  })

  it('keeps the latest channel status and presence through an overflow; resyncs from just before the first loss when the tab got no event', () => {
    const tasks = new ManualSchedule()
    const sent: Delivery[][] = []
    const answers: Array<() => void> = []
    let now = 5_000
    const counters = outboxCounters()
    const outbox = new Outbox((batch) => { sent.push(batch); return new Promise<void>((resolve) => answers.push(resolve)) },
      tasks.schedule, counters, { windowBatches: 1, maxQueued: 3, immediate: tasks.schedule, now: () => now, wantsResync: (subId) => subId === 's1' })
    const status = (s: 'CLOSED' | 'SUBSCRIBED'): Delivery => ({ kind: 'channel', subIds: ['s1'], status: s })
    const presence = (n: number): Delivery => ({ kind: 'presence', subIds: ['s1'], event: 'sync', state: { [`u${n}`]: [{ presence_ref: `r${n}` }] } })
    const event = (n: number): Delivery => ({ kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: n })
    outbox.push(status('CLOSED'))
    tasks.flush()
    const firstLostAt = now + 10
    for (const [n, delivery] of [event(0), presence(1), status('SUBSCRIBED'), event(1), presence(2), event(2)].entries()) {
      now = firstLostAt + n
      outbox.push(delivery)
    }
    tasks.flush()
    expect(sent).toHaveLength(1)
    expect(counters).toMatchObject({ overflows: 1, dropped: 3 })
    for (const answer of answers.splice(0)) answer()
    return Promise.resolve().then(() => {
      tasks.flush()
      expect(sent[1]).toEqual([status('SUBSCRIBED'), presence(2), { kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: firstLostAt - 1, reason: 'overflow' } }])
      expect(counters.resyncs).toBe(1)
    })
  })

  it('drops by size too (maxQueuedBytes)', async () => {
    const { h, slow } = await room({ windowBatches: 1, maxQueued: 10_000, maxQueuedBytes: 2_000 })
    slow.isFrozen = true
    for (let n = 0; n < 20; n += 1) {
      h.net.latest.broadcast('room', 'msg', 'x'.repeat(200))
      await h.settle()
    }
    expect(statsOf(h)).toMatchObject({ overflows: 1 })
    expect(statsOf(h).peakQueued).toBeLessThanOrEqual(10)
  })

  it('a call that rejects (the port closed) frees the window', async () => {
    const h = createHarness({ outbox: { windowBatches: 1, maxQueued: 3 } })
    const sink = new FakeSink()
    let calls = 0
    sink.deliver = (batch: Delivery[]): Promise<void> => { calls += 1; sink.batches.push(batch); return Promise.reject(new Error('port closed')) }
    h.sinks.set('a', sink)
    h.hub.hello(hello('a'), sink)
    h.hub.join('a', sub('s1', 'room', [onBroadcast(), RESYNC]))
    await h.net.latest.subscribe('room')
    await h.settle()
    await stream(h, 0, 10)
    expect(received(sink, 's1')).toEqual(range(0, 10))
    expect(calls).toBeGreaterThanOrEqual(10)
    expect(statsOf(h).dropped).toBe(0)
  })
})

function statsOf(h: Harness): HubStats {
  return h.hub.stats(h.sinks.has('fast') ? 'fast' : 'a')
}
