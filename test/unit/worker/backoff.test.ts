import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { backoff, DEFAULT_BACKOFF } from '../../../worker/connection/backoff.ts'

const max = (): number => 0.999_999

describe('backoff', () => {
  it('draws from [0, ceiling): random 0 gives 0, random just under 1 gives just under the ceiling', () => {
    expect(backoff(1, () => 0)).toBe(0)
    expect(backoff(5, () => 0)).toBe(0)
    expect(backoff(1, max)).toBe(499)
    expect(backoff(3, () => 0.999)).toBe(1998)
  })

  it('doubles from 0.5 s per attempt and caps at 30 s', () => {
    const table = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((attempt) => backoff(attempt, max))
    expect(table).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999, 29_999])
  })

  it('treats attempt 0 or less like the first attempt and honours a custom policy', () => {
    expect(backoff(0, max)).toBe(499)
    expect(backoff(-3, max)).toBe(499)
    expect(backoff(3, () => 0.5, { baseMs: 100, factor: 3, capMs: 10_000 })).toBe(450)
  })

  it('always lies in [0, min(cap, base·2^(n-1)))', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, r) => {
        const ms = backoff(attempt, () => r)
        const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** (attempt - 1))
        return Number.isInteger(ms) && ms >= 0 && ms < ceiling
      },
    ))
  })
})
