import { describe, expect, it } from 'vitest'
import { gapAround, scoreRound, tallyRound } from '../../bench/stats.ts'

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

describe('tallyRound', () => {
  it('adds a round\'s p50, p99 and losses to the side', () => {
    const side = { offsets: [0], p50: [9], p99: [9], lost: 2 }
    tallyRound(side, [{ received: [1, 2], receivedAt: [11, 30] }], new Map([[1, 10], [2, 20], [3, 30]]), 0, 3)
    // Latencies 1 and 10 ms (nearest rank), message 3 lost.
    expect(side).toEqual({ offsets: [0], p50: [9, 1], p99: [9, 10], lost: 3 })
  })
})

describe('gapAround', () => {
  it('takes the longest silence that overlaps the window, a trailing one up to the last send included', () => {
    expect(gapAround([0, 5, 30, 31, 90], 20, 40, 95)).toBe(59)
    // The 5 → 30 silence ends inside the window; 31 → 90 is outside it here.
    expect(gapAround([0, 5, 30, 31, 40, 90], 20, 35, 95)).toBe(25)
    // Nothing after the close: silent until the last message was sent.
    expect(gapAround([0, 5, 10], 20, 40, 100)).toBe(90)
    expect(gapAround([0, 50, 100], 200, 300, 100)).toBe(0)
  })
})
