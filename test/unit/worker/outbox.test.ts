import { describe, expect, it } from 'vitest'
import type { Delivery } from '../../../src/contract/protocol.ts'
import { Outbox, outboxCounters, type OutboxCounters, type OutboxLimits } from '../../../worker/tab/outbox.ts'
import { ManualSchedule, settle } from '../fakes/clock.ts'
import { createHarness, onBroadcast, sub, type Harness } from './harness.ts'

const message = (n: number): Delivery => ({ kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: n })

/** An outbox whose tab answers each call only when the test says so, as a Comlink call does. */
function rig(limits: OutboxLimits = {}) {
  const now = new ManualSchedule()
  const later = new ManualSchedule()
  const sent: Delivery[][] = []
  const answers: Array<() => void> = []
  const counters = outboxCounters()
  const send = (batch: Delivery[]): Promise<void> => {
    sent.push(batch)
    return new Promise((resolve) => answers.push(resolve))
  }
  const clock = { at: 0 }
  const outbox = new Outbox(send, later.schedule, counters, { ...limits, immediate: now.schedule, now: () => clock.at })
  /** Time passes (the hub clock, ms): past burstGapMs (2) the tab counts as idle again. */
  const advance = (ms: number): void => { clock.at += ms }
  /** The tab answers every call so far; the outbox sees it a microtask later. */
  const answerAll = async (): Promise<void> => {
    for (const answer of answers.splice(0)) answer()
    await settle()
  }
  return { outbox, now, later, sent, counters, answerAll, advance }
}

describe('Outbox, adaptive flush', () => {
  it('an idle tab gets a delivery at once: the immediate path, not the next task', () => {
    const { outbox, now, later, sent } = rig()
    outbox.push(message(0))
    expect([now.pending, later.pending]).toEqual([1, 0])
    now.flush()
    expect(sent).toEqual([[message(0)]])
  })

  it('what one task pushes while idle leaves in one call, in order', () => {
    const { outbox, now, sent } = rig()
    for (let n = 0; n < 5; n += 1) outbox.push(message(n))
    expect(now.pending).toBe(1)
    now.flush()
    expect(sent).toEqual([[0, 1, 2, 3, 4].map(message)])
  })

  it('while a call is unanswered (a burst), deliveries of later tasks gather into the next task', () => {
    const { outbox, now, later, sent } = rig()
    outbox.push(message(0))
    now.flush()
    // Three socket messages, three tasks, the first call still unanswered.
    for (let n = 1; n < 4; n += 1) outbox.push(message(n))
    expect([now.pending, later.pending]).toEqual([0, 1])
    later.flush()
    expect(sent).toEqual([[message(0)], [1, 2, 3].map(message)])
  })

  it('once the tab has answered everything and the stream paused, the next delivery leaves at once again', async () => {
    const { outbox, now, later, sent, answerAll, advance } = rig()
    outbox.push(message(0))
    now.flush()
    outbox.push(message(1))
    later.flush()
    await answerAll()
    advance(10)
    outbox.push(message(2))
    expect([now.pending, later.pending]).toEqual([1, 0])
    now.flush()
    expect(sent.flat()).toEqual([0, 1, 2].map(message))
  })

  it('keeps the window: past windowBatches unanswered calls it holds; answers release the rest in order', async () => {
    const { outbox, now, later, sent, counters, answerAll, advance } = rig({ windowBatches: 2 })
    outbox.push(message(0))
    now.flush()
    outbox.push(message(1))
    later.flush()
    for (let n = 2; n < 6; n += 1) outbox.push(message(n))
    later.flush()
    expect(sent).toHaveLength(2)
    expect(outbox.queued).toBe(4)
    expect(counters.peakQueued).toBe(4)
    await answerAll()
    // The first answer frees the window while the second call is still out: still a burst.
    expect([now.pending, later.pending]).toEqual([0, 1])
    later.flush()
    expect(sent.flat()).toEqual([0, 1, 2, 3, 4, 5].map(message))
    await answerAll()
    advance(10)
    outbox.push(message(6))
    expect(now.pending).toBe(1)
  })

  it('flushes early at maxBatch and keeps order across batches', () => {
    const { outbox, now, later, sent } = rig({ maxBatch: 3 })
    for (let n = 0; n < 7; n += 1) outbox.push(message(n))
    expect(sent.map((b) => b.length)).toEqual([3, 3])
    now.flush()
    later.flush()
    expect(sent.flat()).toEqual([0, 1, 2, 3, 4, 5, 6].map(message))
  })

  it('discard drops what is queued (the tab is gone)', () => {
    const { outbox, now, later, sent } = rig()
    outbox.push(message(1))
    outbox.discard()
    now.flush()
    later.flush()
    expect(sent).toEqual([])
  })

  it("a tab that answers at once, messages 10 ms apart: each task's delivery leaves in that task", () => {
    const later = new ManualSchedule()
    const sent: Delivery[][] = []
    const counters: OutboxCounters = outboxCounters()
    const immediate = new ManualSchedule()
    let at = 0
    const outbox = new Outbox((batch) => sent.push(batch), later.schedule, counters, { immediate: immediate.schedule, now: () => at })
    for (let task = 0; task < 3; task += 1) {
      at += 10
      outbox.push(message(task))
      immediate.flush()
    }
    expect(later.pending).toBe(0)
    expect(counters).toMatchObject({ delivered: 3, batches: 3, dropped: 0 })
  })

  it('a tab that answers at once still gets a fast stream in batches: within burstGapMs of its last call, the next task', () => {
    const later = new ManualSchedule()
    const immediate = new ManualSchedule()
    const sent: Delivery[][] = []
    let at = 0
    const outbox = new Outbox((batch) => sent.push(batch), later.schedule, outboxCounters(), { immediate: immediate.schedule, now: () => at })
    outbox.push(message(0))
    immediate.flush()
    // Four socket messages, four tasks, 0.5 ms apart (2 000 msg/s): one call for all of them.
    for (let n = 1; n < 5; n += 1) { at += 0.5; outbox.push(message(n)) }
    expect([immediate.pending, later.pending]).toEqual([0, 1])
    later.flush()
    expect(sent).toEqual([[message(0)], [1, 2, 3, 4].map(message)])
  })
})

