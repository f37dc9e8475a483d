/**
 * The A/B table of `npm run bench -- --against <ref>` (ab.ts): per figure the current code, the
 * ref's, and a verdict that claims only what the interval shows. Rounds of both lanes ran back to
 * back, so each figure is decided on the round-by-round differences (most machine noise cancels):
 * `better` or `worse` when the whole median interval of the differences is on one side of zero,
 * else `same within noise`. Throughput ceilings are decided on the lanes' noise bands.
 */
import type { ThroughputResult } from '../results.ts'
import { bandOf, bracketOf, senderLimitOf } from './throughput.ts'
import { medianInterval, type MedianInterval } from './verdict.ts'

/** What a figure says about the current code against the ref (`—`: a ratio to the floor lane, no A/B). */
export type AbVerdict = 'better' | 'worse' | 'same within noise' | 'not measured' | '—'

/** The scenarios `--only` picks from (`scale` is another name for `fanout`). */
export const AB_SCENARIOS = ['throughput', 'burst', 'newtab', 'latency', 'cpu', 'fanout', 'floor'] as const
export type AbScenario = (typeof AB_SCENARIOS)[number]

/**
 * `--only`'s list: comma-separated scenario names; every scenario when absent.
 * @example
 * parseOnly('throughput,newtab') // Set { 'throughput', 'newtab' }
 */
export function parseOnly(value: string | undefined): Set<AbScenario> {
  if (value === undefined) return new Set(AB_SCENARIOS)
  const picked = new Set<AbScenario>()
  for (const raw of value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
    const name = raw === 'scale' || raw === 'fan-out' ? 'fanout' : raw === 'hub-cpu' ? 'cpu' : raw
    const known = AB_SCENARIOS.find((s) => s === name)
    if (known === undefined) throw new Error(`--only: unknown scenario '${raw}' (known: ${AB_SCENARIOS.join(', ')}, scale)`)
    picked.add(known)
  }
  if (picked.size === 0) throw new Error('--only: no scenario named')
  return picked
}

/**
 * One figure of the A/B table; `rounds` keeps the per-round values of both lanes.
 * @example
 * const row: AbFigure = { figure: 'new tab, ms', current: '25.1', against: '31.0', delta: '−5.2 (−7.0…−3.1)', verdict: 'better' }
 */
export interface AbFigure {
  figure: string
  current: string
  against: string
  /** Median of the paired differences (current − against) and its interval, or the bands. */
  delta: string
  verdict: AbVerdict
  rounds?: { current: number[]; against: number[] }
}

/**
 * Round-by-round differences `current[i] − against[i]` (rounds missing on either side left out).
 * @example
 * pairedDifferences([3, 5], [1, 2, 9]) // [2, 3]
 */
export function pairedDifferences(current: readonly number[], against: readonly number[]): number[] {
  return current.flatMap((v, i) => {
    const w = against[i]
    return w === undefined || !Number.isFinite(v) || !Number.isFinite(w) ? [] : [v - w]
  })
}

/**
 * The verdict of paired rounds: the median interval of the differences entirely below zero is
 * `better` for a figure where lower is better (a time, CPU), `worse` for one where higher is.
 * @example
 * pairedVerdict([10, 11, 9, 10, 10], [14, 15, 13, 15, 14], 'lower').verdict // 'better'
 */
export function pairedVerdict(current: readonly number[], against: readonly number[], better: 'lower' | 'higher'): { verdict: AbVerdict; interval: MedianInterval } {
  const interval = medianInterval(pairedDifferences(current, against))
  if (interval.n === 0) return { verdict: 'not measured', interval }
  const isBelow = interval.high < 0
  const isAbove = interval.low > 0
  if (!isBelow && !isAbove) return { verdict: 'same within noise', interval }
  return { verdict: isBelow === (better === 'lower') ? 'better' : 'worse', interval }
}

/**
 * Throughput ceilings: `better` when the current code held, in every trial, a rate the ref missed in
 * every trial (its noise band's low end reaches the ref's band's high end); `worse` the other way.
 * @example
 * ceilingVerdict(current, against) // 'worse' when current's band is 3360–4000 and the ref held 6730 unanimously
 */
