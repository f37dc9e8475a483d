// TopicCursor.isReplaying (worker/topic/cursor.ts), what inspect()'s `replay` shows and the replay
// e2e specs wait for instead of a sleep: `true` while a replay watch is open or resyncs are owed,
// and once `false`, nothing but a new join can still bring a gap.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Json, ResyncReason } from '../../../src/contract/protocol.ts'
import { TopicCursor, type Rejoined } from '../../../worker/topic/cursor.ts'
import { ManualClock } from '../fakes/clock.ts'

function rig(options: { settleMs?: number; onReplay?: () => void } = {}): { clock: ManualClock; cursor: TopicCursor; gaps: ResyncReason[] } {
  const clock = new ManualClock()
  const gaps: ResyncReason[] = []
  const cursor = new TopicCursor({ clock, onGap: (reason) => { gaps.push(reason) }, ...options })
  return { clock, cursor, gaps }
}

const live = (id: string): Json => ({ id })
const replayed = (id: string): Json => ({ replayed: true, id })
const rejoined = (key: string, since: number, ids: string[]): Rejoined => ({ key, cursor: { since, ids } })

describe('TopicCursor.isReplaying', () => {
  it('a re-join: replaying from resume() until the replay reaches back, then idle at once', () => {
    const { cursor, gaps } = rig()
    expect(cursor.isReplaying).toBe(false)
    cursor.joined()
    cursor.receive(live('a'), 'm', 'a')
    expect(cursor.isReplaying).toBe(false)
    cursor.resume(25)
    expect(cursor.isReplaying).toBe(true)
    cursor.joined()
    cursor.receive(replayed('b'), 'm', 'b')
    expect(cursor.isReplaying).toBe(true)
    cursor.receive(replayed('a'), 'm', 'a') // reaches back: the gap is covered
    expect(cursor.isReplaying).toBe(false)
    expect(gaps).toEqual([])
  })

  it('a replay that never reaches back: replaying through settleMs after SUBSCRIBED, idle once the gap is told', () => {
    const { clock, cursor, gaps } = rig({ settleMs: 3_000 })
    cursor.joined()
    cursor.receive(live('a'), 'm', 'a')
    cursor.resume(25)
    clock.advance(10_000) // the join takes long: no timer runs before SUBSCRIBED
    expect(cursor.isReplaying).toBe(true)
    cursor.joined()
    clock.advance(2_999)
    expect(cursor.isReplaying).toBe(true)
    expect(gaps).toEqual([])
    clock.advance(1)
    expect(gaps).toEqual(['replay-gap'])
    expect(cursor.isReplaying).toBe(false)
  })

  it('a new hub: replaying while rejoined tabs wait in the watch, even once each is covered', () => {
    const { clock, cursor, gaps } = rig({ settleMs: 3_000 })
    cursor.resume(25, [rejoined('t/1', clock.now(), ['a']), rejoined('t/2', clock.now(), ['x'])])
    cursor.joined()
    cursor.receive(replayed('a'), 'm', 'a')
    cursor.receive(replayed('b'), 'm', 'b')
    expect(cursor.isReplaying).toBe(true) // t/2 may still be reached
    clock.advance(3_000)
    expect(gaps).toEqual(['replay-gap'])
    expect(cursor.isReplaying).toBe(false)
  })

  it('resyncs owed at the next SUBSCRIBED (a replay impossible) count as replaying until told', () => {
    const { clock, cursor, gaps } = rig()
    cursor.joined()
    cursor.receive(undefined, 'm', 1) // not persisted: no replay can cover a gap
    expect(cursor.resume(25, [rejoined('t/1', clock.now(), ['a'])])).toEqual({ reason: 'not-persisted' })
    expect(cursor.isReplaying).toBe(true)
    cursor.joined()
    expect(gaps).toEqual(['not-persisted'])
    expect(cursor.isReplaying).toBe(false)
  })

  it('a late tab that makes the topic join again: replaying from its arrival on', () => {
    let rejoins = 0
    const { clock, cursor } = rig({ onReplay: () => { rejoins += 1 } })
    cursor.joined()
    cursor.receive(live('a'), 'm', 'a')
    cursor.resume(25)
    cursor.joined()
    cursor.receive(replayed('a'), 'm', 'a')
    expect(cursor.isReplaying).toBe(false)
    cursor.late(rejoined('t/late', clock.now(), ['older']))
    expect(rejoins).toBe(1)
    expect(cursor.isReplaying).toBe(true) // until the re-join's replay is judged
  })

  it('property: whenever it says idle, no time passing and no replayed message brings a gap or a re-join', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('live' as const), n: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('replayed' as const), n: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('unkeyed' as const) }),
      fc.record({ kind: fc.constant('resume' as const), limit: fc.integer({ min: 1, max: 5 }), tabs: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('joined' as const), tabs: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('late' as const), n: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4_000 }) }),
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let rejoins = 0
      const { clock, cursor, gaps } = rig({ settleMs: 3_000, onReplay: () => { rejoins += 1 } })
      let tab = 0
      const tabs = (count: number): Rejoined[] => Array.from({ length: count }, () => rejoined(`t/${tab += 1}`, clock.now() - 1_000, [`m${tab % 20}`]))
      for (const step of ops) {
        if (step.kind === 'live') cursor.receive(live(`m${step.n}`), 'm', step.n)
        else if (step.kind === 'replayed') cursor.receive(replayed(`m${step.n}`), 'm', step.n)
        else if (step.kind === 'unkeyed') cursor.receive(undefined, 'm', 0)
        else if (step.kind === 'resume') cursor.resume(step.limit, tabs(step.tabs))
        else if (step.kind === 'joined') cursor.joined(tabs(step.tabs))
        else if (step.kind === 'late') cursor.late(rejoined(`t/${tab += 1}`, clock.now(), [`m${step.n}`]))
        else clock.advance(step.ms)
        if (cursor.isReplaying) continue
        const told = [gaps.length, rejoins]
        clock.advance(60_000)
        for (const n of [0, 5, 10, 15, 20]) cursor.receive(replayed(`m${n}`), 'm', n)
        expect([gaps.length, rejoins]).toEqual(told)
        expect(cursor.isReplaying).toBe(false)
      }
    }), { numRuns: 300 })
  })
})
