/**
 * Rows and the goal for tabrelay without SharedWorker ("tabrelay (tab host)"): a host tab's
 * dedicated Worker runs the hub for every tab. Set beside the leader-tab relay, the other design
 * that keeps one connection without SharedWorker.
 */
import type { Goal, Results } from '../results.ts'
import { cell, fmtSpread, valueOf } from './format.ts'

type Row = [string, string, string, string, string]

/**
 * The tab host's rows: connections at 10 tabs, fan-out, host tab closing (vs the leader-tab relay).
 * @example
 * const rows = tabHostRows(results)
 */
export function tabHostRows(r: Results): Row[] {
  const host = r.tabHost
  if (host === undefined) return []
  const leaderConn = valueOf(r.connections.leader)?.find((x) => x.tabs === 10)
  const leaderClose = valueOf(r.ownerClose.leader)
  return [
    ['server connections @ 10 tabs, tabrelay (tab host)', cell(host.connections, (v) => String(v.connections)), '', leaderConn === undefined ? '' : String(leaderConn.connections), 'vs leader-tab relay'],
    ['fan-out p50 / p95 / p99 ms, tabrelay (tab host)', cell(host.latency, (v) => `${fmtSpread(v.p50, 2)} / ${v.p95.median.toFixed(2)} / ${v.p99.median.toFixed(2)}`), '', '', ''],
    ['host tab closes: msgs lost (worst tab) / max gap ms, tabrelay (tab host)', cell(host.ownerClose, (v) => `${fmtSpread(v.lostWorstTab, 0)} / ${fmtSpread(v.gapMs, 1)}`), '',
      leaderClose === undefined ? '' : `${fmtSpread(leaderClose.lostWorstTab, 0)} / ${fmtSpread(leaderClose.gapMs, 1)}`, 'vs leader-tab relay, rounds interleaved'],
  ]
}

/**
 * Issue 16's goal: without SharedWorker, still one connection, and nothing lost when the host tab closes.
 * @example
 * goals.push(tabHostGoal(results))
 */
export function tabHostGoal(r: Results): Goal {
  const goal = 'tab host (no SharedWorker): 1 connection @ 10 tabs, 0 lost when the host tab closes'
  const conn = valueOf(r.tabHost?.connections)
  const close = valueOf(r.tabHost?.ownerClose)
  if (conn === undefined || close === undefined) return { goal, measured: 'not measured', status: 'undecided', note: 'the tab host fleet failed or did not run' }
  const lost = close.lostWorstTab.max
  const isMet = conn.connections === 1 && lost === 0
  const notes = [conn.connections !== 1 ? `${conn.connections} connections` : '', lost > 0 ? `lost up to ${lost} msg per tab` : '']
  return { goal, measured: `${conn.connections} conn; lost ${fmtSpread(close.lostWorstTab, 0)}, gap ${fmtSpread(close.gapMs, 1)} ms`, status: isMet ? 'met' : 'missed', note: notes.filter((n) => n !== '').join('; ') }
}
