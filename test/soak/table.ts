/**
 * The soak's results as a Markdown table (docs/develop/soak.md is made from it).
 */
import type { FrozenResult } from './frozen.ts'
import type { LoadResult } from './load.ts'

const n = (value: number): string => value.toLocaleString('en-US')

/**
 * Formats both scenarios.
 * @example
 * console.log(table(load, frozen, 180))
 */
export function table(load: LoadResult, frozen: FrozenResult, wallS: number): string {
  const { plan, tally, faults } = load
  const f = frozen.plan
  const heapNote = load.heap.isExact ? '' : ' (no --expose-gc: noisy)'
  const rows: Array<[string, string, string]> = [
    ['load held', `${plan.tabs} tabs × ${plan.topics} topics, ${plan.rate} msg/s for ${plan.durationMs / 1000} s, 1 socket`, `${n(tally.published)} published, ${n(tally.received)} deliveries to tabs; publisher at most ${load.publisherLateMs} ms late`],
    ['faults survived', `churn every ${plan.churnEveryMs / 1000} s, socket drop every ${plan.dropEveryMs / 1000} s, token refresh every ${plan.tokenEveryMs / 1000} s`, `${faults.churned} tabs closed and reopened (${tally.tabInstances} tab instances), ${faults.drops} server-side drops, ${faults.tokenRefreshes} setAuth (${faults.tokenFailures} failed); ${load.serverSockets} socket at the end`],
    ['lost / duplicated', 'per tab per topic, by sequence id; a resync announces a gap', `${tally.lost} lost, ${tally.duplicated} duplicated, ${tally.outOfOrder} out of order, ${tally.resyncs} resyncs, ${tally.tailMissing} missing the final message`],
    ['heap slope (load)', 'heapUsed after gc, 1 s samples while publishing, after the first sixth (warm-up)', `${load.heap.slopeMbPerMin.toFixed(2)} MB/min${heapNote}`],
    ['frozen tab', `${f.tabs} tabs × ${f.topics} topics, ${f.rate} msg/s; 1 tab frozen ${f.freezeMs / 1000} s`, `hub held at most ${n(frozen.hub.peakQueued)} for it, ${frozen.heldAtPort} messages at its port; ${n(frozen.hub.dropped)} dropped in ${frozen.hub.overflows} overflow; resyncs per topic ${frozen.resyncsPerTopic.join('/')}`],
    ['frozen: the thawed tab', 'what it got over the whole run', `${n(frozen.frozen.received)} received, ${frozen.frozen.lost} lost, ${frozen.frozen.duplicated} duplicated, ${frozen.frozen.resyncs} resyncs (the backlog it missed is announced, not lost)`],
    ['frozen: others', 'the tabs that kept answering', `${n(frozen.others.received)} received, ${frozen.others.lost} lost, ${frozen.others.duplicated} duplicated, ${frozen.others.resyncs} resyncs`],
    ['heap (frozen)', 'heapUsed after gc during the freeze', `${frozen.heap.minMb.toFixed(1)}–${frozen.heap.maxMb.toFixed(1)} MB, slope ${frozen.heap.slopeMbPerMin.toFixed(2)} MB/min over its second half`],
    ['wall time', 'budget 5 min', `${wallS.toFixed(0)} s`],
  ]
  return ['| check | inputs | result |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}
