// A new hub resuming tabs from their cursors (worker/topic/cursor.ts, resumers.ts): one replay from
// the oldest cursor, sorted per subscription, each gap reported to its own subscription only.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Json, ResyncReason } from '../../../src/contract/protocol.ts'
import { checkResume } from '../../../src/contract/resume.ts'
import { MAX_RESUME_IDS } from '../../../src/contract/delivery.ts'
import { TopicCursor, type Rejoined } from '../../../worker/topic/cursor.ts'
import { ManualClock } from '../fakes/clock.ts'

interface Gap { reason: ResyncReason; since: number; only: string[] | 'all' }

/** A cursor whose deliveries are recorded per subscription key (`got`), as the router makes them. */
function rig(keys: readonly string[], options: { skewMs?: number; settleMs?: number; maxRecent?: number; onReplay?: () => void } = {}) {
  const clock = new ManualClock()
  const gaps: Gap[] = []
  const got = new Map<string, string[]>(keys.map((key) => [key, []]))
  const cursor = new TopicCursor({
    clock,
    onGap: (reason, since, only) => gaps.push({ reason, since, only: only ? [only] : 'all' }),
    onRelease: (key, messages) => { for (const m of messages) got.get(key)?.push(String(m.payload)) },
    ...options,
  })
  /** A server message with id `id`: delivered to each key the cursor routes it to. */
  const take = (id: string, meta: Json): void => {
    const route = cursor.receive(meta, 'm', id)
    for (const key of keys) if (route === true || (route !== false && route(key))) got.get(key)?.push(id)
  }
  return { clock, cursor, gaps, got, take }
}

const replayed = (id: string): Json => ({ replayed: true, id })
const live = (id: string): Json => ({ id })
const ids = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `m${from + i}`)
const rejoined = (key: string, since: number, seen: string[]): Rejoined => ({ key, cursor: { since, ids: seen } })

