/**
 * Number formatting shared by the table, the goals and the HTML report.
 */
import type { Outcome, Results } from '../results.ts'
import type { Spread } from '../stats.ts'

/**
 * `median (min–max)` with `digits` decimals; a single sample prints alone.
 * @example
 * fmtSpread({ median: 1.23, min: 1, max: 2, n: 3 }, 1) // '1.2 (1.0–2.0)'
 */
export function fmtSpread(s: Spread, digits = 1, unit = ''): string {
  if (s.n === 0) return '—'
  const f = (v: number): string => v.toFixed(digits)
  return s.n === 1 || s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`
}

/**
 * Bytes as kB with one decimal (1 kB = 1000 B).
 * @example
 * kb(5300) // '5.3 kB'
 */
export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`
}

/**
 * Bytes as MB with one decimal.
 * @example
 * mb(2_500_000) // '2.5 MB'
 */
export function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}

/**
 * The value of an outcome through `show`, or its failure text.
 * @example
 * cell(outcome, (v) => v.toFixed(1))
 */
export function cell<T>(outcome: Outcome<T>, show: (value: T) => string): string {
  return outcome.ok ? show(outcome.value) : outcome.failed
}

/**
 * The value of an outcome, or undefined when it failed.
 * @example
 * const latency = valueOf(results.latency.tabrelay)
 */
export function valueOf<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.ok === true ? outcome.value : undefined
}

/**
 * The RTT new tab's floor lane (a bare SharedWorker), code loaded → answered, median ms, and
 * tabrelay's time as a multiple of it; NaN for either when a lane did not run.
 * @example
 * const { floorMs, times } = floorOf(results) // { floorMs: 8.1, times: 1.8 }
 */
export function floorOf(r: Results): { floorMs: number; times: number } {
  const floorMs = r.newTabRttFloor?.ok === true ? r.newTabRttFloor.value.newTabSubscribe.median : Number.NaN
  const mine = valueOf(r.newTabRtt.tabrelay)?.newTabSubscribe.median ?? Number.NaN
  return { floorMs, times: mine / floorMs }
}
