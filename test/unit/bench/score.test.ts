import { describe, expect, it } from 'vitest'
import { scoreRound } from '../../bench/stats.ts'

describe('scoreRound', () => {
  it('puts page and publisher clocks on one timeline and counts each page\'s missing messages once', () => {
    const sent = new Map([[1, 1_000], [2, 1_010], [3, 1_020]])
    const lists = [
      { received: [1, 2, 3], receivedAt: [2_003, 2_012, 2_025] },
      // A duplicate does not hide a loss: message 3 never came.
      { received: [1, 1, 2], receivedAt: [1_503, 1_504, 1_514] },
    ]
    const { latencies, lost } = scoreRound(lists, [1_000, 500], sent, 0, 3)
    expect(latencies).toEqual([3, 2, 5, 3, 4, 4])
    expect(lost).toBe(1)
  })
})
