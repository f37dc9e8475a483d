/**
 * The throughput rows and goal: each lane's ceiling as its bracket `[held, missed)` from the
 * ladder (scenarios/ladder.ts), with the majority votes that decided both ends, and the range of
 * tabrelay-over-per-tab ratios the two brackets allow.
 */
import type { Goal, Results, ThroughputResult, ThroughputStep } from '../results.ts'
import { valueOf } from './format.ts'
import { atLeast } from './verdict.ts'

const THROUGHPUT_FACTOR = 16

/** A lane's bracket; `missed` is Infinity when every rate up to the top held. */
export interface Bracket { held: number; missed: number }

/**
 * A lane's bracket; older results.json lack `missedMsgS`, so for them its first majority miss.
 * @example
 * bracketOf(result) // { held: 11310, missed: 13450 }
 */
export function bracketOf(t: ThroughputResult): Bracket {
  const missed = t.missedMsgS !== undefined ? t.missedMsgS : (t.steps.find((s) => !s.isSustained)?.rateMsgS ?? null)
  return { held: t.maxSustainedMsgS, missed: missed ?? Number.POSITIVE_INFINITY }
}

/**
 * The range of `a / b` when each ceiling may be anywhere in its bracket; Infinity when `b` held nothing.
 * @example
 * ratioRange({ held: 8000, missed: 11310 }, { held: 350, missed: 500 }) // { low: 16, high: 32.3 }
 */
export function ratioRange(a: Bracket, b: Bracket): { low: number; high: number } {
  return { low: a.held / b.missed, high: b.held === 0 ? Number.POSITIVE_INFINITY : a.missed / b.held }
}

/**
 * `16.0×`, or `∞` for an unbounded end.
 * @example
 * times(22.6) // '22.6×'
 */
export function times(v: number): string {
  return Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×` : '∞'
}

function votes(step: ThroughputStep | undefined): string {
  return step?.trials === undefined ? '' : ` (${step.sustainedTrials ?? 0}/${step.trials})`
}

/**
 * `11310 (2/2) – 13450 (1/3)`: held and missed ends, each with its trials held / run.
 * @example
 * ceilingCell(result)
 */
export function ceilingCell(t: ThroughputResult): string {
  const { held, missed } = bracketOf(t)
  const at = (rate: number): ThroughputStep | undefined => t.steps.find((s) => s.rateMsgS === rate)
  return `${held}${votes(at(held))} – ${Number.isFinite(missed) ? `${missed}${votes(at(missed))}` : 'none missed'}`
}

/**
 * What the lane did at its missed end: loss, backlog, what the sender achieved.
 * @example
 * pastCeiling(result) // '13450/s: 0% lost, end lag 120 ms, sender 13300/s'
 */
export function pastCeiling(t: ThroughputResult): string {
  const { missed } = bracketOf(t)
  const next = t.steps.find((s) => s.rateMsgS === missed)
  if (next === undefined) return `all ${t.steps.length} steps sustained`
  const lossPct = (100 * next.lost) / Math.max(1, next.sent * 10)
  return `${next.rateMsgS}/s: ${lossPct.toFixed(0)}% lost, end lag ${next.endLagMs.toFixed(0)} ms, sender ${next.achievedMsgS.toFixed(0)}/s`
}

/**
 * The `vs per-tab` cell of the ceiling row: ratio of held rates and the range the brackets allow.
 * @example
 * versusCell(results) // '32.3×; range 22.6…45.7×'
 */
export function versusCell(r: Results): string {
  const mine = valueOf(r.throughput.tabrelay)
  const direct = valueOf(r.throughput.pertab)
  if (mine === undefined || direct === undefined) return '—'
  const a = bracketOf(mine)
  const b = bracketOf(direct)
  const range = ratioRange(a, b)
  return `${b.held > 0 ? times(a.held / b.held) : '—'}; range ${times(range.low)}…${times(range.high)}`
}

/**
 * Issue 6's throughput goal, decided by the ratio range: met when even its low end reaches 16×,
 * missed when even its high end does not, else undecided.
 * @example
 * const goal = throughputGoal(results)
 */
export function throughputGoal(r: Results): Goal {
  const goal = `≥${THROUGHPUT_FACTOR}× per-tab sustained throughput at 10 tabs (each ceiling bracketed by majority of 3 interleaved trials)`
  const mine = valueOf(r.throughput.tabrelay)
  const direct = valueOf(r.throughput.pertab)
  if (mine === undefined || direct === undefined) return { goal, measured: 'not measured', status: 'undecided', note: 'a throughput scenario failed' }
  const a = bracketOf(mine)
  const b = bracketOf(direct)
  const ratios = ratioRange(a, b)
  const bounds = (x: Bracket): string => `${x.held}–${Number.isFinite(x.missed) ? x.missed : '∞'}`
  const measured = `ceiling (held–missed) ${bounds(a)} vs ${bounds(b)} msg/s; ratio range ${times(ratios.low)}…${times(ratios.high)}` +
    (b.held > 0 ? ` (held over held ${times(a.held / b.held)})` : '')
  const status = atLeast(ratios, THROUGHPUT_FACTOR)
  const note = status === 'met' ? `even the range's low end is ≥${THROUGHPUT_FACTOR}×`
    : status === 'missed' ? `even the range's high end is under ${THROUGHPUT_FACTOR}×`
      : `the range straddles ${THROUGHPUT_FACTOR}×${b.held === 0 ? ' (per-tab held no rate tried: unbounded above)' : ''}`
  return { goal, measured, status, note }
}
