import { describe, expect, it } from 'vitest'
import type { SendResult } from '../../../src/contract/protocol.ts'
import { SendQueue, sendBytes, type SendQueueLimits } from '../../../worker/connection/send-queue.ts'
import { ManualClock } from '../fakes/clock.ts'
import { createHarness, onBroadcast, received, sub } from './harness.ts'

// A queue whose writes land in `written`, with a manual clock.
function queue(limits: SendQueueLimits = { maxCount: 3, maxBytes: 100, maxAgeMs: 1_000, perTabCount: 10, perTabBytes: 1_000 }) {
  const clock = new ManualClock()
  const written: string[] = []
  const q = new SendQueue<string>(clock, limits)
  const push = (key: string, id: string, bytes = 10): Promise<SendResult> => q.push(key, bytes, async (target) => { written.push(`${target}:${id}`); return 'ok' })
  return { clock, q, written, push }
}

describe('SendQueue (bounded by count, bytes and age)', () => {
  it("flushes one topic's sends in order, once, through the target it is given", async () => {
    const { q, written, push } = queue()
    const sends = [push('a', '1'), push('b', '2'), push('a', '3')]
    q.flush('a', 'chan-a')
    q.flush('a', 'chan-a')
    expect(written).toEqual(['chan-a:1', 'chan-a:3'])
    expect(q.has('b')).toBe(true)
    q.flush('b', 'chan-b')
    await expect(Promise.all(sends)).resolves.toEqual(['ok', 'ok', 'ok'])
    expect(written).toEqual(['chan-a:1', 'chan-a:3', 'chan-b:2'])
    expect(q.size).toBe(0)
  })

  it("refuses a send over the count or the bytes with 'timed out' at once; the queued ones keep their place", async () => {
    const { q, written, push } = queue()
    const kept = [push('a', '1'), push('a', '2'), push('a', '3')]
    await expect(push('a', 'over-count')).resolves.toBe('timed out')
    q.flush('a', 'c')
    const big = queue({ maxCount: 10, maxBytes: 25, maxAgeMs: 1_000, perTabCount: 10, perTabBytes: 100 })
    const fits = big.push('a', 'x', 20)
    await expect(big.push('a', 'over-bytes', 6)).resolves.toBe('timed out')
    big.q.flush('a', 'c')
    await expect(Promise.all([...kept, fits])).resolves.toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(written).toEqual(['c:1', 'c:2', 'c:3'])
    expect(big.written).toEqual(['c:x'])
  })

  it("expires a send after maxAgeMs with 'timed out' and never writes it afterwards", async () => {
    const { clock, q, written, push } = queue()
    const old = push('a', 'old')
    clock.advance(600)
    const young = push('a', 'young')
    clock.advance(400)
    await expect(old).resolves.toBe('timed out')
    q.flush('a', 'c')
    await expect(young).resolves.toBe('ok')
    expect(written).toEqual(['c:young'])
    expect(clock.pending).toBe(0)
  })

  it("fail(key) and fail() settle what waits with 'timed out' and free the bytes", async () => {
    const { q, written, push } = queue({ maxCount: 10, maxBytes: 20, maxAgeMs: 1_000, perTabCount: 10, perTabBytes: 100 })
    const a = push('a', '1', 10)
    const b = push('b', '2', 10)
    q.fail('a')
    await expect(a).resolves.toBe('timed out')
    const c = push('c', '3', 10)
    q.fail()
    await expect(Promise.all([b, c])).resolves.toEqual(['timed out', 'timed out'])
    q.flush('b', 'x')
    expect(written).toEqual([])
  })

  it('weighs a send by its event and JSON payload in UTF-8 bytes', () => {
    expect(sendBytes('TEXT', { message: 'hi' })).toBe(4 + '{"message":"hi"}'.length)
    expect(sendBytes('e', 'é')).toBe(1 + 4)
  })
})

describe('the hub queues sends while a topic is not joined (any transport)', () => {
  it('sends made while reconnecting go out once, in order, after the rejoin; echoed to the other tab once', async () => {
    const h = createHarness({ joinWaitMs: 5_000 })
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    const first = h.net.latest
    first.drop()
    const sends = [1, 2, 3].map((n) => h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: { n } }))
    await h.settle()
    expect(first.channels.flatMap((c) => c.sends)).toEqual([])
    h.clock.advance(1_000)
    await h.settle()
    const second = h.net.latest
    expect(second).not.toBe(first)
    second.open()
    await second.subscribe('room')
    await expect(Promise.all(sends)).resolves.toEqual(['ok', 'ok', 'ok'])
    await h.settle()
    expect(first.channels.flatMap((c) => c.sends)).toEqual([])
    expect(second.single('room').sends.map((s) => s.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(received(h.sink('b'))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
  })

  it("a full queue answers 'timed out' at once; the queued sends still go out", async () => {
    const h = createHarness({ sendQueue: { maxCount: 2 } })
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const sends = [1, 2, 3].map((n) => h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: { n } }))
    await expect(sends[2]).resolves.toBe('timed out')
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await expect(Promise.all(sends)).resolves.toEqual(['ok', 'ok', 'timed out'])
    expect(h.net.latest.single('room').sends.map((s) => s.payload)).toEqual([{ n: 1 }, { n: 2 }])
  })

  it("a topic left by its last tab (the tab went away) settles what waits for it with 'timed out', unwritten", async () => {
    // The queue's age bound is far away: only the close (idleCloseMs after the last tab) settles it.
    const h = createHarness({ joinWaitMs: 60_000 })
    h.tab('a', { token: null })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const waiting = h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 1 })
    h.hub.bye('a')
    h.clock.advance(5_000)
    await expect(waiting).resolves.toBe('timed out')
    expect(h.net.latest.channels.flatMap((c) => c.sends)).toEqual([])
  })
})
