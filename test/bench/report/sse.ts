/**
 * Rows and the goal for the SSE transport over HTTP/1.1 (8 tabs on one origin): tabrelay's one
 * stream in the SharedWorker against an EventSource per tab, which the 6-connection cap stalls.
 */
import type { Goal, Results } from '../results.ts'
import { SSE_TABS, type SseResult } from '../scenarios/sse.ts'
import { cell, fmtSpread, valueOf } from './format.ts'

type Row = [string, string, string, string, string]

/**
 * The SSE rows; the per-tab EventSource goes in the per-tab column.
 * @example
 * const rows = sseRows(results)
 */
export function sseRows(r: Results): Row[] {
  if (r.sse === undefined) return []
  const v = valueOf(r.sse)
  const other = (show: (x: SseResult) => string): string => (v === undefined ? '' : show(v))
  return [
    [`SSE over HTTP/1.1, ${SSE_TABS} tabs: streams at the server`, cell(r.sse, (x) => String(x.tabrelay.streams)), other((x) => `${x.eventsource.streams} (EventSource per tab)`), '', ''],
    [`SSE, ${SSE_TABS} tabs: tabs still receiving`, cell(r.sse, (x) => `${x.tabrelay.receiving} of ${SSE_TABS}`), other((x) => `${x.eventsource.receiving} of ${SSE_TABS}`), '', 'the 6-connections-per-origin cap'],
    [`SSE fan-out p50 / p99 ms (${v?.rate ?? '?'} msg/s, receiving tabs, ${v?.tabrelay.p50Ms.n ?? 0} interleaved rounds)`,
      cell(r.sse, (x) => `${fmtSpread(x.tabrelay.p50Ms, 2)} / ${fmtSpread(x.tabrelay.p99Ms, 2)}`),
      other((x) => `${fmtSpread(x.eventsource.p50Ms, 2)} / ${fmtSpread(x.eventsource.p99Ms, 2)}`), '', other((x) => `lost ${x.tabrelay.lost} vs ${x.eventsource.lost}`)],
  ]
}

/**
 * Issue 15's point: past the cap every tab still receives, over one stream.
 * @example
 * goals.push(sseGoal(results))
 */
export function sseGoal(r: Results): Goal {
  const goal = `SSE over HTTP/1.1: all ${SSE_TABS} tabs receive, over 1 stream`
  const v = valueOf(r.sse)
  if (v === undefined) return { goal, measured: 'not measured', status: 'undecided', note: r.sse?.ok === false ? r.sse.failed : 'did not run' }
  const isMet = v.tabrelay.streams === 1 && v.tabrelay.receiving === SSE_TABS
  return { goal, measured: `${v.tabrelay.receiving} of ${SSE_TABS} tabs on ${v.tabrelay.streams} stream(s); per-tab EventSource ${v.eventsource.receiving} of ${SSE_TABS} on ${v.eventsource.streams}`, status: isMet ? 'met' : 'missed', note: '' }
}
