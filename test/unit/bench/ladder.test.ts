/**
 * The throughput ladder's rules on scripted trials: lanes interleaved trial by trial, a step
 * sustained by majority, the ceiling per trial, and when a lane stops climbing.
 */
import { describe, expect, it } from 'vitest'
import type { Lane } from '../../bench/app/contract.ts'
import type { ThroughputStep } from '../../bench/results.ts'
import { ladder, majorityStep } from '../../bench/scenarios/ladder.ts'

function step(rate: number, isSustained: boolean): ThroughputStep {
  return { rateMsgS: rate, sent: 100, achievedMsgS: rate, minDelivered: isSustained ? 100 : 80, lost: isSustained ? 0 : 20, endLagMs: isSustained ? 5 : 500, p50Ms: 1, isSustained }
}

describe('throughput ladder', () => {
  it('interleaves lanes trial by trial and takes the majority of three trials', async () => {
    const order: string[] = []
    // pertab: sustained at 500, 2 of 3 at 1000 (one noisy trial), then misses.
    const script: Record<string, (rate: number, trial: number) => boolean> = {
      pertab: (rate, trial) => rate <= 500 || (rate === 1000 && trial !== 1),
      tabrelay: (rate) => rate <= 4000,
    }
    const seen = new Map<string, number>()
    const result = await ladder({ lanes: ['tabrelay', 'pertab'], rates: [500, 1000, 2000, 4000, 8000, 16000], trials: 3 }, async (lane: Lane, rate) => {
      const key = `${lane}@${rate}`
      const trial = seen.get(key) ?? 0
      seen.set(key, trial + 1)
      order.push(`${lane}:${rate}:${trial}`)
      return step(rate, script[lane]?.(rate, trial) ?? false)
    }, () => 1)
    expect(order.slice(0, 6)).toEqual(['tabrelay:500:0', 'pertab:500:0', 'tabrelay:500:1', 'pertab:500:1', 'tabrelay:500:2', 'pertab:500:2'])
    const pertab = result.lanes.get('pertab')
    const tabrelay = result.lanes.get('tabrelay')
    if (typeof pertab !== 'object' || typeof tabrelay !== 'object' || pertab === undefined || tabrelay === undefined) throw new Error('a lane failed')
    expect(pertab.maxSustainedMsgS).toBe(1000)
    expect(pertab.trialCeilings).toEqual([1000, 500, 1000])
    // The first majority miss (2000) ends pertab's climb; tabrelay climbs on alone.
    expect(pertab.steps.map((s) => s.rateMsgS)).toEqual([500, 1000, 2000])
    expect(tabrelay.maxSustainedMsgS).toBe(4000)
    expect(tabrelay.steps.map((s) => s.rateMsgS)).toEqual([500, 1000, 2000, 4000, 8000])
    expect(order.filter((o) => o.startsWith('pertab:4000'))).toEqual([])
    expect(result.yardsticks).toHaveLength(15)
  })

  it('a lane whose trial throws leaves with its failure; the others go on', async () => {
    const result = await ladder({ lanes: ['leader', 'tabrelay'], rates: [500, 1000], trials: 3 }, async (lane, rate) => {
      if (lane === 'leader') throw new Error('tab crashed')
      return step(rate, true)
    }, () => 1)
    expect(result.lanes.get('leader')).toMatch(/^failed: tab crashed/)
    expect(result.lanes.get('tabrelay')).toMatchObject({ maxSustainedMsgS: 1000 })
  })

  it('a majority step reports the median trial and how many trials held', () => {
    const merged = majorityStep([step(500, false), step(500, true), step(500, true)])
    expect(merged).toMatchObject({ isSustained: true, trials: 3, sustainedTrials: 2 })
  })
})