describe('TopicCursor on a new hub', () => {
  it('replays from the oldest cursor; each tab gets only what it lacks, a fresh tab none of it; no gap', () => {
    const { clock, cursor, gaps, got, take } = rig(['a', 'b', 'fresh'], { skewMs: 1_000 })
    const older = clock.now()
    clock.advance(500)
    // a saw m0–m4, b saw m0–m7 (b's cursor is newer); the server stored m0–m9.
    const plan = cursor.resume(25, [rejoined('a', older, ids(0, 5)), rejoined('b', clock.now(), ids(0, 8))])
    expect(plan).toEqual({ since: older - 1_000, limit: 25 })
    cursor.joined()
    for (const id of ids(0, 10)) take(id, replayed(id))
    take('m10', live('m10'))
    clock.advance(10_000)
    expect(got.get('a')).toEqual(ids(5, 11))
    expect(got.get('b')).toEqual(ids(8, 11))
    expect(got.get('fresh')).toEqual(['m10'])
    expect(gaps).toEqual([])
  })

  it("a tab's forged cursor (since 0, unknown ids) stretches the replay, yet the others get no duplicate; only it gets a gap", () => {
    const { clock, cursor, gaps, got, take } = rig(['honest', 'forged'])
    clock.advance(100_000)
    // Never a negative since, which a server could refuse for the whole topic.
    expect(cursor.resume(25, [rejoined('honest', clock.now(), ids(10, 20)), rejoined('forged', 0, ['nope'])])).toEqual({ since: 0, limit: 25 })
    cursor.joined()
    // The server replays its newest 25, m0–m24: m0–m9 are older than anything 'honest' remembers.
    for (const id of ids(0, 25)) take(id, replayed(id))
    expect(got.get('honest')).toEqual(ids(20, 25))
    // The limit was reached without reaching back to 'forged': what it held is due to it, then its resync.
    expect(got.get('forged')).toEqual(ids(0, 25))
    expect(gaps).toEqual([{ reason: 'replay-gap', since: 0, only: ['forged'] }])
  })

  it('a tab the replay does not reach back to gets what it held, in order, then its own resync after settleMs', () => {
    const { clock, cursor, gaps, got, take } = rig(['a', 'b'], { settleMs: 500 })
    const since = clock.now()
    cursor.resume(25, [rejoined('a', since, ['gone']), rejoined('b', since, ids(0, 3))])
    cursor.joined()
    for (const id of ids(2, 6)) take(id, replayed(id))
    take('m6', live('m6'))
    expect(got.get('a')).toEqual([])
    clock.advance(500)
    // What arrived live while 'a' waited was held with the rest: order kept, nothing twice.
    expect(got.get('a')).toEqual(ids(2, 7))
    expect(got.get('b')).toEqual(ids(3, 7))
    expect(gaps).toEqual([{ reason: 'replay-gap', since, only: ['a'] }])
    take('m7', live('m7'))
    expect(got.get('a')).toEqual(ids(2, 8))
  })

  it('a tab without ids (it got a message the server did not store) gets resync not-persisted; the others are still replayed', () => {
    const { clock, cursor, gaps } = rig(['a', 'b'])
    const since = clock.now()
    expect(cursor.resume(25, [rejoined('a', since, []), rejoined('b', since, ['m1'])])).toEqual({ since: since - 5_000, limit: 25 })
    cursor.joined()
    expect(gaps).toEqual([{ reason: 'not-persisted', since, only: ['a'] }])
    expect(cursor.resume(25, [rejoined('c', since, [])])).toEqual({ reason: 'not-persisted' })
  })

  it('a transport that never asks where to resume: each rejoined tab gets resync with the reason its SUBSCRIBED gave, else new-hub', () => {
    const { clock, cursor, gaps } = rig(['a', 'b'])
    const since = clock.now()
    const a = rejoined('a', since, ['m1'])
    cursor.joined([a], 'public-channel')
    cursor.joined([a]) // taken once: a later join does not resync it again
    const other = new TopicCursor({ clock, onGap: (reason, at, only) => gaps.push({ reason, since: at, only: only ? [only] : 'all' }) })
    other.joined([rejoined('b', since, ['m1'])])
    expect(gaps).toEqual([{ reason: 'public-channel', since, only: ['a'] }, { reason: 'new-hub', since, only: ['b'] }])
  })

  it('a tab that rejoins after the replay is caught up from the newest messages the hub kept, or gets replay-gap', () => {
    const { clock, cursor, gaps, got, take } = rig(['a', 'late', 'lost'], { settleMs: 500 })
    cursor.resume(25, [rejoined('a', clock.now(), ids(0, 2))])
    cursor.joined()
    for (const id of ids(0, 6)) take(id, replayed(id))
    clock.advance(500)
    cursor.late(rejoined('late', clock.now(), ids(0, 4)))
    cursor.late(rejoined('lost', clock.now(), ['before-the-hub']))
    expect(got.get('late')).toEqual(ids(4, 6))
    expect(gaps).toEqual([{ reason: 'replay-gap', since: clock.now(), only: ['lost'] }])
    take('m6', live('m6'))
    expect(got.get('late')).toEqual(ids(4, 7))
  })

  it("a tab that joins a running replay after it passed the tab's place gets one re-join with a replay from its cursor, then a gap if that fails too", () => {
    let replays = 0
    const { clock, cursor, gaps, got, take } = rig(['a', 'late'], { settleMs: 500, maxRecent: 2, onReplay: () => { replays++ } })
    cursor.resume(1_000, [rejoined('a', clock.now(), ids(0, 2))])
    cursor.joined()
    for (const id of ids(0, 6)) take(id, replayed(id))
    // It comes with m0–m2 while the replay runs; the hub keeps only m4 and m5 to catch it up from.
    const since = clock.now()
    cursor.late(rejoined('late', since, ids(0, 3)))
    take('m6', live('m6'))
    clock.advance(500)
    expect(replays).toBe(1)
    expect(gaps).toEqual([])
    expect(got.get('late')).toEqual([])
    // The re-join: the replay reaches back to its place; it gets m3 on, once and in order.
    expect(cursor.resume(1_000, [])).toEqual({ since: since - 5_000, limit: 1_000 })
    cursor.joined()
    for (const id of ids(0, 7)) take(id, replayed(id))
    take('m7', live('m7'))
    expect(got.get('late')).toEqual(ids(3, 8))
    expect(got.get('a')).toEqual(ids(2, 8))
    clock.advance(500)
    expect(gaps).toEqual([])
    // Another late tab whose place no replay holds: one re-join, then its gap; never a second re-join.
    cursor.late(rejoined('lost', clock.now(), ['expired']))
    expect(replays).toBe(2)
    cursor.resume(1_000, [])
    cursor.joined()
    for (const id of ids(0, 8)) take(id, replayed(id))
    clock.advance(500)
    expect(replays).toBe(2)
    expect(gaps).toEqual([{ reason: 'replay-gap', since: clock.now() - 500, only: ['lost'] }])
  })

  it('checkResume refuses a forged or huge cursor with bad-input', () => {
    const huge = Array.from({ length: MAX_RESUME_IDS + 1 }, (_, i) => `id-${i}`)
    for (const bad of [null, 'x', { since: -1, ids: [] }, { since: 1.5, ids: [] }, { since: 1, ids: 'a' }, { since: 1, ids: [1] },
      { since: 1, ids: [''] }, { since: 1, ids: ['x'.repeat(129)] }, { since: 1, ids: huge }, { since: Number.MAX_VALUE, ids: [] }]) {
      expect(() => checkResume(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'bad-input' }))
    }
    expect(checkResume({ since: 1, ids: ['a'] })).toEqual({ since: 1, ids: ['a'] })
  })

  it('property: any tabs at any positions, any limit: each gets the messages after its position once, in order, or its own gap and no duplicate', () => {
    const scenario = fc.record({
      total: fc.integer({ min: 1, max: 60 }),
      positions: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 4 }),
      limit: fc.integer({ min: 1, max: 80 }),
      after: fc.integer({ min: 0, max: 5 }),
    })
    fc.assert(fc.property(scenario, ({ total, positions, limit, after }) => {
      const keys = positions.map((_, i) => `t${i}`)
      const { clock, cursor, gaps, got, take } = rig(keys, { skewMs: 1_000_000 })
      const all = ids(0, total + after)
      // Tab i saw m0 … m(p−1) (at most the last 64 ids); p = 0: it saw none of them.
      const cursors = positions.map((p, i) => rejoined(`t${i}`, clock.now(), ids(Math.max(0, Math.min(p, total) - MAX_RESUME_IDS), Math.min(p, total))))
      cursor.resume(limit, cursors)
      cursor.joined()
      for (const id of all.slice(0, total).slice(-limit)) take(id, replayed(id))
      for (const id of all.slice(total)) take(id, live(id))
      clock.advance(10_000)
      positions.forEach((p, i) => {
        const key = `t${i}`
        const seen = Math.min(p, total)
        const mine = got.get(key) ?? []
        const gap = gaps.filter((g) => g.only !== 'all' && g.only.includes(key))
        expect(new Set(mine).size).toBe(mine.length)
        expect(mine.every((id) => all.indexOf(id) >= seen)).toBe(true)
        expect(mine).toEqual([...mine].sort((x, y) => all.indexOf(x) - all.indexOf(y)))
        if (gap.length === 0) expect(mine).toEqual(all.slice(seen))
        else expect(gap).toHaveLength(1)
        // Covered exactly when it saw something and the replay reached back to its last message.
        expect(gap.length === 0).toBe(seen > 0 && total - seen + 1 <= limit)
      })
      return true
    }), { numRuns: 300 })
  })
})
