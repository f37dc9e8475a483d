/**
 * Small pure statistics for the bench: percentiles, medians with their spread, a CPU yardstick.
 */

/** A repeated measurement: its median and the min–max the machine's noise gave. */
export interface Spread {
  median: number
  min: number
  max: number
  n: number
}

/**
 * The p-th percentile (0–100) of values, nearest rank; NaN when empty.
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

/**
 * Median plus min–max of finite values; NaNs (failed runs) are left out but counted apart.
 * @example
 * spread([3, 1, 2]) // { median: 2, min: 1, max: 3, n: 3 }
 */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }
  return { median: percentile(finite, 50), min: Math.min(...finite), max: Math.max(...finite), n: finite.length }
}

/**
 * Largest gap between consecutive arrival times, ms (arrivals need not be sorted).
 * @example
 * maxGap([0, 5, 30, 31]) // 25
 */
export function maxGap(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  let gap = 0
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, (sorted[i] ?? 0) - (sorted[i - 1] ?? 0))
  return gap
}

/**
 * Longest silence between consecutive arrivals that overlaps `[from, to]` (arrivals need not be
 * sorted); `end`, when messages were still due until then, closes a trailing silence.
 * @example
 * gapAround([0, 5, 30, 31, 90], 20, 40, 95) // 59: the silence 31 → 90 begins inside the window
 */
export function gapAround(times: readonly number[], from: number, to: number, end: number): number {
  const sorted = [...times, end].sort((a, b) => a - b)
  let gap = 0
  for (let i = 1; i < sorted.length; i++) {
    const start = sorted[i - 1] ?? 0
    const stop = sorted[i] ?? 0
    if (stop >= from && start <= to) gap = Math.max(gap, stop - start)
  }
  return gap
}

/**
 * How many of `firstSeq .. firstSeq + count - 1` are missing from `seqs` (duplicates ignored).
 * @example
 * missing([0, 1, 1, 3], 0, 4) // 1
 */
export function missing(seqs: readonly number[], firstSeq: number, count: number): number {
  const seen = new Set<number>()
  for (const s of seqs) if (s >= firstSeq && s < firstSeq + count) seen.add(s)
  return count - seen.size
}

/**
 * Time of a fixed CPU-bound workload, ms: run it before and after the scenarios to show how
 * noisy the shared cores were during the run.
 * @example
 * const ms = yardstick()
 */
export function yardstick(): number {
  const start = performance.now()
  let acc = 0
  for (let i = 0; i < 3_000_000; i++) acc = (acc + Math.sqrt(i) * 1.000001) % 1_000_003
  // Use the result so the loop cannot be optimised away.
  return acc < 0 ? Number.NaN : performance.now() - start
}

/**
 * A ratio `a / b` rounded for display; `—` when either side is missing.
 * @example
 * ratio(10, 2) // '5.0×'
 */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '—'
  const r = a / b
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}×`
}

/** What one page received in a fan-out round: sequence numbers and their arrival times. */
export interface RoundReceipts {
  received: number[]
  receivedAt: number[]
}

/**
 * Scores one fan-out round: every arrival's latency (the page's and the publisher's clocks put
 * on one timeline by their offsets) and how many of the `count` sent each page missed.
 * @example
 * const { latencies, lost } = scoreRound(lists, side.offsets, sent, serverOffset, 100)
 */
export function scoreRound(lists: readonly RoundReceipts[], offsets: readonly number[], sent: ReadonlyMap<number, number>, serverOffset: number, count: number): { latencies: number[]; lost: number } {
  const latencies: number[] = []
  let lost = 0
  lists.forEach((list, i) => {
    const offset = offsets[i] ?? 0
    list.received.forEach((n, j) => {
      const at = list.receivedAt[j]
      const sentAt = sent.get(n)
      if (at !== undefined && sentAt !== undefined) latencies.push(at - offset - (sentAt - serverOffset))
    })
    lost += count - new Set(list.received.filter((n) => sent.has(n))).size
  })
  return { latencies, lost }
}

/** What a contender's side keeps of its fan-out rounds. */
export interface RoundTally {
  offsets: number[]
  p50: number[]
  p99: number[]
  lost: number
}

/**
 * Scores one fan-out round (see {@link scoreRound}) into the side's tally: its p50, p99 and losses.
 * @example
 * tallyRound(side, await Promise.all(side.pages.map(take)), sent, serverOffset, 100)
 */
export function tallyRound(side: RoundTally, lists: readonly RoundReceipts[], sent: ReadonlyMap<number, number>, serverOffset: number, count: number): void {
  const { latencies, lost } = scoreRound(lists, side.offsets, sent, serverOffset, count)
  side.lost += lost
  side.p50.push(percentile(latencies, 50))
  side.p99.push(percentile(latencies, 99))
}
