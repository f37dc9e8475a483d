/**
 * The throughput ladder's rules on scripted trials: lanes interleaved trial by trial, a step
 * decided by majority (and no third trial once two agree), doubling then halving then bisecting
 * the bracket, noisy trial rounds run again, and a failing lane leaving alone.
 */
import { describe, expect, it } from 'vitest'
import type { Lane } from '../../bench/app/contract.ts'
import type { ThroughputResult, ThroughputStep } from '../../bench/results.ts'
import { isSenderBound, isShort, ladder, majorityStep, nextRate, type LadderPlan, type Trial } from '../../bench/scenarios/ladder.ts'

function step(rate: number, isSustained: boolean): ThroughputStep {
  return { rateMsgS: rate, sent: 100, achievedMsgS: rate, minDelivered: isSustained ? 100 : 80, lost: isSustained ? 0 : 20, endLagMs: isSustained ? 5 : 500, p50Ms: 1, isSustained }
}

const PLAN: LadderPlan = { lanes: ['tabrelay', 'pertab'], startMsgS: 500, topMsgS: 32_000, floorMsgS: 125, trials: 3, refinements: 2 }

/** A trial that holds per `holds(lane, rate, trialIndex)` and logs `lane:rate:trial`. */
function scripted(holds: (lane: Lane, rate: number, trial: number) => boolean, order: string[]): Trial {
  const seen = new Map<string, number>()
  return async (lane, rate) => {
    const key = `${lane}@${rate}`
    const trial = seen.get(key) ?? 0
    seen.set(key, trial + 1)
    order.push(`${lane}:${rate}:${trial}`)
    return step(rate, holds(lane, rate, trial))
  }
}

function resultOf(value: ThroughputResult | string | undefined): ThroughputResult {
  if (typeof value !== 'object') throw new Error(`a lane failed: ${String(value)}`)
  return value
}

