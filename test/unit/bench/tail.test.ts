/**
 * The tail probe's arithmetic: stamps into segments, the breakdown of the slowest 1 %, and the
 * stamps riding on a delivery frame's payloads.
 */
import { describe, expect, it } from 'vitest'
import { hopsOf, restamped, stamp } from '../../bench/app/probe.ts'
import { breakdown, byExtra, segmentsOf, type HopSample } from '../../bench/scenarios/tail.ts'

function sample(seq: number, tab: number, frame: number, port: number, rank: number): HopSample {
  return { seq, tab, totalMs: frame + port, segments: { frame, port }, extras: { rank } }
}

describe('tail probe', () => {
  it('splits an arrival at its stamps, in path order, and leaves out one that was not stamped', () => {
    expect(segmentsOf(10, { frame: 12, hub: 12.5 }, 13, ['frame', 'hub'])).toEqual({ frame: 2, hub: 0.5, callback: 0.5 })
    expect(segmentsOf(10, { frame: 12 }, 13, ['frame', 'hub'])).toBeNull()
  })

  it('names the segment the slowest 1 % is made of, and how many messages it spans', () => {
    // 200 arrivals: 2 messages × 10 tabs late in the frame segment, the rest quick.
    const samples: HopSample[] = []
    for (let seq = 0; seq < 20; seq++) for (let tab = 0; tab < 10; tab++) samples.push(sample(seq, tab, seq < 2 ? 20 : 1, 0.5, tab + 1))
    const b = breakdown(samples)
    expect(b.total.p99).toBe(20.5)
    expect(b.tailArrivals).toBe(20)
    expect(b.tailMessages).toBe(2)
    expect(b.segments).toEqual([{ segment: 'frame', p50: 1, p99: 20, inTail: 20 }, { segment: 'port', p50: 0.5, p99: 0.5, inTail: 0.5 }])
    expect(b.extras).toEqual([{ name: 'rank', mean: 5.5, inTail: 5.5 }])
  })

  it('groups a segment by an extra stamp', () => {
    expect(byExtra([sample(0, 0, 1, 0.1, 2), sample(0, 1, 1, 0.3, 1), sample(1, 0, 1, 0.5, 2)], 'rank', 'port')).toEqual([{ value: 1, p50: 0.3 }, { value: 2, p50: 0.1 }])
  })

  it("stamps the payloads of a delivery frame (its JSON text written again) and nothing else", () => {
    const payload = { seq: 1 }
    const cloned = { frame: 'deliver', seq: 1, batch: [{ kind: 'broadcast', subIds: ['1'], payload }] }
    expect(restamped(cloned, (p) => stamp(p, 'flush', 5))).toBe(cloned)
    expect(hopsOf(payload)).toEqual({ flush: 5 })
    const text = { frame: 'deliver', seq: 2, batch: JSON.stringify([{ kind: 'broadcast', subIds: ['1'], payload: { seq: 2 } }]) }
    const out = restamped(text, (p) => stamp(p, 'flush', 7)) as { batch: string }
    expect(JSON.parse(out.batch)).toEqual([{ kind: 'broadcast', subIds: ['1'], payload: { seq: 2, hops: { flush: 7 } } }])
    const call = { id: 'x', type: 'APPLY', path: ['status'], argumentList: [{ type: 'RAW', value: [{ payload }] }] }
    expect(restamped(call, (p) => stamp(p, 'flush', 9))).toBe(call)
    expect(hopsOf(payload)).toEqual({ flush: 5 })
    stamp([1, 2], 'flush', 5)
    expect(hopsOf('text')).toEqual({})
  })
})
