/**
 * test/bench/results/report.html: one self-contained file (Chart.js inlined, data embedded), no network needed.
 * Chart configs are built here in TypeScript; the page only hands them to Chart.js.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { CONTENDERS, type ContenderName } from '../app/contract.ts'
import type { Outcome, Results, ThroughputResult, VariantResult } from '../results.ts'
import { tableRows, LABELS } from './table.ts'
import { valueOf } from './format.ts'
import { SCALE_HEADER, SIZE_HEADER, scaleCharts, scaleRows, sizeRows } from './scale.ts'

const COLORS: Record<ContenderName, string> = { tabrelay: '#2f7d32', pertab: '#c62828', leader: '#1565c0' }
/** tabrelay's variants (per-message flushing): tabrelay's green, lighter. */
const VARIANT_COLOR = '#81c784'

export interface Dataset { label: string; data: (number | null)[]; backgroundColor?: string; borderColor?: string; stack?: string }
/** One chart, as Chart.js gets it. */
export interface ChartSpec { title: string; type: 'bar' | 'line'; labels: (string | number)[]; datasets: Dataset[]; yTitle: string; isLog?: boolean; isStacked?: boolean }

function finite(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null
}

function perContender(title: string, labels: (string | number)[], yTitle: string, pick: (c: ContenderName) => (number | null)[], type: 'bar' | 'line' = 'bar'): ChartSpec {
  return {
    title, type, labels, yTitle,
    datasets: CONTENDERS.map((c) => ({ label: LABELS[c], data: pick(c), backgroundColor: COLORS[c], borderColor: COLORS[c] })),
  }
}

function series<T>(outcome: Outcome<T>, get: (v: T) => (number | undefined)[]): (number | null)[] {
  const value = valueOf(outcome)
  return value === undefined ? [] : get(value).map(finite)
}

/** A per-contender chart with one more dataset per variant of tabrelay (latency and throughput only). */
function withVariants(spec: ChartSpec, r: Results, pick: (v: VariantResult) => (number | null)[]): ChartSpec {
  const extra = (r.variants ?? []).map((v) => ({ label: v.name, data: pick(v), backgroundColor: VARIANT_COLOR, borderColor: VARIANT_COLOR }))
  return { ...spec, datasets: [...spec.datasets, ...extra] }
}

