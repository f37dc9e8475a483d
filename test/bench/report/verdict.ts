/**
 * How a goal is decided from noisy measurements, so that a verdict claims only what the data
 * shows: `met` when the whole interval is on the goal's side, `missed` when the whole interval is
 * past it, `undecided` when the interval straddles the limit (the machine's noise is larger than
 * the distance to the goal). Two runs can then disagree only if one interval moved past the limit.
 */
import type { Goal } from '../results.ts'
import { percentile } from '../stats.ts'

/**
 * The median of repeated values and a distribution-free interval around it.
 * @example
 * const m: MedianInterval = medianInterval([0.1, -0.2, 0.4])
 */
export interface MedianInterval { median: number; low: number; high: number; n: number; coverage: number }

/** Chance that Binomial(n, ½) ≤ k. */
function binomialAtMost(n: number, k: number): number {
  let term = 0.5 ** n
  let sum = term
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i
    sum += term
  }
  return sum
}

/**
 * The median and the narrowest order-statistic interval `[x(k), x(n−k+1)]` that holds the true
 * median with at least `confidence` (it assumes nothing about the distribution: each value is
 * above the median with chance ½); with too few values for that, min–max and its own coverage.
 * @example
 * medianInterval([3, 1, 2, 5, 4, 9, 0, 2]) // { median: 2, low: 1, high: 5, n: 8, coverage: 0.93 }
 */
export function medianInterval(values: readonly number[], confidence = 0.9): MedianInterval {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0, coverage: 0 }
  let k = 1
  while (k + 1 <= n / 2 && 1 - 2 * binomialAtMost(n, k) >= confidence) k++
  return {
    median: percentile(sorted, 50), low: sorted[k - 1] ?? Number.NaN, high: sorted[n - k] ?? Number.NaN, n,
    coverage: n === 1 ? 0 : 1 - 2 * binomialAtMost(n, k - 1),
  }
}

/**
 * Round-by-round ratios `numerators[i] / denominators[i]` (rounds of two lanes run back to back),
 * their median and its interval; rounds missing on either side are left out.
 * @example
 * pairedRatios([160, 170, 150], [16, 10, 15]) // median 10, low 10, high 17, n 3
 */
export function pairedRatios(numerators: readonly number[], denominators: readonly number[]): MedianInterval {
  const n = Math.min(numerators.length, denominators.length)
  const ratios: number[] = []
  for (let i = 0; i < n; i++) ratios.push((numerators[i] ?? Number.NaN) / (denominators[i] ?? Number.NaN))
  return medianInterval(ratios)
}

/**
 * A limit the measured value must stay at or under (a latency slack): decided by the interval.
 * @example
 * atMost({ low: -0.2, high: 0.1 }, 0.3) // 'met'
 */
export function atMost(interval: { low: number; high: number }, limit: number): Goal['status'] {
  if (!Number.isFinite(interval.low) || !Number.isFinite(interval.high)) return 'undecided'
  if (interval.high <= limit) return 'met'
  return interval.low > limit ? 'missed' : 'undecided'
}

/**
 * A limit the measured value must reach (a speed-up factor); `high` may be Infinity (unbounded).
 * @example
 * atLeast({ low: 22, high: 45 }, 16) // 'met'
 */
export function atLeast(interval: { low: number; high: number }, limit: number): Goal['status'] {
  if (Number.isNaN(interval.low) || Number.isNaN(interval.high)) return 'undecided'
  if (interval.low >= limit) return 'met'
  return interval.high < limit ? 'missed' : 'undecided'
}

/**
 * Several conditions that must all hold: missed if one is, met if all are, else undecided.
 * @example
 * all(['met', 'undecided']) // 'undecided'
 */
export function all(statuses: readonly Goal['status'][]): Goal['status'] {
  if (statuses.includes('missed')) return 'missed'
  return statuses.every((s) => s === 'met') ? 'met' : 'undecided'
}
