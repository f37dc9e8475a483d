/**
 * The A/B run's load scenarios (ab.ts): hub CPU per 1 000 server messages at 10 tabs × 20 topics,
 * then the fleets grown to 50 tabs for fan-out; with `floor`, the floor lane (app/floor-hub.ts)
 * runs in the same rounds and each figure also reads as a multiple of it. Hub CPU is taken two
 * ways (worker-probe.ts): the sampling profile's busy time, which counts the wall time of a thread
 * the loaded cores kept waiting, and the hub thread's own CPU time from the kernel, over a stream
 * of its own with no sampler running.
 */
import { callsPer1000, closeAll, fleetAt, interleave, openFleets, probeOf, type AbContext, type AbLane } from './ab-lanes.ts'
import { floorFigure, pairedFigure, type AbFigure, type AbScenario } from './report/ab.ts'
import { percentile } from './stats.ts'

/** Hub CPU and fan-out: 20 topics a tab, 100 msg/s for 1 s a round (as the scale scenario). */
const LOAD = { topics: 20, cpuTabs: 10, fanoutTabs: 50, rate: 100, durationMs: 1_000, rounds: 6 }
const FLOOR_LABEL = '  ÷ floor lane (bare SharedWorker, one string per batch)'

/** One lane's round; CPU figures per 1 000 server messages, NaN where not measured. */
interface Round { sampledPer1000: number; threadPer1000: number; waitPer1000: number; p50: number; p99: number; lost: number; calls: number }

/**
 * Hub CPU (`cpu`), fan-out at 50 tabs (`fanout`), each beside the floor lane (`floor`).
 * @example
 * const figures = await load(ctx, new Set(['cpu', 'floor']))
 */
export async function load(ctx: AbContext, only: ReadonlySet<AbScenario>): Promise<AbFigure[]> {
  const { browser, server, log } = ctx
  const withFloor = only.has('floor')
  const lanes: AbLane[] = withFloor ? [...ctx.lanes, { name: 'floor', target: ctx.lanes[0].target, isFloor: true }] : [...ctx.lanes]
  const figures: AbFigure[] = []
  const fleets = await openFleets(browser, lanes, LOAD.cpuTabs, LOAD.topics, server)
  try {
    const probes = await Promise.all(lanes.map((l) => probeOf(browser, (url) => url.startsWith(`${l.target.origin}/`) && url.includes('/floor-hub') === (l.isFloor === true))))
    const measure = async (i: number, sample: boolean): Promise<Round> => {
      const fleet = fleetAt(fleets, lanes, i)
      const probe = probes[i]
      if (probe === undefined) throw new Error('no probe')
      const counted = await callsPer1000(fleet, () => probe.cpuDuring(() => fleet.stream(server, LOAD.rate, LOAD.durationMs), { sample }))
      const { cpuMs, threadMs, waitMs, value } = counted.value
      const all = value.records.flatMap((r) => r.latencies)
      const per1000 = (ms: number): number => (1000 * ms) / Math.max(1, value.done.sentAt.length)
      return {
        sampledPer1000: per1000(cpuMs), threadPer1000: per1000(threadMs), waitPer1000: per1000(waitMs),
        p50: percentile(all, 50), p99: percentile(all, 99), lost: value.records.reduce((n, r) => n + r.lost, 0), calls: counted.per1000,
      }
    }
    const rows = (label: string, byLane: Round[][], pick: (r: Round) => number, digits: number): AbFigure[] => {
      const [a = [], b = [], f] = byLane
      const row = pairedFigure(label, a.map(pick), b.map(pick), 'lower', digits)
      return f === undefined ? [row] : [row, floorFigure(FLOOR_LABEL, a.map(pick), b.map(pick), f.map(pick), digits)]
    }
    const lost = (byLane: Round[][]): string => lanes.map((l, i) => `${l.name} ${(byLane[i] ?? []).reduce((n, r) => n + r.lost, 0)}`).join(', ')
    try {
      if (only.has('cpu') || (withFloor && !only.has('fanout'))) {
        // Per lane and round: a stream with no sampler (the thread's own CPU), then one sampled.
        const both = await interleave(lanes, LOAD.rounds, async (i) => ({ own: await measure(i, false), sampled: await measure(i, true) }))
        const own = both.map((lane) => lane.map((r) => r.own))
        const sampled = both.map((lane) => lane.map((r) => r.sampled))
        const shape = `${LOAD.cpuTabs} tabs × ${LOAD.topics} topics`
        figures.push(...rows(`hub CPU per 1 000 server messages, ${shape}, ms (sampling profile: wall time on the thread)`, sampled, (x) => x.sampledPer1000, 0))
        figures.push(...rows(`hub thread CPU per 1 000 server messages, ${shape}, ms (kernel schedstat, no sampler)`, own, (x) => x.threadPer1000, 0))
        figures.push(pairedFigure(`  the same thread while sampled, ms`, (sampled[0] ?? []).map((x) => x.threadPer1000), (sampled[1] ?? []).map((x) => x.threadPer1000), 'lower', 0))
        figures.push(pairedFigure(`  hub thread runnable but off a core (the machine), ms`, (own[0] ?? []).map((x) => x.waitPer1000), (own[1] ?? []).map((x) => x.waitPer1000), 'lower', 0))
        figures.push(pairedFigure(`  hub deliver calls per 1 000 deliveries`, [...(own[0] ?? []), ...(sampled[0] ?? [])].map((x) => x.calls), [...(own[1] ?? []), ...(sampled[1] ?? [])].map((x) => x.calls), 'lower', 0))
        log(`hub CPU done (lost: ${lost(own)}; ${lost(sampled)})`)
      }
      if (only.has('fanout')) {
        await openFleets(browser, lanes, LOAD.fanoutTabs, LOAD.topics, server, fleets)
        const byLane = await interleave(lanes, LOAD.rounds, (i) => measure(i, true))
        const shape = `1 user × ${LOAD.fanoutTabs} tabs × ${LOAD.topics} topics`
        figures.push(...rows(`fan-out p50, ${shape}, ms`, byLane, (x) => x.p50, 2))
        figures.push(...rows(`fan-out p99, ${shape}, ms`, byLane, (x) => x.p99, 2))
        figures.push(...rows(`hub CPU per 1 000 server messages, ${shape}, ms (sampling profile)`, byLane, (x) => x.sampledPer1000, 0))
        figures.push(...rows(`hub thread CPU per 1 000 server messages, ${shape}, ms (kernel, while sampled)`, byLane, (x) => x.threadPer1000, 0))
        log(`fan-out done (lost: ${lost(byLane)})`)
      }
    } finally {
      for (const probe of probes) await probe.detach()
    }
  } finally {
    await closeAll(fleets)
  }
  return figures
}