/** A hub whose `tabs` all listen on `room`, joined, with their sinks emptied. */
async function roomOf(...tabs: string[]): Promise<Harness> {
  const h = createHarness()
  for (const tab of tabs) h.tab(tab)
  for (const tab of tabs) h.hub.join(tab, sub('s1', 'room', [onBroadcast()]))
  await h.net.latest.subscribe('room')
  await h.settle()
  for (const tab of tabs) h.sink(tab).clear()
  return h
}

describe('batched delivery through the hub', () => {
  it('many server messages in one task reach each tab in one deliver call, in order', async () => {
    const h = await roomOf('a', 'b')
    for (let n = 0; n < 100; n += 1) h.net.latest.broadcast('room', 'msg', n)
    expect(h.sink('a').batches).toEqual([])
    h.tasks.flush()
    for (const tab of ['a', 'b']) {
      expect(h.sink(tab).batches).toHaveLength(1)
      expect(h.sink(tab).deliveries('broadcast').map((d) => d.payload)).toEqual([...Array(100).keys()])
    }
  })

  it('a burst larger than 512 flushes early without waiting for the task', async () => {
    const h = await roomOf('a')
    for (let n = 0; n < 600; n += 1) h.net.latest.broadcast('room', 'msg', n)
    expect(h.sink('a').batches.map((b) => b.length)).toEqual([512])
    h.tasks.flush()
    expect(h.sink('a').batches.map((b) => b.length)).toEqual([512, 88])
    expect(h.sink('a').deliveries('broadcast').map((d) => d.payload)).toEqual([...Array(600).keys()])
  })

  it('a tab gone before the task gets nothing more', async () => {
    const h = await roomOf('a', 'b')
    h.net.latest.broadcast('room', 'msg', 1)
    h.hub.bye('a')
    h.tasks.flush()
    expect(h.sink('a').batches).toEqual([])
    expect(h.sink('b').deliveries('broadcast')).toHaveLength(1)
  })
})
