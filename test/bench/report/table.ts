/**
 * The results as Markdown: printed by `npm run bench`, pasted into docs/develop/benchmarks.md, shown in the report.
 */
import type { ContenderName } from '../app/contract.ts'
import type { LatencyResult, NewTabResult, Outcome, Results, VariantResult } from '../results.ts'
import { ratio, spread, type Spread } from '../stats.ts'
import { cell, floorOf, fmtSpread, kb, mb, valueOf } from './format.ts'
import { ceilingCell, pastCeiling, versusCell } from './throughput.ts'
import { medianInterval } from './verdict.ts'
import { tabHostRows } from './hosts.ts'
import { sseRows } from './sse.ts'
import { websocketRows } from './websocket.ts'
import { SCALE_HEADER, SIZE_HEADER, scaleRows, sizeRows } from './scale.ts'

const THROUGHPUT_NOTE = 'doubled from 500 msg/s (halved when 500 misses) to the first majority miss, then bisected (√2, 2^¼) for tabrelay and per-tab; each step up to 3 trials per lane, lanes interleaved trial by trial, stopping once 2 agree; a step most of whose trials the sender could not offer (under 90 % of the rate) is sender-limited, no miss'

const LABELS: Record<ContenderName, string> = { tabrelay: 'tabrelay', pertab: 'per-tab supabase-js', leader: 'leader-tab relay' }

type Row = [string, string, string, string, string]

function row(label: string, pick: (c: ContenderName) => string, versus: string): Row {
  return [label, pick('tabrelay'), pick('pertab'), pick('leader'), versus]
}

function num<T>(outcome: Outcome<T> | undefined, get: (value: T) => number): number {
  return outcome?.ok === true ? get(outcome.value) : Number.NaN
}

/** `load 18 → worker 19 → hello 30 → subscribed 40`: where a new tab's time goes. */
function phasesCell(v: NewTabResult): string {
  return Object.entries(v.phases ?? {}).map(([name, at]) => `${name} ${at.median.toFixed(1)}`).join(' → ')
}

