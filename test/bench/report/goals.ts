/**
 * Issue 6's goals, measured against this run: where tabrelay stands, and by how much it misses.
 * Reported, never asserted.
 */
import type { Goal, Results } from '../results.ts'
import { floorOf, fmtSpread, kb, valueOf } from './format.ts'
import { tabHostGoal } from './hosts.ts'
import { sseGoal } from './sse.ts'
import { throughputGoal } from './throughput.ts'
import { all, atLeast, atMost, medianInterval, pairedRatios, type MedianInterval } from './verdict.ts'
import { websocketGoal } from './websocket.ts'

const P50_SLACK_MS = 0.3
const P99_SLACK_MS = 0.5
const NEW_TAB_FACTOR = 10
const BUNDLE_BUDGET_BYTES = 5_000
/** A gap this much above per-tab's in the same round (whose tabs are untouched by the close) counts as a gap. */
const GAP_SLACK_MS = 10

function unmeasured(goal: string, why: string): Goal {
  return { goal, measured: 'not measured', status: 'undecided', note: why }
}

function verdict(isMet: boolean): Goal['status'] {
  return isMet ? 'met' : 'missed'
}

/**
 * Evaluates every goal from the results.
 * @example
 * results.goals = evaluateGoals(results)
 */
export function evaluateGoals(r: Results): Goal[] {
  return [connections(r), latency(r), throughputGoal(r), newTab(r, 'newTab', 'local server'), newTab(r, 'newTabRtt', 'RTT'), ownerClose(r), tabHostGoal(r), sseGoal(r), websocketGoal(r), reload(r), bundle(r)]
}

function connections(r: Results): Goal {
  const goal = '1 connection for any tab count'
  const rows = valueOf(r.connections.tabrelay)
  if (rows === undefined) return unmeasured(goal, r.connections.tabrelay.ok ? '' : r.connections.tabrelay.failed)
  const worst = Math.max(...rows.map((x) => x.connections))
  const measured = rows.map((x) => `${x.tabs}→${x.connections}`).join(', ')
  return { goal, measured, status: verdict(rows.every((x) => x.connections === 1)), note: worst > 1 ? `misses by ${worst - 1} extra connection(s)` : '' }
}

/** Round-by-round differences `a − b`: round i of both ran back to back, so most machine noise cancels. */
function paired(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  return (a ?? []).flatMap((v, i) => { const d = b?.[i]; return d === undefined ? [] : [v - d] })
}

const sign = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`
const pct = (coverage: number): string => `${Math.round(100 * coverage)} %`

/** `+0.12 (95 % interval -0.10…+0.30)`: a paired median and its order-statistic interval. */
function fmtInterval(m: MedianInterval): string {
  return `${sign(m.median)} (${pct(m.coverage)} interval ${sign(m.low)}…${sign(m.high)})`
}

/** Why a part of a goal came out as it did, in words. */
function because(what: string, m: MedianInterval, limit: string, status: Goal['status']): string {
  if (status === 'met') return ''
  if (status === 'missed') return `${what} missed: its whole interval ${sign(m.low)}…${sign(m.high)} ms is above ${limit}`
  return `${what} undecided: its interval ${sign(m.low)}…${sign(m.high)} ms straddles ${limit} (the rounds' noise is larger than the slack)`
}

function latency(r: Results): Goal {
  const goal = `fan-out p50 / p99 within +${P50_SLACK_MS} / +${P99_SLACK_MS} ms of per-tab direct (100 msg/s)`
  const mine = valueOf(r.latency.tabrelay)
  const direct = valueOf(r.latency.pertab)
  if (mine === undefined || direct === undefined) return unmeasured(goal, 'a latency scenario failed')
  // The median of the paired differences is robust to a noisy round; its interval says how sure it is.
  const p50 = medianInterval(paired(mine.p50Rounds, direct.p50Rounds))
  const p99 = medianInterval(paired(mine.p99Rounds, direct.p99Rounds))
  const s50 = atMost(p50, P50_SLACK_MS)
  const s99 = atMost(p99, P99_SLACK_MS)
  const measured = `p50 ${fmtSpread(mine.p50, 2)} vs ${fmtSpread(direct.p50, 2)} ms, paired Δ ${fmtInterval(p50)}; ` +
    `p99 ${mine.p99.median.toFixed(2)} vs ${direct.p99.median.toFixed(2)} ms, paired Δ ${fmtInterval(p99)}; ${p50.n} paired rounds`
  const notes = [because('p50', p50, `+${P50_SLACK_MS}`, s50), because('p99', p99, `+${P99_SLACK_MS}`, s99)]
  return { goal, measured, status: all([s50, s99]), note: notes.filter((n) => n !== '').join('; ') }
}

/**
 * Over the RTT proxy the goal is read from code loaded (issue 29): loading the code is the page's
 * own fetch, the same for every contender, and what the library decides starts after it. On the
 * local server it is read from script start, as before.
 */
