/**
 * The scale scenario as a table and two small charts (how the hub's cost grows with tabs and with
 * topics, and what several users in one profile cost), and the bundle sizes per transport.
 */
import type { Results } from '../results.ts'
import type { ScalePoint } from '../scenarios/scale.ts'
import { fmtSpread, kb, mb, valueOf } from './format.ts'
import type { ChartSpec } from './html.ts'

/**
 * The scale table's columns.
 * @example
 * markdown(SCALE_HEADER, scaleRows(results))
 */
export const SCALE_HEADER = ['users × tabs × topics', 'server connections opened', 'server channel joins', 'hub heap after GC', 'fan-out p50 / p99 ms', 'hub CPU (of which JS) per 1 000 msgs', 'opening one page']

function line(p: ScalePoint): string[] {
  return [
    `${p.users} × ${p.tabs} × ${p.topics}`, String(p.connections), String(p.channels), mb(p.workerHeapBytes),
    `${p.p50Ms.toFixed(2)} / ${p.p99Ms.toFixed(2)}${p.lost > 0 ? ` (${p.lost} lost)` : ''}`, `${p.cpuMsPer1000.toFixed(0)} (${p.jsMsPer1000.toFixed(0)}) ms`, `${fmtSpread(p.openMs, 0)} ms`,
  ]
}

/**
 * Every scale point, tabs series first; a failure as one row.
 * @example
 * const body = scaleRows(results)
 */
export function scaleRows(r: Results): string[][] {
  if (r.scale === undefined) return []
  if (!r.scale.ok) return [[r.scale.failed, '', '', '', '', '', '']]
  const { byTabs, byTopics, users } = r.scale.value
  const seen = new Set<ScalePoint>()
  return [...byTabs, ...byTopics, ...users].filter((p) => !seen.has(p) && seen.add(p)).map(line)
}

function growth(title: string, points: readonly ScalePoint[], by: (p: ScalePoint) => number): ChartSpec {
  const sorted = [...points].sort((a, b) => by(a) - by(b))
  return {
    title, type: 'line', labels: sorted.map(by), yTitle: 'MB / ms (CPU ÷ 10)',
    datasets: [
      { label: 'hub heap MB', data: sorted.map((p) => p.workerHeapBytes / 1e6), borderColor: '#ffb300', backgroundColor: '#ffb300' },
      { label: 'hub CPU ms per 1 000 msgs ÷ 10', data: sorted.map((p) => p.cpuMsPer1000 / 10), borderColor: '#6a1b9a', backgroundColor: '#6a1b9a' },
      { label: 'fan-out p99 ms', data: sorted.map((p) => p.p99Ms), borderColor: '#2f7d32', backgroundColor: '#2f7d32' },
    ],
  }
}

/**
 * The growth charts: by tabs (one user, most topics) and by topics (10 tabs).
 * @example
 * const specs = [...charts(r), ...scaleCharts(r)]
 */
export function scaleCharts(r: Results): ChartSpec[] {
  const scale = valueOf(r.scale)
  if (scale === undefined) return []
  return [
    growth(`tabrelay cost by open tabs (one user, ${scale.byTabs[0]?.topics ?? '?'} topics)`, scale.byTabs, (p) => p.tabs),
    growth(`tabrelay cost by topics (one user, ${scale.byTopics[0]?.tabs ?? '?'} tabs)`, scale.byTopics, (p) => p.topics),
  ]
}

/**
 * The bundle table's columns.
 * @example
 * markdown(SIZE_HEADER, sizeRows(results))
 */
export const SIZE_HEADER = ['bundle (npm run size)', 'gzip', 'realtime-js inside']

/**
 * `npm run size`'s rows as measured in this run.
 * @example
 * const body = sizeRows(results)
 */
export function sizeRows(r: Results): string[][] {
  if (r.sizes === undefined) return []
  if (!r.sizes.ok) return [[r.sizes.failed, '', '']]
  return r.sizes.value.map((b) => [b.name, kb(b.gzipBytes), b.hasRealtimeJs ? 'yes' : 'no'])
}
