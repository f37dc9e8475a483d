/**
 * The throughput rows and goal: each lane's ceiling as its bracket `[held, missed)` from the
 * ladder (scenarios/ladder.ts), with the majority votes that decided both ends, and the range of
 * tabrelay-over-per-tab ratios the lanes' noise bands allow. A step whose trials split is inside
 * the lane's noise band (another run may well decide it the other way), so the band reaches out
 * to the nearest steps whose trials all agreed. A sender-limited step (the sender could not offer
 * its rate) is never a miss: the rows say `sender-limited at X`, and a lane that stopped there
 * has no upper end, so the goal cannot be missed on it.
 */
import type { Goal, Results, ThroughputResult, ThroughputStep } from '../results.ts'
import { valueOf } from './format.ts'
import { atLeast } from './verdict.ts'

const THROUGHPUT_FACTOR = 16

/**
 * A lane's bracket; `missed` is Infinity when every rate up to the top held.
 * @example
 * const b: Bracket = { held: 11_310, missed: 13_450 }
 */
export interface Bracket { held: number; missed: number }

/**
 * A lane's bracket; older results.json lack `missedMsgS`, so for them its first majority miss.
 * @example
 * bracketOf(result) // { held: 11310, missed: 13450 }
 */
export function bracketOf(t: ThroughputResult): Bracket {
  const missed = t.missedMsgS !== undefined ? t.missedMsgS : (t.steps.find((s) => !s.isSustained && s.isSenderLimited !== true)?.rateMsgS ?? null)
  return { held: t.maxSustainedMsgS, missed: missed ?? Number.POSITIVE_INFINITY }
}

/**
 * The lowest step between a lane's held and missed ends that its sender could not offer (by
 * majority): the rate where the bench stopped measuring the lane, which is no miss.
 * @example
 * senderLimitOf(result)?.rateMsgS // 16000 when the sender reached 13214/s there
 */
export function senderLimitOf(t: ThroughputResult): ThroughputStep | undefined {
  const { held, missed } = bracketOf(t)
  return t.steps.filter((s) => s.isSenderLimited === true && s.rateMsgS > held && s.rateMsgS < missed).sort((a, b) => a.rateMsgS - b.rateMsgS)[0]
}

/** `sender-limited at 16000 (sent 13214/s)`. */
function limitText(step: ThroughputStep): string {
  return `sender-limited at ${step.rateMsgS} (sent ${step.achievedMsgS.toFixed(0)}/s)`
}

/**
 * A lane's noise band: the highest rate up to its ceiling that every trial held, and the lowest
 * rate from its missed end up that every trial missed; older results.json without votes: the bracket.
 * @example
 * bandOf(result) // { held: 8000, missed: 13450 } when 11310 held 2 of 3
 */