/** The floor lane's new tabs (a bare SharedWorker: connect and one answer) beside the contenders. */
function floorRows(r: Results, rtt: number): Row[] {
  const floor = r.newTabRttFloor
  if (floor === undefined) return []
  const text = cell(floor, (v) => `${fmtSpread(v.newTabSubscribe, 1)} after code load; ${phasesCell(v)}`)
  const { times } = floorOf(r)
  return [[`  floor lane (bare SharedWorker), new tab, ${rtt} ms RTT`, text, '', '', Number.isFinite(times) ? `tabrelay ${times.toFixed(1)}× the floor` : '']]
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`
}

/**
 * Round-by-round p50 differences `a − b`, median (min–max): round i of both ran back to back, so
 * most machine noise cancels. `n` 0 when no round pairs up.
 * @example
 * pairedP50(variant, tabrelay).median // -0.12
 */
export function pairedP50(a: LatencyResult, b: LatencyResult): Spread {
  return spread(a.p50Rounds.flatMap((v, i) => { const d = b.p50Rounds[i]; return d === undefined ? [] : [v - d] }))
}

function only(label: string, value: string, versus: string): Row {
  return [label, value, '', '', versus]
}

/** A variant's latency beside tabrelay's default batching. */
function variantLatency(r: Results, v: VariantResult): Row {
  const batched = valueOf(r.latency.tabrelay)
  const mine = valueOf(v.latency)
  let versus = ''
  if (mine !== undefined && batched !== undefined) {
    const paired = pairedP50(mine, batched)
    versus = `vs batched: Δ p50 ${signed(paired.median)} (${signed(paired.min)}…${signed(paired.max)}, ${paired.n} paired rounds) / ` +
      `p95 ${signed(mine.p95.median - batched.p95.median)} / p99 ${signed(mine.p99.median - batched.p99.median)} ms`
  }
  return only(`fan-out p50 / p95 / p99 ms, ${v.name}`, cell(v.latency, (x) => `${fmtSpread(x.p50, 2)} / ${x.p95.median.toFixed(2)} / ${x.p99.median.toFixed(2)}`), versus)
}

/** A variant's throughput beside tabrelay's default batching. */
function variantThroughput(r: Results, v: VariantResult): Row[] {
  const batched = valueOf(r.throughput.tabrelay)
  const mine = valueOf(v.throughput)
  // Batching that held every step has a ceiling above the top step: the factor is then a lower bound.
  const isBound = batched?.steps.every((s) => s.isSustained) ?? false
  const versus = mine === undefined || batched === undefined ? ''
    : `batched sustains ${isBound ? '≥' : ''}${ratio(batched.maxSustainedMsgS, mine.maxSustainedMsgS)} more${isBound ? ` (it held every step to ${batched.maxSustainedMsgS})` : ''}`
  return [
    only(`max sustained msg/s, ${v.name}`, cell(v.throughput, ceilingCell), versus),
    only(`  past the ceiling, ${v.name}`, cell(v.throughput, pastCeiling), ''),
  ]
}

function rows(r: Results): Row[] {
  const conn = (c: ContenderName, key: 'connections' | 'channels'): string => cell(r.connections[c], (v) => v.map((x) => x[key]).join(' / '))
  const last = (c: ContenderName, key: 'connections' | 'channels'): number => num(r.connections[c], (v) => v[v.length - 1]?.[key] ?? Number.NaN)
  const lat = (c: ContenderName, p: 'p50' | 'p95' | 'p99'): string => cell(r.latency[c], (v) => fmtSpread(v[p], 2))
  const latDelta = (p: 'p50' | 'p95' | 'p99'): string => {
    const mine = valueOf(r.latency.tabrelay)
    const direct = valueOf(r.latency.pertab)
    // p50 and p99 pair round i with round i (what the goal decides on); p95 has no rounds kept.
    const rounds = (v: LatencyResult | undefined): number[] | undefined => p === 'p50' ? v?.p50Rounds : p === 'p99' ? v?.p99Rounds : undefined
    const pairs = (rounds(mine) ?? []).flatMap((v, i) => { const d = rounds(direct)?.[i]; return d === undefined ? [] : [v - d] })
    if (pairs.length > 0) {
      const m = medianInterval(pairs)
      return `paired Δ ${signed(m.median)} ms (${Math.round(100 * m.coverage)} % interval ${signed(m.low)}…${signed(m.high)}, ${m.n} rounds)`
    }
    const a = mine?.[p].median ?? Number.NaN
    const b = direct?.[p].median ?? Number.NaN
    return Number.isFinite(a - b) ? `Δ of medians ${signed(a - b)} ms` : '—'
  }
  const heap = (c: ContenderName): number => num(r.memory[c], (v) => v.totalBytes)
  const newTab = (c: ContenderName): number => num(r.newTab[c], (v) => v.newTab.median)
  const size = (c: ContenderName): number => r.bundles.find((b) => b.contender === c)?.gzipBytes ?? Number.NaN
  const sub = (set: Results['newTab'], c: ContenderName): number => num(set[c], (v) => v.newTabSubscribe.median)
  const rtt = valueOf(r.newTabRtt.pertab)?.rttMs ?? valueOf(r.newTabRtt.tabrelay)?.rttMs ?? Number.NaN
  const reload = (c: string) => r.reload[c] ?? { ok: false as const, failed: 'failed: not run' }
  return [
    row('server connections @ 1 / 2 / 5 / 10 / 20 tabs', (c) => conn(c, 'connections'), `${ratio(last('pertab', 'connections'), last('tabrelay', 'connections'))} fewer @ 20`),
    row('server channel joins @ 1 / 2 / 5 / 10 / 20 tabs (3 topics)', (c) => conn(c, 'channels'), `${ratio(last('pertab', 'channels'), last('tabrelay', 'channels'))} fewer @ 20`),
    row('fan-out p50 ms, 10 tabs, 100 msg/s', (c) => lat(c, 'p50'), latDelta('p50')),
    row('fan-out p95 ms', (c) => lat(c, 'p95'), latDelta('p95')),
    row('fan-out p99 ms', (c) => lat(c, 'p99'), latDelta('p99')),
    ...(r.variants ?? []).map((v) => variantLatency(r, v)),
    row('max sustained msg/s, all 10 tabs, no loss/backlog: held – missed (trials held/run)', (c) => cell(r.throughput[c], ceilingCell), versusCell(r)),
    row('at the missed end', (c) => cell(r.throughput[c], pastCeiling), ''),
    ...(r.variants ?? []).flatMap((v) => variantThroughput(r, v)),
    row('first tab → SUBSCRIBED ms (cold)', (c) => cell(r.newTab[c], (v) => fmtSpread(v.firstTab, 0)), ''),
    row('new tab → SUBSCRIBED ms (9–10 tabs open)', (c) => cell(r.newTab[c], (v) => fmtSpread(v.newTab, 1)), `${ratio(newTab('pertab'), newTab('tabrelay'))} faster`),
    row('  of which after code load (connect/join or ask hub)', (c) => cell(r.newTab[c], (v) => fmtSpread(v.newTabSubscribe, 1)), `${ratio(sub(r.newTab, 'pertab'), sub(r.newTab, 'tabrelay'))} faster`),
    row(`first tab → SUBSCRIBED ms, ${rtt} ms RTT`, (c) => cell(r.newTabRtt[c], (v) => fmtSpread(v.firstTab, 0)), ''),
    row(`new tab → SUBSCRIBED ms, ${rtt} ms RTT`, (c) => cell(r.newTabRtt[c], (v) => fmtSpread(v.newTab, 1)), `${ratio(num(r.newTabRtt.pertab, (v) => v.newTab.median), num(r.newTabRtt.tabrelay, (v) => v.newTab.median))} faster`),
    row(`  of which after code load, ${rtt} ms RTT`, (c) => cell(r.newTabRtt[c], (v) => fmtSpread(v.newTabSubscribe, 1)), `${ratio(sub(r.newTabRtt, 'pertab'), sub(r.newTabRtt, 'tabrelay'))} faster`),
    row('  new tab phases, ms from script start (median)', (c) => cell(r.newTab[c], phasesCell), ''),
    row(`  new tab phases, ${rtt} ms RTT`, (c) => cell(r.newTabRtt[c], phasesCell), ''),
    ...floorRows(r, rtt),
    row('owner tab closes: msgs lost, worst tab', (c) => cell(r.ownerClose[c], (v) => fmtSpread(v.lostWorstTab, 0)), ''),
    row('owner tab closes: max delivery gap ms (a silence overlapping the 500 ms after the close)', (c) => cell(r.ownerClose[c], (v) => fmtSpread(v.gapMs, 1)), ''),
    ...tabHostRows(r),
    ...sseRows(r),
    ...websocketRows(r),
    row('reload only tab: new server connections', (c) => cell(reload(c), (v) => fmtSpread(v.newConnections, 0)), ''),
    row('reload only tab: ms until events flow', (c) => cell(reload(c), (v) => fmtSpread(v.flowMs, 0)), ''),
    ['reload, worker without extendedLifetime', cell(reload('tabrelay-no-extended-lifetime'), (v) => `${fmtSpread(v.newConnections, 0)} conn, ${fmtSpread(v.flowMs, 0)} ms`), '', '', ''],
    row('JS heap, 10 tabs (+ worker) after GC', (c) => cell(r.memory[c], (v) => v.workerBytes > 0 ? `${mb(v.totalBytes)} (worker ${mb(v.workerBytes)})` : mb(v.totalBytes)), `${ratio(heap('pertab'), heap('tabrelay'))} less`),
    row('tab-side bundle, gzip', (c) => { const b = r.bundles.find((x) => x.contender === c); return b ? `${kb(b.gzipBytes)}${b.workerGzipBytes > 0 ? ` (+ worker ${kb(b.workerGzipBytes)})` : ''}` : '—' }, `${ratio(size('pertab'), size('tabrelay'))} smaller`),
  ]
}

function markdown(header: string[], body: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n')
}

/**
 * The whole summary: figures, goals, machine noise.
 * @example
 * console.log(renderTable(results))
 */
export function renderTable(r: Results): string {
  const figures = markdown(['scenario', LABELS.tabrelay, LABELS.pertab, LABELS.leader, 'tabrelay vs per-tab'], rows(r))
  const goals = markdown(['goal', 'tabrelay measured', 'met', 'note'], r.goals.map((g) => [g.goal, g.measured, g.status === 'met' ? 'yes' : g.status === 'missed' ? 'NO' : 'undecided', g.note]))
  const m = r.meta
  const noise = `Machine: ${m.cpus} cores, Node ${m.node}, Chromium ${m.chromium}; CPU yardstick ${fmtSpread(m.yardstickMs, 1)} ms ` +
    `(median (min–max) of ${m.yardstickMs.n} runs through the run: the machine's noise); page–sender clock skew ${fmtSpread(m.clockSkewMs, 3)} ms; ` +
    `cross-origin isolated: ${m.crossOriginIsolated ? 'yes' : 'no'}; \`${m.command}\` took ${m.durationS.toFixed(0)} s.`
  const scale = r.scale === undefined ? '' : `\n\nScale (tabrelay):\n\n${markdown(SCALE_HEADER, scaleRows(r))}`
  const sizes = r.sizes === undefined ? '' : `\n\n${markdown(SIZE_HEADER, sizeRows(r))}`
  const ys = r.throughputYardsticks ?? []
  const perTrial = ys.length === 0 ? '' : `\n\nCPU yardstick after each interleaved throughput trial round, ms: ${ys.map((y) => `${y.step}.${y.trial}: ${y.ms.toFixed(0)}${y.isRerun === true ? ' (noisy, ran again)' : ''}`).join(', ')}.`
  return `${figures}\n\nFigures: median (min–max) over repeated rounds; throughput steps are ${THROUGHPUT_NOTE}.${scale}${sizes}\n\n${goals}\n\n${noise}${perTrial}`
}

export { rows as tableRows, LABELS }