describe('throughput ladder', () => {
  it('interleaves lanes trial by trial and runs a third trial only for a split vote', async () => {
    const order: string[] = []
    // pertab: 500 held 2 of 3 (its second trial noisy); tabrelay holds everything to 4000.
    const holds = (lane: Lane, rate: number, trial: number): boolean => lane === 'pertab' ? rate <= 500 && trial !== 1 : rate <= 4000
    const result = await ladder({ ...PLAN, refinements: 0 }, scripted(holds, order), () => 1)
    expect(order.slice(0, 5)).toEqual(['tabrelay:500:0', 'pertab:500:0', 'tabrelay:500:1', 'pertab:500:1', 'pertab:500:2'])
    const pertab = resultOf(result.lanes.get('pertab'))
    expect(pertab.maxSustainedMsgS).toBe(500)
    expect(pertab.missedMsgS).toBe(1000)
    expect(pertab.steps.map((s) => [s.rateMsgS, s.sustainedTrials, s.trials])).toEqual([[500, 2, 3], [1000, 0, 2]])
    const tabrelay = resultOf(result.lanes.get('tabrelay'))
    expect([tabrelay.maxSustainedMsgS, tabrelay.missedMsgS]).toEqual([4000, 8000])
    expect(order.filter((o) => o.startsWith('pertab:2000'))).toEqual([])
  })

  it('bisects the bracket of a refined lane after its first miss', async () => {
    const result = await ladder({ ...PLAN, lanes: ['tabrelay'] }, scripted((_, rate) => rate <= 11_000, []), () => 1)
    const tabrelay = resultOf(result.lanes.get('tabrelay'))
    // 500 … 8000 held, 16000 missed, then √(8000·16000) ≈ 11310 missed, √(8000·11310) ≈ 9510 held.
    expect(tabrelay.steps.map((s) => s.rateMsgS)).toEqual([500, 1000, 2000, 4000, 8000, 9510, 11310, 16000])
    expect([tabrelay.maxSustainedMsgS, tabrelay.missedMsgS]).toEqual([9510, 11310])
  })

  it('halves a lane that misses the start down to the floor, and leaves others unrefined', async () => {
    const result = await ladder({ ...PLAN, refine: ['tabrelay'] }, scripted((lane, rate) => lane === 'tabrelay' || rate <= 250, []), () => 1)
    const pertab = resultOf(result.lanes.get('pertab'))
    expect([pertab.maxSustainedMsgS, pertab.missedMsgS]).toEqual([250, 500])
    const never = await ladder({ ...PLAN, lanes: ['pertab'] }, scripted(() => false, []), () => 1)
    expect(resultOf(never.lanes.get('pertab')).steps.map((s) => s.rateMsgS)).toEqual([125, 250, 500])
    expect(resultOf(never.lanes.get('pertab')).maxSustainedMsgS).toBe(0)
    const top = await ladder({ ...PLAN, lanes: ['tabrelay'] }, scripted(() => true, []), () => 1)
    expect(resultOf(top.lanes.get('tabrelay')).missedMsgS).toBeNull()
  })

  it('runs a trial round again when the yardstick after it says the machine was busy', async () => {
    const order: string[] = []
    const yardsticks = [100, 40, 40, 40, 40, 40]
    const result = await ladder({ ...PLAN, lanes: ['pertab'], topMsgS: 500, noisyMs: 60 }, scripted(() => true, order), () => yardsticks.shift() ?? 40)
    expect(order).toEqual(['pertab:500:0', 'pertab:500:1', 'pertab:500:2'])
    expect(result.yardsticks.map((y) => [y.step, y.trial, y.isRerun === true])).toEqual([[1, 1, true], [1, 1, false], [1, 2, false]])
    expect(resultOf(result.lanes.get('pertab')).steps[0]?.trials).toBe(2)
  })

  it('runs a lane\'s trial again when its sender fell short while the tabs kept up, at most twice a step', async () => {
    let calls = 0
    const result = await ladder({ ...PLAN, lanes: ['tabrelay'], topMsgS: 500, floorMsgS: 500 }, async (_, rate) => {
      calls += 1
      // The first trial's sender falls short twice, then sends the rate; the second trial's never does.
      const isShort = calls <= 2 || calls >= 4
      return isShort ? { ...step(rate, false), lost: 0, endLagMs: 5, isSenderShort: true } : step(rate, true)
    }, () => 1)
    const only = resultOf(result.lanes.get('tabrelay')).steps[0]
    // Trial 1: short, short, held (2 reruns, the step's budget); trial 2: short, no rerun left; trial 3 decides.
    expect(calls).toBe(5)
    // Two of the three trials never got the rate: the step is the sender's limit, not the lane's miss.
    expect(only).toMatchObject({ trials: 3, sustainedTrials: 1, senderReruns: 2, isSustained: false, isSenderLimited: true })
    expect(resultOf(result.lanes.get('tabrelay'))).toMatchObject({ maxSustainedMsgS: 0, missedMsgS: null, senderLimitedMsgS: 500 })
  })

  it('counts a step its sender could not offer as sender-limited, not missed, and bisects below it', async () => {
    // The sender reaches 90 % of the rate only up to 12 000 msg/s; the tabs lag whenever it falls behind.
    const result = await ladder({ ...PLAN, lanes: ['tabrelay'] }, async (_, rate) => {
      const achieved = Math.min(rate, 12_000)
      return isShort(achieved, rate) ? { ...step(rate, false), achievedMsgS: achieved, isSenderShort: true } : step(rate, true)
    }, () => 1)
    const tabrelay = resultOf(result.lanes.get('tabrelay'))
    // 8000 held, 16000 sender-limited; then 11310 held (sent all of it), 13450 sender-limited (12000 < 12105).
    expect(tabrelay.steps.map((s) => [s.rateMsgS, s.isSenderLimited === true])).toEqual([[500, false], [1000, false], [2000, false], [4000, false], [8000, false], [11_310, false], [13_450, true], [16_000, true]])
    expect(tabrelay).toMatchObject({ maxSustainedMsgS: 11_310, missedMsgS: null, senderLimitedMsgS: 13_450 })
    // One short trial beside one real miss: the lane missed.
    expect(majorityStep([{ ...step(500, false), isSenderShort: true }, step(500, false)], 3)).toMatchObject({ isSustained: false })
    expect(majorityStep([{ ...step(500, false), isSenderShort: true }, step(500, false)], 3).isSenderLimited).toBeUndefined()
    expect(isShort(13_214, 16_000)).toBe(true)
    expect(isShort(14_400, 16_000)).toBe(false)
  })

  it('calls a shortfall the sender\'s only when it ran more than it waited for a core', () => {
    expect(isSenderBound({ threadMs: 700, waitMs: 120 })).toBe(true)
    // A child that waited most of its stream for a core (run 3 of pair.ts: 817 ms of 941) was starved.
    expect(isSenderBound({ threadMs: 124, waitMs: 817 })).toBe(false)
    expect(isSenderBound(undefined)).toBe(true)
  })

  it('a lane whose trial throws leaves with its failure; the others go on', async () => {
    const result = await ladder({ ...PLAN, lanes: ['leader', 'tabrelay'], topMsgS: 1000 }, async (lane, rate) => {
      if (lane === 'leader') throw new Error('tab crashed')
      return step(rate, true)
    }, () => 1)
    expect(result.lanes.get('leader')).toMatch(/^failed: tab crashed/)
    expect(result.lanes.get('tabrelay')).toMatchObject({ maxSustainedMsgS: 1000, missedMsgS: null })
  })

  it('a majority step counts against the planned trials', () => {
    expect(majorityStep([step(500, false), step(500, true), step(500, true)])).toMatchObject({ isSustained: true, trials: 3, sustainedTrials: 2 })
    expect(majorityStep([step(500, true), step(500, true)], 3).isSustained).toBe(true)
    expect(majorityStep([step(500, true), step(500, false)], 3).isSustained).toBe(false)
  })

  it('picks the next rate from the bracket', () => {
    const rates = { topMsgS: 32_000, floorMsgS: 125 }
    expect(nextRate({ held: 1000, missed: null, refinementsLeft: 2 }, 1000, rates)).toBe(2000)
    expect(nextRate({ held: 32_000, missed: null, refinementsLeft: 2 }, 32_000, rates)).toBeNull()
    expect(nextRate({ held: 0, missed: 500, refinementsLeft: 2 }, 500, rates)).toBe(250)
    expect(nextRate({ held: 0, missed: 125, refinementsLeft: 2 }, 125, rates)).toBeNull()
    expect(nextRate({ held: 250, missed: 500, refinementsLeft: 1 }, 250, rates)).toBe(350)
    expect(nextRate({ held: 250, missed: 500, refinementsLeft: 0 }, 250, rates)).toBeNull()
    // A sender-limited step bounds the climb like a miss: bisect below the lower of the two.
    expect(nextRate({ held: 8000, missed: null, senderLimited: 16_000, refinementsLeft: 2 }, 16_000, rates)).toBe(11_310)
    expect(nextRate({ held: 8000, missed: 32_000, senderLimited: 16_000, refinementsLeft: 2 }, 16_000, rates)).toBe(11_310)
  })
})