export function bandOf(t: ThroughputResult): Bracket {
  const bracket = bracketOf(t)
  const isUnanimous = (s: ThroughputStep, held: boolean): boolean => s.trials !== undefined && s.sustainedTrials === (held ? s.trials : 0)
  if (t.steps.length === 0 || t.steps.some((s) => s.trials === undefined)) return bracket
  const held = t.steps.filter((s) => s.rateMsgS <= bracket.held && isUnanimous(s, true)).map((s) => s.rateMsgS)
  // A sender-limited step held no trial either, but the lane was not offered its rate: no miss.
  const missed = t.steps.filter((s) => s.rateMsgS >= bracket.missed && s.isSenderLimited !== true && isUnanimous(s, false)).map((s) => s.rateMsgS)
  return { held: Math.max(0, ...held), missed: Math.min(Number.POSITIVE_INFINITY, ...missed) }
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

/** `11.3×…22.4×`; an end no step bounds reads `open`. */
function rangeText(range: { low: number; high: number }): string {
  return `${range.low > 0 ? times(range.low) : 'open'}…${Number.isFinite(range.high) ? times(range.high) : 'open'}`
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
  const limit = senderLimitOf(t)
  const top = Number.isFinite(missed) ? `${missed}${votes(at(missed))}` : limit === undefined ? 'none missed' : ''
  if (limit === undefined) return `${held}${votes(at(held))} – ${top}`
  return `${held}${votes(at(held))} – ${top === '' ? limitText(limit) : `${top}; ${limitText(limit)}`}`
}

/**
 * What the lane did at its missed end: loss, backlog, what the sender achieved.
 * @example
 * pastCeiling(result) // '13450/s: 0% lost, end lag 120 ms, sender 13300/s'
 */
export function pastCeiling(t: ThroughputResult): string {
  const { missed } = bracketOf(t)
  const next = t.steps.find((s) => s.rateMsgS === missed)
  const limit = senderLimitOf(t)
  const parts = [limit, next].flatMap((step) => (step === undefined ? [] : [stepText(step)]))
  return parts.length === 0 ? `all ${t.steps.length} steps sustained` : parts.join('; ')
}

/**
 * What a step's median trial did: the tabs, then the sender (its CPU and its wait for a core, when recorded).
 * @example
 * stepText(step) // '16000/s: 0% lost, end lag 163 ms, sender 15880/s (its CPU 290 ms, waited 135 ms for a core, in 806 ms)'
 */
export function stepText(step: ThroughputStep): string {
  const lossPct = (100 * step.lost) / Math.max(1, step.sent * 10)
  const cpu = step.sender === undefined ? '' : ` (its CPU ${step.sender.cpuMs.toFixed(0)} ms, waited ${step.sender.waitMs.toFixed(0)} ms for a core, in ${step.sender.elapsedMs.toFixed(0)} ms)`
  return `${step.isSenderLimited === true ? 'sender-limited at ' : ''}${step.rateMsgS}/s: ${lossPct.toFixed(0)}% lost, end lag ${step.endLagMs.toFixed(0)} ms, sender ${step.achievedMsgS.toFixed(0)}/s${cpu}`
}

/**
 * The `vs per-tab` cell of the ceiling row: ratio of held rates and the range the noise bands allow.
 * @example
 * versusCell(results) // '32.3×; range 22.6…45.7×'
 */
export function versusCell(r: Results): string {
  const mine = valueOf(r.throughput.tabrelay)
  const direct = valueOf(r.throughput.pertab)
  if (mine === undefined || direct === undefined) return '—'
  const a = bracketOf(mine)
  const b = bracketOf(direct)
  const range = ratioRange(bandOf(mine), bandOf(direct))
  return `${b.held > 0 ? times(a.held / b.held) : '—'}; range ${rangeText(range)}`
}

/**
 * Issue 6's throughput goal, decided by the ratio range the noise bands allow: met when even its
 * low end reaches 16×, missed when even its high end does not, else undecided.
 * @example
 * const goal = throughputGoal(results)
 */
export function throughputGoal(r: Results): Goal {
  const goal = `≥${THROUGHPUT_FACTOR}× per-tab sustained throughput at 10 tabs (ceilings bracketed over interleaved trials)`
  const mine = valueOf(r.throughput.tabrelay)
  const direct = valueOf(r.throughput.pertab)
  if (mine === undefined || direct === undefined) return { goal, measured: 'not measured', status: 'undecided', note: 'a throughput scenario failed' }
  const a = bracketOf(mine)
  const b = bracketOf(direct)
  const ratios = ratioRange(bandOf(mine), bandOf(direct))
  const bounds = (x: Bracket): string => `${x.held}–${Number.isFinite(x.missed) ? x.missed : '(no rate above missed by every trial)'}`
  const measured = `ceiling (held–missed, majority) ${bounds(a)} vs ${bounds(b)} msg/s, noise band (every trial agreed) ${bounds(bandOf(mine))} vs ${bounds(bandOf(direct))}; ` +
    `ratio range ${rangeText(ratios)}${b.held > 0 ? ` (held over held ${times(a.held / b.held)})` : ''}`
  const status = atLeast(ratios, THROUGHPUT_FACTOR)
  // A lane whose climb ended where the sender could not offer the rate has no upper end there: say so.
  const limits = [['tabrelay', senderLimitOf(mine)], ['per-tab', senderLimitOf(direct)]] as const
  const limited = limits.flatMap(([lane, step]) => (step === undefined ? [] : [`${lane} ${limitText(step)}`]))
  const note = status === 'met' ? `even the range's low end is ≥${THROUGHPUT_FACTOR}×`
    : status === 'missed' ? `even the range's high end is under ${THROUGHPUT_FACTOR}×`
      : `the range straddles ${THROUGHPUT_FACTOR}×${b.held === 0 ? ' (per-tab held no rate tried: unbounded above)' : ''}`
  const why = limited.length === 0 ? '' : `; ${limited.join(', ')}: the bench's sender could not offer that rate, so it counts as no miss`
  return { goal, measured: limited.length === 0 ? measured : `${measured}; ${limited.join(', ')}`, status, note: `${note}${why}` }
}