function newTab(r: Results, key: 'newTab' | 'newTabRtt', where: string): Goal {
  const mine = valueOf(r[key].tabrelay)
  const direct = valueOf(r[key].pertab)
  const label = where === 'RTT' ? `${mine?.rttMs ?? direct?.rttMs ?? '?'} ms RTT, from code loaded` : where
  const goal = `new tab ≥${NEW_TAB_FACTOR}× faster to SUBSCRIBED (${label})`
  if (mine === undefined || direct === undefined) return unmeasured(goal, 'a new-tab scenario failed')
  const factor = direct.newTab.median / mine.newTab.median
  const connectFactor = direct.newTabSubscribe.median / mine.newTabSubscribe.median
  const { floorMs, times } = key === 'newTabRtt' ? floorOf(r) : { floorMs: Number.NaN, times: Number.NaN }
  const floorText = Number.isFinite(floorMs) ? `; the floor lane (a bare SharedWorker) ${floorMs.toFixed(1)} ms, tabrelay ${times.toFixed(1)}× it` : ''
  const measured = `${fmtSpread(mine.newTab, 1)} vs ${fmtSpread(direct.newTab, 1)} ms (${factor.toFixed(1)}×); after code load ${mine.newTabSubscribe.median.toFixed(1)} vs ${direct.newTabSubscribe.median.toFixed(1)} ms (${connectFactor.toFixed(1)}×)${floorText}`
  if (where !== 'RTT') {
    const isMet = factor >= NEW_TAB_FACTOR
    return { goal, measured, status: verdict(isMet), note: isMet ? '' : `misses by ${(NEW_TAB_FACTOR - factor).toFixed(1)}× (script start includes loading the contender's code)` }
  }
  // Interleaved rounds: decided on the round-by-round ratios' interval, as the other paired goals.
  const paired = pairedRatios(direct.fromLoadRounds ?? [], mine.fromLoadRounds ?? [])
  if (paired.n < 3) return { goal, measured, status: verdict(connectFactor >= NEW_TAB_FACTOR), note: 'medians only: no per-round figures to pair' }
  const status = atLeast(paired, NEW_TAB_FACTOR)
  const pairedText = `round by round ${paired.median.toFixed(1)}× (${Math.round(paired.coverage * 100)} % interval ${paired.low.toFixed(1)}…${paired.high.toFixed(1)}×, ${paired.n} rounds)`
  return { goal, measured: `${measured}; ${pairedText}`, status, note: status === 'met' ? '' : status === 'missed' ? `even the interval's high end is under ${NEW_TAB_FACTOR}×` : `the interval straddles ${NEW_TAB_FACTOR}×` }
}

function ownerClose(r: Results): Goal {
  const goal = '0 lost and no gap when the oldest tab closes'
  const mine = valueOf(r.ownerClose.tabrelay)
  const direct = valueOf(r.ownerClose.pertab)
  if (mine === undefined) return unmeasured(goal, r.ownerClose.tabrelay.ok ? '' : r.ownerClose.tabrelay.failed)
  const lost = mine.lostWorstTab.max
  // Closing any page stalls the others for a while on this machine (per-tab's tabs, which the close
  // does not concern, see the same), so a gap is tabrelay's only by how much its round exceeds the
  // per-tab round right beside it.
  const gap = medianInterval(paired(mine.rounds.map((x) => x.gapMs), direct?.rounds.map((x) => x.gapMs)))
  const hasGap = atMost(gap, GAP_SLACK_MS)
  const notes = [lost > 0 ? `lost up to ${lost} msg per tab` : '', because('gap', gap, `+${GAP_SLACK_MS}`, hasGap)]
  return {
    goal, measured: `lost ${fmtSpread(mine.lostWorstTab, 0)}, gap ${fmtSpread(mine.gapMs, 1)} ms vs per-tab ${fmtSpread(direct?.gapMs ?? { median: Number.NaN, min: 0, max: 0, n: 0 }, 1)} ms, paired Δ ${fmtInterval(gap)}`,
    status: all([lost === 0 ? 'met' : 'missed', hasGap]), note: notes.filter((n) => n !== '').join('; '),
  }
}

function reload(r: Results): Goal {
  const goal = '0 new connections on a single-tab reload'
  const outcome = r.reload['tabrelay']
  const mine = valueOf(outcome)
  if (mine === undefined) return unmeasured(goal, outcome !== undefined && !outcome.ok ? outcome.failed : '')
  const worst = mine.newConnections.max
  return { goal, measured: `${fmtSpread(mine.newConnections, 0)} new, events again after ${fmtSpread(mine.flowMs, 0)} ms`, status: verdict(worst === 0), note: worst > 0 ? `misses by ${worst} connection(s) per reload` : '' }
}

function bundle(r: Results): Goal {
  const goal = 'tab bundle ≤5 kB gz'
  const mine = r.bundles.find((b) => b.contender === 'tabrelay')
  if (mine === undefined) return unmeasured(goal, 'no bundle measured')
  const isMet = mine.gzipBytes <= BUNDLE_BUDGET_BYTES && !mine.hasSupabase
  const notes = [mine.gzipBytes > BUNDLE_BUDGET_BYTES ? `misses by ${kb(mine.gzipBytes - BUNDLE_BUDGET_BYTES)}` : '', mine.hasSupabase ? 'supabase-js is in the tab bundle' : '']
  return { goal, measured: `${kb(mine.gzipBytes)} gz`, status: verdict(isMet), note: notes.filter((n) => n !== '').join('; ') }
}
