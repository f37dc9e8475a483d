// The per-topic cursor (worker/topic/cursor.ts): replay from the last delivery, de-duplicated, gaps reported.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Json, ResyncReason } from '../../../src/contract/protocol.ts'
import { TopicCursor } from '../../../worker/topic/cursor.ts'
import { ManualClock } from '../fakes/clock.ts'

function rig(options: { skewMs?: number; settleMs?: number; maxIds?: number } = {}): { clock: ManualClock; cursor: TopicCursor; gaps: ResyncReason[]; sinces: number[] } {
  const clock = new ManualClock()
  const gaps: ResyncReason[] = []
  const sinces: number[] = []
  const cursor = new TopicCursor({ clock, onGap: (reason, since) => { gaps.push(reason); sinces.push(since) }, ...options })
  return { clock, cursor, gaps, sinces }
}

const live = (id: string): Json => ({ id })
const replayed = (id: string): Json => ({ replayed: true, id })

describe('TopicCursor', () => {
  it('the first join is no gap; a topic that never delivered a stored message cannot be replayed', () => {
    const { cursor } = rig()
    expect(cursor.resume(25)).toBeNull()
    cursor.joined()
    expect(cursor.resume(25)).toEqual({ reason: 'not-persisted' })
  })

  it('a message without a server id (not persisted) makes every later gap a resync', () => {
    const { cursor } = rig()
    cursor.joined()
    expect(cursor.receive(live('a'), 'm', 1)).toBe(true)
    expect(cursor.receive(undefined, 'm', 2)).toBe(true)
    expect(cursor.receive(live('b'), 'm', 3)).toBe(true)
    expect(cursor.resume(25)).toEqual({ reason: 'not-persisted' })
  })

  it('asks from the last delivery minus the skew; drops what was delivered; a replay that reaches back is no gap', () => {
    const { clock, cursor, gaps } = rig({ skewMs: 1_000 })
    cursor.joined()
    cursor.receive(live('a'), 'm', 1)
    const at = clock.now()
    clock.advance(60_000)
    expect(cursor.resume(25)).toEqual({ since: at - 1_000, limit: 25 })
    cursor.joined()
    const got = ['a', 'b', 'c'].filter((id) => cursor.receive(replayed(id), 'm', id))
    expect(got).toEqual(['b', 'c'])
    expect(cursor.receive(live('c'), 'm', 'c')).toBe(false) // a live copy of a replayed one
    clock.advance(10_000)
    expect(gaps).toEqual([])
  })

  it('a replay that fills its limit without reaching back is a gap, reported once', () => {
    const { clock, cursor, gaps, sinces } = rig()
    cursor.joined()
    cursor.receive(live('a'), 'm', 0)
    const lastDeliveryAt = clock.now()
    clock.advance(2_000)
    cursor.resume(3)
    cursor.joined()
    for (const id of ['x', 'y']) expect(cursor.receive(replayed(id), 'm', id)).toBe(true)
    expect(gaps).toEqual([])
    expect(cursor.receive(replayed('z'), 'm', 'z')).toBe(true)
    expect(gaps).toEqual(['replay-gap']) // at once, without waiting for settleMs
    clock.advance(10_000)
    expect(gaps).toEqual(['replay-gap'])
    // The hole lies before the replayed (newest) messages: the backfill starts at the last delivery before the gap.
    expect(sinces).toEqual([lastDeliveryAt])
  })

  it('no replayed message within settleMs (expired, a server without replay) is a gap', () => {
    const { clock, cursor, gaps } = rig({ settleMs: 500 })
    cursor.joined()
    cursor.receive(live('a'), 'm', 0)
    cursor.resume(25)
    clock.advance(5_000) // the join takes long: the wait starts at SUBSCRIBED
    expect(gaps).toEqual([])
    cursor.joined()
    expect(cursor.receive(live('late'), 'm', 1)).toBe(true) // a live message does not settle it
    clock.advance(499)
    expect(gaps).toEqual([])
    clock.advance(1)
    expect(gaps).toEqual(['replay-gap'])
  })

  it("the replayed copy of this hub's own persisted send is dropped once and proves continuity", () => {
    const { clock, cursor, gaps } = rig()
    cursor.joined()
    cursor.receive(live('a'), 'm', 0)
    cursor.sent('m', { text: 'mine' })
    cursor.resume(25)
    cursor.joined()
    expect(cursor.receive(replayed('own-id'), 'm', { text: 'mine' })).toBe(false)
    expect(cursor.receive(replayed('other'), 'm', { text: 'mine' })).toBe(true)
    clock.advance(10_000)
    expect(gaps).toEqual([])
  })

  it('remembers at most maxIds ids', () => {
    const { cursor } = rig({ maxIds: 2 })
    cursor.joined()
    for (const id of ['a', 'b', 'c']) cursor.receive(live(id), 'm', id)
    expect(cursor.receive(live('a'), 'm', 'a')).toBe(true)
    expect(cursor.receive(live('c'), 'm', 'c')).toBe(false)
  })

  it('property: after any gap, tabs get every message once and in order, or exactly one gap and no duplicate', () => {
    const scenario = fc.record({
      before: fc.integer({ min: 1, max: 30 }),
      missed: fc.integer({ min: 0, max: 40 }),
      after: fc.integer({ min: 0, max: 10 }),
      limit: fc.integer({ min: 1, max: 40 }),
      offsetMs: fc.integer({ min: -900, max: 900 }), // server clock minus hub clock, within the skew
    })
    fc.assert(fc.property(scenario, ({ before, missed, after, limit, offsetMs }) => {
      const { clock, cursor, gaps } = rig({ skewMs: 1_000 })
      const stored: Array<{ id: string; at: number }> = [] // inserted_at, by the server's clock
      const delivered: string[] = []
      const take = (id: string, meta: Json): void => { if (cursor.receive(meta, 'm', id)) delivered.push(id) }
      const publish = (): string => {
        clock.advance(10)
        const id = `m${stored.length}`
        stored.push({ id, at: clock.now() + offsetMs })
        return id
      }
      cursor.joined()
      for (let i = 0; i < before; i++) { const id = publish(); take(id, live(id)) }
      for (let i = 0; i < missed; i++) publish()
      const plan = cursor.resume(limit)
      if (plan === null || 'reason' in plan) return false
      // The server: the newest `limit` stored at or after `since`, oldest first, then live ones.
      for (const m of stored.filter((s) => s.at >= plan.since).slice(-plan.limit)) take(m.id, replayed(m.id))
      cursor.joined()
      for (let i = 0; i < after; i++) { const id = publish(); take(id, live(id)) }
      clock.advance(10_000)
      expect(new Set(delivered).size).toBe(delivered.length)
      if (gaps.length === 0) expect(delivered).toEqual(stored.map((m) => m.id))
      else expect(gaps).toEqual(['replay-gap'])
      // Covered exactly when the replay could hold the last delivered message and everything after.
      expect(gaps.length === 0).toBe(missed + 1 <= limit)
      return true
    }), { numRuns: 300 })
  })
})
