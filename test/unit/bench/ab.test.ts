/**
 * The A/B table's verdicts (`npm run bench -- --against <ref>`): paired rounds decided by the
 * median interval of their differences, throughput ceilings by the lanes' noise bands, `--only`'s
 * scenario list, and the lane name of a commit.
 */
import { describe, expect, it } from 'vitest'
import { laneName } from '../../bench/against.ts'
import type { ThroughputResult, ThroughputStep } from '../../bench/results.ts'
import { ceilingFigure, ceilingVerdict, floorFigure, pairedDifferences, pairedFigure, pairedVerdict, parseOnly, renderAbTable } from '../../bench/report/ab.ts'

function step(rateMsgS: number, sustainedTrials: number, trials = 3): ThroughputStep {
  const isSustained = 2 * sustainedTrials > trials
  return { rateMsgS, sent: rateMsgS, achievedMsgS: rateMsgS, minDelivered: rateMsgS, lost: 0, endLagMs: 1, p50Ms: 1, isSustained, trials, sustainedTrials }
}

/** A ladder result from `[rate, trials held of 3]` steps. */
function ceiling(...steps: Array<[number, number]>): ThroughputResult {
  const all = steps.map(([rate, held]) => step(rate, held))
  const held = Math.max(0, ...all.filter((s) => s.isSustained).map((s) => s.rateMsgS))
  const missed = all.filter((s) => !s.isSustained).map((s) => s.rateMsgS)
  return { steps: all, maxSustainedMsgS: held, missedMsgS: missed.length === 0 ? null : Math.min(...missed) }
}

describe('A/B verdicts', () => {
  it('pairs rounds by index and skips rounds missing or failed on either side', () => {
    expect(pairedDifferences([3, 5, Number.NaN, 7], [1, 2, 4])).toEqual([2, 3])
  })

  it('calls a figure better or worse only when every plausible median difference is on one side', () => {
    const faster = [10, 11, 9, 10, 10, 12, 9, 10]
    const slower = [14, 15, 13, 15, 14, 16, 13, 15]
    expect(pairedVerdict(faster, slower, 'lower').verdict).toBe('better')
    expect(pairedVerdict(slower, faster, 'lower').verdict).toBe('worse')
    // Higher is better (a rate): the same differences read the other way.
    expect(pairedVerdict(faster, slower, 'higher').verdict).toBe('worse')
    // Half the rounds each way: the interval straddles zero.
    expect(pairedVerdict([10, 14, 10, 14, 10, 14], [12, 12, 12, 12, 12, 12], 'lower').verdict).toBe('same within noise')
    expect(pairedVerdict([], [1], 'lower').verdict).toBe('not measured')
  })

  it('lets one wild round not flip a verdict when enough rounds ran', () => {
    // 8 pairs: the interval runs from the 2nd smallest to the 2nd largest difference.
    const current = [10, 10, 10, 10, 10, 10, 10, 300]
    const against = [12, 12, 12, 12, 12, 12, 12, 12]
    expect(pairedVerdict(current, against, 'lower').verdict).toBe('better')
  })

  it('decides throughput on the noise bands, not on a split step', () => {
    const halved = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 0], [2830, 3], [3360, 3])
    const before = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 3], [8000, 0], [5660, 3], [6730, 3])
    expect(ceilingVerdict(halved, before)).toBe('worse')
    expect(ceilingVerdict(before, halved)).toBe('better')
    // 4000 held 2 of 3 in one lane, missed 2 of 3 in the other: inside both bands, no verdict.
    const split = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 2], [8000, 0], [5660, 0], [4760, 0])
    const other = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 1], [2830, 3], [3360, 3])
    expect(ceilingVerdict(split, other)).toBe('same within noise')
  })

  it('never calls a lane worse on a step its sender could not offer', () => {
    const held = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 3])
    // The ref held 8000 unanimously; the current lane's 8000 was sender-limited (no trial got the rate).
    const limited: ThroughputResult = { ...held, steps: [...held.steps, { ...step(8000, 0), achievedMsgS: 5200, isSenderShort: true, isSenderLimited: true }], missedMsgS: null, senderLimitedMsgS: 8000 }
    const ref = ceiling([500, 3], [1000, 3], [2000, 3], [4000, 3], [8000, 3], [16_000, 0])
    expect(ceilingVerdict(limited, ref)).toBe('same within noise')
    expect(ceilingFigure('throughput ceiling', limited, ref).current).toBe('4000–none (band 4000–none, sender-limited at 8000 (sent 5200/s))')
  })

  it('writes the figures as a table with both lanes and the verdict', () => {
    const rows = [
      pairedFigure('new tab, ms', [25, 26, 24, 25, 25], [31, 30, 33, 31, 32], 'lower'),
      ceilingFigure('throughput ceiling', ceiling([500, 3], [1000, 0]), 'failed: tab 3'),
    ]
    expect(rows[0]).toMatchObject({ current: '25.0', against: '31.0', verdict: 'better' })
    expect(rows[1]?.verdict).toBe('not measured')
    const table = renderAbTable('tabrelay', 'tabrelay@677b2e4', rows)
    expect(table.split('\n')).toHaveLength(4)
    expect(table).toContain('| new tab, ms | 25.0 | 31.0 | -6.0 (')
    expect(table).toContain('| failed: tab 3 | — | not measured |')
  })
})

describe('--only and lane names', () => {
  it('takes scenario names, with scale for fan-out, and refuses unknown ones', () => {
    expect([...parseOnly('throughput, newtab')]).toEqual(['throughput', 'newtab'])
    expect([...parseOnly('scale,hub-cpu')]).toEqual(['fanout', 'cpu'])
    expect(parseOnly(undefined).size).toBe(7)
    expect(() => parseOnly('throughput,speed')).toThrow(/unknown scenario 'speed'/)
    expect(() => parseOnly(',')).toThrow(/no scenario/)
  })

  it('names a lane by the first 7 hex digits of its commit', () => {
    expect(laneName('677b2e4cf881fbd3f478ac4dc7d149d558bf936e')).toBe('tabrelay@677b2e4')
  })
})

describe('floor lane', () => {
  it('reads each lane as round-by-round multiples of the floor lane run in the same rounds', () => {
    const row = floorFigure('  ÷ floor', [2600, 2700, 2800], [2500, 2400, 2000], [1000, 900, 1000])
    expect(row).toMatchObject({ current: '2.8× (2.6…3.0)', against: '2.5× (2.0…2.7)', delta: 'floor 1000.0', verdict: '—' })
    expect(floorFigure('x', [1], [1], []).current).toBe('—')
  })
})