function charts(r: Results): ChartSpec[] {
  const tabs = [1, 2, 5, 10, 20]
  const all: Outcome<ThroughputResult>[] = [...CONTENDERS.map((c) => r.throughput[c]), ...(r.variants ?? []).map((v) => v.throughput)]
  const rates = [...new Set(all.flatMap((t) => valueOf(t)?.steps.map((s) => s.rateMsgS) ?? []))].sort((a, b) => a - b)
  const steps = (t: Outcome<ThroughputResult>, get: (s: { rateMsgS: number; sent: number; minDelivered: number; endLagMs: number }) => number): (number | null)[] =>
    rates.map((rate) => { const s = valueOf(t)?.steps.find((x) => x.rateMsgS === rate); return s ? finite(get(s)) : null })
  const delivered = (s: { sent: number; minDelivered: number }): number => (100 * s.minDelivered) / Math.max(1, s.sent)
  const endLag = (s: { endLagMs: number }): number => Math.max(0.1, s.endLagMs)
  const latencies = (v: { p50: { median: number }; p95: { median: number }; p99: { median: number } }): number[] => [v.p50.median, v.p95.median, v.p99.median]
  const reloadKeys = [...CONTENDERS, 'tabrelay-no-extended-lifetime']
  return [
    perContender('Server connections by open tabs', tabs, 'connections', (c) => series(r.connections[c], (v) => v.map((x) => x.connections)), 'line'),
    perContender('Server channel joins by open tabs (3 topics each)', tabs, 'channels', (c) => series(r.connections[c], (v) => v.map((x) => x.channels)), 'line'),
    withVariants(perContender('Fan-out latency server → every tab (10 tabs, 100 msg/s), median of rounds', ['p50', 'p95', 'p99'], 'ms', (c) => series(r.latency[c], latencies)), r, (v) => series(v.latency, latencies)),
    withVariants(perContender('Throughput: share delivered to the worst tab, by broadcast rate', rates, '% delivered', (c) => steps(r.throughput[c], delivered), 'line'), r, (v) => steps(v.throughput, delivered)),
    { ...withVariants(perContender('Throughput: lag of the last messages (backlog), by rate', rates, 'ms (log)', (c) => steps(r.throughput[c], endLag), 'line'), r, (v) => steps(v.throughput, endLag)), isLog: true },
    {
      ...perContender('Time to SUBSCRIBED from page script start (local server, then through the RTT proxy)',
        ['first tab', 'new tab', 'new tab, after code load', 'first tab, RTT', 'new tab, RTT', 'new tab after code load, RTT'], 'ms (log)',
        (c) => [...series(r.newTab[c], (v) => [v.firstTab.median, v.newTab.median, v.newTabSubscribe.median]), ...series(r.newTabRtt[c], (v) => [v.firstTab.median, v.newTab.median, v.newTabSubscribe.median])]),
      isLog: true,
    },
    perContender('Owner tab closes during a 200 msg/s stream', ['msgs lost (worst tab)', 'max gap (ms)'], 'count / ms', (c) => series(r.ownerClose[c], (v) => [v.lostWorstTab.median, v.gapMs.median])),
    {
      title: 'Reload of the only tab', type: 'bar', labels: reloadKeys, yTitle: 'ms / connections',
      datasets: [
        { label: 'ms until events flow', data: reloadKeys.map((k) => finite(valueOf(r.reload[k])?.flowMs.median)), backgroundColor: '#6a1b9a' },
        { label: 'new server connections × 100', data: reloadKeys.map((k) => finite((valueOf(r.reload[k])?.newConnections.median ?? Number.NaN) * 100)), backgroundColor: '#ef6c00' },
      ],
    },
    {
      title: 'JS heap after GC, 10 tabs', type: 'bar', labels: CONTENDERS.map((c) => LABELS[c]), yTitle: 'MB', isStacked: true,
      datasets: [
        { label: 'tabs', data: CONTENDERS.map((c) => finite((valueOf(r.memory[c])?.tabsBytes ?? Number.NaN) / 1e6)), backgroundColor: '#546e7a', stack: 'heap' },
        { label: 'SharedWorker', data: CONTENDERS.map((c) => finite((valueOf(r.memory[c])?.workerBytes ?? Number.NaN) / 1e6)), backgroundColor: '#ffb300', stack: 'heap' },
      ],
    },
    {
      title: 'Bundle size, gzip', type: 'bar', labels: CONTENDERS.map((c) => LABELS[c]), yTitle: 'kB', isStacked: true,
      datasets: [
        { label: 'tab side', data: CONTENDERS.map((c) => finite((r.bundles.find((b) => b.contender === c)?.gzipBytes ?? Number.NaN) / 1000)), backgroundColor: '#546e7a', stack: 'size' },
        { label: 'SharedWorker', data: CONTENDERS.map((c) => finite((r.bundles.find((b) => b.contender === c)?.workerGzipBytes ?? Number.NaN) / 1000)), backgroundColor: '#ffb300', stack: 'size' },
      ],
    },
  ]
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function table(header: string[], body: string[][]): string {
  const head = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const rows = body.map((cells) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`
}

// Runs in the report page: turns each spec into a Chart.js chart.
const DRAW = `
const specs = JSON.parse(document.getElementById('specs').textContent);
for (const spec of specs) {
  const box = document.createElement('figure');
  const canvas = document.createElement('canvas');
  box.appendChild(canvas);
  document.getElementById('charts').appendChild(box);
  new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.datasets },
    options: {
      animation: false,
      plugins: { title: { display: true, text: spec.title } },
      scales: {
        x: { stacked: !!spec.isStacked },
        y: { type: spec.isLog ? 'logarithmic' : 'linear', stacked: !!spec.isStacked, title: { display: true, text: spec.yTitle } },
      },
    },
  });
}`

/**
 * The report page.
 * @example
 * await writeFile('test/bench/results/report.html', await renderHtml(results))
 */
export async function renderHtml(r: Results): Promise<string> {
  // The UMD build is not in chart.js's "exports": find it beside the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve('chart.js')
  const chartJs = await readFile(join(dirname(entry), 'chart.umd.min.js'), 'utf8')
  // `<` escaped so no string in the data can close the script element.
  const data = JSON.stringify([...charts(r), ...scaleCharts(r)]).replace(/</g, '\\u003c')
  const figures = table(['scenario', ...CONTENDERS.map((c) => LABELS[c]), 'tabrelay vs per-tab'], tableRows(r))
  const goals = table(['goal', 'tabrelay measured', 'met', 'note'], r.goals.map((g) => [g.goal, g.measured, g.status === 'met' ? 'yes' : g.status === 'missed' ? 'NO' : 'undecided', g.note]))
  const m = r.meta
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tabrelay bench ${escapeHtml(m.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;max-width:1200px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
#charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}figure{margin:0}
</style></head><body>
<h1>tabrelay benchmarks</h1>
<p>${escapeHtml(`${m.command} · ${m.startedAt} · ${m.durationS.toFixed(0)} s · ${m.cpus} cores · Node ${m.node} · Chromium ${m.chromium} · CPU yardstick ${m.yardstickMs.median.toFixed(1)} ms (${m.yardstickMs.min.toFixed(1)}–${m.yardstickMs.max.toFixed(1)}) · cross-origin isolated: ${m.crossOriginIsolated ? 'yes' : 'no'}`)}</p>
<h2>Goals</h2>${goals}
<h2>Figures</h2><p>median (min–max) over repeated rounds</p>${figures}
<h2>Scale (tabrelay)</h2>${table(SCALE_HEADER, scaleRows(r))}
<h2>Bundles per transport</h2>${table(SIZE_HEADER, sizeRows(r))}
<h2>Charts</h2><div id="charts"></div>
<script id="specs" type="application/json">${data}</script>
<script>${chartJs}</script>
<script>${DRAW}</script>
</body></html>
`
}
