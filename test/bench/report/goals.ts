/**
 * Issue 6's goals, measured against this run: where tabrelay stands, and by how much it misses.
 * Reported, never asserted.
 */
import type { Goal, Results } from '../results.ts'
import { fmtSpread, kb, valueOf } from './format.ts'

const P50_SLACK_MS = 0.3
const THROUGHPUT_FACTOR = 5
const NEW_TAB_FACTOR = 10
const BUNDLE_BUDGET_BYTES = 5_000
/** A gap this much above per-tab's (whose tabs are untouched by the close) counts as a gap. */
const GAP_SLACK_MS = 10

function unmeasured(goal: string, why: string): Goal {
  return { goal, measured: 'not measured', isMet: false, note: why }
}

/**
 * Evaluates every goal from the results.
 * @example
 * results.goals = evaluateGoals(results)
 */
export function evaluateGoals(r: Results): Goal[] {
  return [connections(r), latency(r), throughput(r), newTab(r), ownerClose(r), reload(r), bundle(r)]
}

function connections(r: Results): Goal {
  const goal = '1 connection for any tab count'
  const rows = valueOf(r.connections.tabrelay)
  if (rows === undefined) return unmeasured(goal, r.connections.tabrelay.ok ? '' : r.connections.tabrelay.failed)
  const worst = Math.max(...rows.map((x) => x.connections))
  const measured = rows.map((x) => `${x.tabs}→${x.connections}`).join(', ')
  return { goal, measured, isMet: rows.every((x) => x.connections === 1), note: worst > 1 ? `misses by ${worst - 1} extra connection(s)` : '' }
}

function latency(r: Results): Goal {
  const goal = `p50 fan-out within +${P50_SLACK_MS} ms of per-tab direct`
  const mine = valueOf(r.latency.tabrelay)
  const direct = valueOf(r.latency.pertab)
  if (mine === undefined || direct === undefined) return unmeasured(goal, 'a latency scenario failed')
  const delta = mine.p50.median - direct.p50.median
  const measured = `${fmtSpread(mine.p50, 2)} vs ${fmtSpread(direct.p50, 2)} ms (Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms)`
  const isMet = delta <= P50_SLACK_MS
  return { goal, measured, isMet, note: isMet ? '' : `misses by ${(delta - P50_SLACK_MS).toFixed(2)} ms` }
}

function throughput(r: Results): Goal {
  const goal = `≥${THROUGHPUT_FACTOR}× per-tab throughput at 10 tabs`
  const mine = valueOf(r.throughput.tabrelay)
  const direct = valueOf(r.throughput.pertab)
  if (mine === undefined || direct === undefined) return unmeasured(goal, 'a throughput scenario failed')
  const measured = `${mine.maxSustainedMsgS} vs ${direct.maxSustainedMsgS} msg/s`
  if (direct.maxSustainedMsgS === 0) {
    return { goal, measured, isMet: mine.maxSustainedMsgS > 0, note: 'per-tab sustained no step; the ratio is unbounded' }
  }
  const factor = mine.maxSustainedMsgS / direct.maxSustainedMsgS
  const isMet = factor >= THROUGHPUT_FACTOR
  const topped = mine.steps.every((s) => s.isSustained) ? '; tabrelay sustained every step, so its ceiling is above the highest step' : ''
  return { goal, measured: `${measured} (${factor.toFixed(1)}×)`, isMet, note: (isMet ? '' : `misses by ${(THROUGHPUT_FACTOR - factor).toFixed(1)}×`) + topped }
}

function newTab(r: Results): Goal {
  const goal = `new tab ≥${NEW_TAB_FACTOR}× faster to SUBSCRIBED`
  const mine = valueOf(r.newTab.tabrelay)
  const direct = valueOf(r.newTab.pertab)
  if (mine === undefined || direct === undefined) return unmeasured(goal, 'a new-tab scenario failed')
  const factor = direct.newTab.median / mine.newTab.median
  const isMet = factor >= NEW_TAB_FACTOR
  const measured = `${fmtSpread(mine.newTab, 1)} vs ${fmtSpread(direct.newTab, 1)} ms (${factor.toFixed(1)}×)`
  return { goal, measured, isMet, note: isMet ? '' : `misses by ${(NEW_TAB_FACTOR - factor).toFixed(1)}×` }
}

function ownerClose(r: Results): Goal {
  const goal = '0 lost and no gap when the oldest tab closes'
  const mine = valueOf(r.ownerClose.tabrelay)
  const direct = valueOf(r.ownerClose.pertab)
  if (mine === undefined) return unmeasured(goal, r.ownerClose.tabrelay.ok ? '' : r.ownerClose.tabrelay.failed)
  const lost = mine.lostWorstTab.max
  const baseline = direct?.gapMs.median ?? Number.NaN
  const extraGap = mine.gapMs.median - baseline
  const hasGap = Number.isFinite(extraGap) && extraGap > GAP_SLACK_MS
  const notes = [lost > 0 ? `lost up to ${lost} msg per tab` : '', hasGap ? `gap ${extraGap.toFixed(0)} ms above per-tab's` : '']
  return {
    goal, measured: `lost ${fmtSpread(mine.lostWorstTab, 0)}, gap ${fmtSpread(mine.gapMs, 1)} ms (per-tab gap ${fmtSpread(direct?.gapMs ?? { median: Number.NaN, min: 0, max: 0, n: 0 }, 1)} ms)`,
    isMet: lost === 0 && !hasGap, note: notes.filter((n) => n !== '').join('; '),
  }
}

function reload(r: Results): Goal {
  const goal = '0 new connections on a single-tab reload'
  const outcome = r.reload['tabrelay']
  const mine = valueOf(outcome)
  if (mine === undefined) return unmeasured(goal, outcome !== undefined && !outcome.ok ? outcome.failed : '')
  const worst = mine.newConnections.max
  return { goal, measured: `${fmtSpread(mine.newConnections, 0)} new, events again after ${fmtSpread(mine.flowMs, 0)} ms`, isMet: worst === 0, note: worst > 0 ? `misses by ${worst} connection(s) per reload` : '' }
}

function bundle(r: Results): Goal {
  const goal = 'tab bundle ≤5 kB gz'
  const mine = r.bundles.find((b) => b.contender === 'tabrelay')
  if (mine === undefined) return unmeasured(goal, 'no bundle measured')
  const isMet = mine.gzipBytes <= BUNDLE_BUDGET_BYTES && !mine.hasSupabase
  const notes = [mine.gzipBytes > BUNDLE_BUDGET_BYTES ? `misses by ${kb(mine.gzipBytes - BUNDLE_BUDGET_BYTES)}` : '', mine.hasSupabase ? 'supabase-js is in the tab bundle' : '']
  return { goal, measured: `${kb(mine.gzipBytes)} gz`, isMet, note: notes.filter((n) => n !== '').join('; ') }
}
