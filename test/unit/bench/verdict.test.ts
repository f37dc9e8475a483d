/**
 * Goals decided by intervals: the median's order-statistic interval, the three-way verdicts, and
 * the throughput goal's ratio range from two ceiling brackets.
 */
import { describe, expect, it } from 'vitest'
import type { Results, ThroughputResult } from '../../bench/results.ts'
import { bandOf, bracketOf, ceilingCell, pastCeiling, ratioRange, senderLimitOf, throughputGoal } from '../../bench/report/throughput.ts'
import { all, atLeast, atMost, medianInterval, pairedRatios } from '../../bench/report/verdict.ts'

function ceiling(held: number, missed: number | null): ThroughputResult {
  return { steps: [], maxSustainedMsgS: held, missedMsgS: missed }
}

function withThroughput(tabrelay: ThroughputResult, pertab: ThroughputResult): Results {
  // Only the throughput part is read by the goal.
  return { throughput: { tabrelay: { ok: true, value: tabrelay }, pertab: { ok: true, value: pertab }, leader: { ok: false, failed: 'failed: not run' } } } as Results
}

describe('verdicts', () => {
  it('gives the median an interval that widens as the values get fewer', () => {
    expect(medianInterval([3, 1, 2, 5, 4, 9, 0, 2])).toMatchObject({ median: 2, low: 1, high: 5, n: 8 })
    expect(medianInterval([3, 1, 2, 5, 4, 9, 0, 2]).coverage).toBeCloseTo(0.93, 2)
    // Twelve values: 3rd smallest to 3rd largest (96 %); one wild round does not move it.
    expect(medianInterval([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 500])).toMatchObject({ low: 2, high: 9 })
    expect(medianInterval([5, -2, 7])).toMatchObject({ low: -2, high: 7, coverage: 0.75 })
    expect(medianInterval([]).n).toBe(0)
  })

  it('decides only what the interval shows', () => {
    expect(atMost({ low: -0.2, high: 0.3 }, 0.3)).toBe('met')
    expect(atMost({ low: 0.6, high: 2 }, 0.5)).toBe('missed')
    expect(atMost({ low: -1, high: 2 }, 0.5)).toBe('undecided')
    expect(atMost({ low: Number.NaN, high: Number.NaN }, 0.5)).toBe('undecided')
    expect(atLeast({ low: 16, high: Number.POSITIVE_INFINITY }, 16)).toBe('met')
    expect(atLeast({ low: 4, high: 15.9 }, 16)).toBe('missed')
    expect(all(['met', 'met'])).toBe('met')
    expect(all(['met', 'undecided'])).toBe('undecided')
    expect(all(['undecided', 'missed'])).toBe('missed')
  })

  it('bounds the throughput ratio by both brackets', () => {
    expect(ratioRange({ held: 8000, missed: 11_310 }, { held: 350, missed: 500 })).toEqual({ low: 16, high: 11_310 / 350 })
    expect(ratioRange({ held: 8000, missed: 16_000 }, { held: 0, missed: 125 }).high).toBe(Number.POSITIVE_INFINITY)
    // Older results.json: no missedMsgS, so the first majority miss.
    expect(bracketOf({ steps: [{ rateMsgS: 1000, sent: 1, achievedMsgS: 1, minDelivered: 0, lost: 1, endLagMs: 0, p50Ms: 0, isSustained: false }], maxSustainedMsgS: 500 })).toEqual({ held: 500, missed: 1000 })
    expect(throughputGoal(withThroughput(ceiling(11_310, 13_450), ceiling(350, 500))).status).toBe('met')
    expect(throughputGoal(withThroughput(ceiling(3000, 4240), ceiling(350, 500))).status).toBe('missed')
    expect(throughputGoal(withThroughput(ceiling(8000, 11_310), ceiling(500, 710))).status).toBe('undecided')
  })

  it('widens a bracket to the nearest steps every trial agreed on, so a split vote cannot decide the goal', () => {
    const voted = (rate: number, held: number, trials: number) => ({ rateMsgS: rate, sent: 1, achievedMsgS: rate, minDelivered: 1, lost: 0, endLagMs: 0, p50Ms: 0, isSustained: 2 * held > 3, trials, sustainedTrials: held })
    // tabrelay: 11310 held 2 of 3 (split), 13450 missed 0 of 2; per-tab: 600 held 2/2, 710 missed 1 of 3 (split), 1000 0/2.
    const tabrelay = { steps: [voted(8000, 2, 2), voted(11_310, 2, 3), voted(13_450, 0, 2)], maxSustainedMsgS: 11_310, missedMsgS: 13_450 }
    const pertab = { steps: [voted(500, 2, 2), voted(600, 2, 2), voted(710, 1, 3), voted(1000, 0, 2)], maxSustainedMsgS: 600, missedMsgS: 710 }
    expect(bandOf(tabrelay)).toEqual({ held: 8000, missed: 13_450 })
    expect(bandOf(pertab)).toEqual({ held: 600, missed: 1000 })
    // By majority alone 11310/710 ≥ 15.9×; within the bands 8000/1000 = 8×…13450/600 = 22.4×.
    const goal = throughputGoal(withThroughput(tabrelay, pertab))
    expect(goal.status).toBe('undecided')
    expect(goal.measured).toContain('ratio range 8.0×…22.4×')
  })

  it('says sender-limited at a step the sender could not offer, never a miss, so the goal is not decided NO on it', () => {
    const voted = (rate: number, held: number, trials: number, achieved = rate) => ({
      rateMsgS: rate, sent: 1, achievedMsgS: achieved, minDelivered: 1, lost: 0, endLagMs: 90, p50Ms: 0, isSustained: 2 * held > trials, trials, sustainedTrials: held,
      ...(achieved < 0.9 * rate ? { isSenderShort: true, isSenderLimited: held === 0 } : {}),
    })
    const pertab = { steps: [voted(500, 2, 2), voted(600, 2, 2), voted(710, 0, 2)], maxSustainedMsgS: 600, missedMsgS: 710 }
    // tabrelay held 4000 in every trial; at 8000 its sender sent 5200/s in both trials.
    const limited = { steps: [voted(2000, 2, 2), voted(4000, 2, 2), voted(8000, 0, 2, 5200)], maxSustainedMsgS: 4000, missedMsgS: null, senderLimitedMsgS: 8000 }
    expect(senderLimitOf(limited)?.rateMsgS).toBe(8000)
    expect(bandOf(limited)).toEqual({ held: 4000, missed: Number.POSITIVE_INFINITY })
    expect(ceilingCell(limited)).toBe('4000 (2/2) – sender-limited at 8000 (sent 5200/s)')
    expect(pastCeiling(limited)).toMatch(/^sender-limited at 8000\/s: 0% lost, end lag 90 ms, sender 5200\/s$/)
    const goal = throughputGoal(withThroughput(limited, pertab))
    expect(goal.status).toBe('undecided')
    expect(goal.measured).toContain('tabrelay sender-limited at 8000 (sent 5200/s)')
    expect(goal.note).toContain('counts as no miss')
    // The same step as a real miss decides the goal NO: 8000 / 600 = 13.3× < 16×.
    const missed = { ...limited, steps: [voted(2000, 2, 2), voted(4000, 2, 2), voted(8000, 0, 2)], missedMsgS: 8000, senderLimitedMsgS: null }
    expect(throughputGoal(withThroughput(missed, pertab)).status).toBe('missed')
    expect(ceilingCell(missed)).toBe('4000 (2/2) – 8000 (0/2)')
    // A split miss widens the band up to the next step every trial missed, past a sender-limited one.
    const split = { steps: [voted(4000, 2, 2), voted(5660, 1, 3), voted(6730, 0, 2, 5000), voted(8000, 0, 2)], maxSustainedMsgS: 4000, missedMsgS: 5660 }
    expect(bandOf(split)).toEqual({ held: 4000, missed: 8000 })
    // Older results.json without missedMsgS: the first miss that was not the sender's.
    expect(bracketOf({ steps: limited.steps, maxSustainedMsgS: 4000 })).toEqual({ held: 4000, missed: Number.POSITIVE_INFINITY })
  })
})

describe('pairedRatios', () => {
  it('divides round i by round i, not median by median, and leaves out rounds one side lacks', () => {
    // Medians alone would say 160 / 15 = 10.7×; round by round the ratios are 10, 17 and 10.
    expect(pairedRatios([160, 170, 150], [16, 10, 15])).toMatchObject({ median: 10, low: 10, high: 17, n: 3 })
    expect(pairedRatios([100, 200, 300], [10, 20])).toMatchObject({ median: 10, n: 2 })
  })

  it('drops a failed round (NaN) from the interval instead of poisoning it', () => {
    expect(pairedRatios([100, Number.NaN, 120, 90, 110], [10, 10, 12, 9, 10])).toMatchObject({ median: 10, n: 4 })
  })
})