export function ceilingVerdict(current: ThroughputResult, against: ThroughputResult): AbVerdict {
  const a = bandOf(current)
  const b = bandOf(against)
  if (a.held > 0 && a.held >= b.missed) return 'better'
  if (b.held > 0 && b.held >= a.missed) return 'worse'
  return 'same within noise'
}

function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—'
}

function signed(v: number, digits: number): string {
  return Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(digits)}` : '—'
}

/**
 * A figure of paired rounds: both lanes' medians and the paired difference with its interval.
 * @example
 * pairedFigure('new tab, code loaded → SUBSCRIBED, ms', [25, 26], [31, 30], 'lower', 1)
 */
export function pairedFigure(figure: string, current: readonly number[], against: readonly number[], better: 'lower' | 'higher', digits = 1): AbFigure {
  const { verdict, interval } = pairedVerdict(current, against, better)
  const median = (values: readonly number[]): number => medianInterval(values).median
  const delta = interval.n === 0 ? '—'
    : `${signed(interval.median, digits)} (${Math.round(100 * interval.coverage)} % ${signed(interval.low, digits)}…${signed(interval.high, digits)}, ${interval.n} pairs)`
  return { figure, current: fixed(median(current), digits), against: fixed(median(against), digits), delta, verdict, rounds: { current: [...current], against: [...against] } }
}

/**
 * A lane's figure as a multiple of the floor lane's (a bare SharedWorker posting one string per
 * batch): the median of the round-by-round ratios, since the floor ran in the same rounds.
 * @example
 * floorFigure('  ÷ floor', [2600, 2700], [2500, 2400], [900, 1000]) // current '2.8×', against '2.6×'
 */
export function floorFigure(figure: string, current: readonly number[], against: readonly number[], floor: readonly number[], digits = 1): AbFigure {
  const ratios = (lane: readonly number[]): number[] => lane.flatMap((v, i) => {
    const f = floor[i]
    return f === undefined || !Number.isFinite(v) || !Number.isFinite(f) || f <= 0 ? [] : [v / f]
  })
  const text = (lane: readonly number[]): string => {
    const m = medianInterval(ratios(lane))
    return m.n === 0 ? '—' : `${m.median.toFixed(1)}× (${m.low.toFixed(1)}…${m.high.toFixed(1)})`
  }
  return { figure, current: text(current), against: text(against), delta: `floor ${fixed(medianInterval(floor).median, digits)}`, verdict: '—' }
}

function bandText(t: ThroughputResult): string {
  const { held, missed } = bracketOf(t)
  const band = bandOf(t)
  const limit = senderLimitOf(t)
  const end = (v: number): string => (Number.isFinite(v) ? String(v) : 'none')
  const limited = limit === undefined ? '' : `, sender-limited at ${limit.rateMsgS} (sent ${limit.achievedMsgS.toFixed(0)}/s)`
  return `${held}–${end(missed)} (band ${band.held}–${end(band.missed)}${limited})`
}

/**
 * The throughput ceiling's figure: held–missed by majority, each lane's noise band, the verdict.
 * @example
 * ceilingFigure('throughput ceiling, 10 tabs, msg/s', current, against)
 */
export function ceilingFigure(figure: string, current: ThroughputResult | string, against: ThroughputResult | string): AbFigure {
  if (typeof current === 'string' || typeof against === 'string') {
    return { figure, current: typeof current === 'string' ? current : bandText(current), against: typeof against === 'string' ? against : bandText(against), delta: '—', verdict: 'not measured' }
  }
  const ratio = bracketOf(against).held > 0 ? `held ${(bracketOf(current).held / bracketOf(against).held).toFixed(2)}× the ref's` : '—'
  return { figure, current: bandText(current), against: bandText(against), delta: ratio, verdict: ceilingVerdict(current, against) }
}

/**
 * The table as Markdown, `current` and the ref's lane as column heads.
 * @example
 * renderAbTable('tabrelay@687211c', 'tabrelay@677b2e4', figures)
 */
export function renderAbTable(currentName: string, againstName: string, figures: readonly AbFigure[]): string {
  const lines = [
    `| figure | ${currentName} | ${againstName} | current − ref (paired) | verdict |`,
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.figure} | ${f.current} | ${f.against} | ${f.delta} | ${f.verdict} |`),
  ]
  return lines.join('\n')
}
