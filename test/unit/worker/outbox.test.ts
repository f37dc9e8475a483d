import { describe, expect, it } from 'vitest'
import type { Delivery } from '../../../src/contract/protocol.ts'
import { Outbox, outboxCounters, type OutboxCounters } from '../../../worker/outbox.ts'
import { ManualSchedule } from '../fakes/clock.ts'
import { createHarness, onBroadcast, sub, type Harness } from './harness.ts'

const message = (n: number): Delivery => ({ kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: n })

describe('Outbox', () => {
  it('sends everything pushed before the scheduled task in one call, in order', () => {
    const tasks = new ManualSchedule()
    const sent: Delivery[][] = []
    const counters: OutboxCounters = outboxCounters()
    const outbox = new Outbox((batch) => sent.push(batch), tasks.schedule, counters)
    for (let n = 0; n < 5; n += 1) outbox.push(message(n))
    expect(tasks.pending).toBe(1)
    expect(sent).toEqual([])
    tasks.flush()
    expect(sent).toEqual([[0, 1, 2, 3, 4].map(message)])
    outbox.push(message(5))
    tasks.flush()
    expect(sent).toHaveLength(2)
    expect(counters).toMatchObject({ delivered: 6, batches: 2, dropped: 0 })
  })

  it('flushes early at maxBatch and keeps order across batches', () => {
    const tasks = new ManualSchedule()
    const sent: Delivery[][] = []
    const outbox = new Outbox((batch) => sent.push(batch), tasks.schedule, outboxCounters(), { maxBatch: 3 })
    for (let n = 0; n < 7; n += 1) outbox.push(message(n))
    expect(sent.map((b) => b.length)).toEqual([3, 3])
    tasks.flush()
    expect(sent.flat()).toEqual([0, 1, 2, 3, 4, 5, 6].map(message))
  })

  it('discard drops what is queued (the tab is gone)', () => {
    const tasks = new ManualSchedule()
    const sent: Delivery[][] = []
    const outbox = new Outbox((batch) => sent.push(batch), tasks.schedule, outboxCounters())
    outbox.push(message(1))
    outbox.discard()
    tasks.flush()
    expect(sent).toEqual([])
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
