/**
 * Where fan-out latency goes, hop by hop (`npm run bench:tail`): tabrelay on the probe hub and
 * per-tab supabase-js with its frames stamped (`app/probe.ts`), 10 tabs each, rounds interleaved.
 * Every arrival splits into segments between consecutive stamps; the breakdown shows each
 * segment's p50 and p99, and its median within the slowest 1 % of arrivals, i.e. which hop the
 * tail is made of. Stamps cost a little time themselves, so these rounds are not the scored ones.
 */
import { take, type Tab } from '../browser.ts'
import type { Fleet } from '../fleet.ts'
import type { ServerHandle } from '../server.ts'
import { percentile } from '../stats.ts'

/**
 * One arrival: its message, its tab, sender-to-callback latency and the segments summing to it.
 * @example
 * const s: HopSample = { seq: 7, tab: 0, totalMs: 3.1, segments: { frame: 1.8, callback: 1.3 }, extras: { rank: 1 } }
 */
export interface HopSample { seq: number; tab: number; totalMs: number; segments: Record<string, number>; extras: Record<string, number> }

/**
 * One segment's figures over every arrival, and within the slowest 1 %.
 * @example
 * const row: SegmentRow = { segment: 'port', p50: 0.6, p99: 3.3, inTail: 1.7 }
 */
export interface SegmentRow { segment: string; p50: number; p99: number; inTail: number }

/**
 * A lane's breakdown: its segments, the total, how many messages the slowest 1 % belong to.
 * @example
 * const { segments, tailMessages } = breakdown(samples)
 */
export interface Breakdown {
  samples: number
  total: { p50: number; p99: number }
  segments: SegmentRow[]
  /** Arrivals in the slowest 1 %, and how many distinct messages they are: few messages = one stall hit every tab. */
  tailArrivals: number
  tailMessages: number
  /** Mean of each non-time stamp (`task`, `rank`) over every arrival and within the slowest 1 %. */
  extras: Array<{ name: string; mean: number; inTail: number }>
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

/**
 * Segments from ordered stamps: `sent → frame` is `frame`, `frame → hub` is `hub`, …, the last one
 * up to the callback. Stamps missing on an arrival leave it out (it was not probed).
 * @example
 * segmentsOf(0, { frame: 1, hub: 1.2 }, 2, ['frame', 'hub']) // { frame: 1, hub: 0.2, callback: 0.8 }
 */
export function segmentsOf(sentAt: number, hops: Readonly<Record<string, number>>, callbackAt: number, order: readonly string[]): Record<string, number> | null {
  const out: Record<string, number> = {}
  let from = sentAt
  for (const name of order) {
    const at = hops[name]
    if (at === undefined || !Number.isFinite(at)) return null
    out[name] = at - from
    from = at
  }
  out['callback'] = callbackAt - from
  return out
}

/**
 * Each segment's p50 / p99 and its median among the arrivals at or above the total's p99.
 * @example
 * const b = breakdown(samples); b.segments.find((s) => s.segment === 'port')?.inTail
 */
export function breakdown(samples: readonly HopSample[]): Breakdown {
  const totals = samples.map((s) => s.totalMs)
  const cut = percentile(totals, 99)
  const tail = samples.filter((s) => s.totalMs >= cut)
  const names = Object.keys(samples[0]?.segments ?? {})
  return {
    samples: samples.length,
    total: { p50: percentile(totals, 50), p99: cut },
    segments: names.map((segment) => {
      const all = samples.map((s) => s.segments[segment] ?? Number.NaN)
      return { segment, p50: percentile(all, 50), p99: percentile(all, 99), inTail: percentile(tail.map((s) => s.segments[segment] ?? Number.NaN), 50) }
    }),
    tailArrivals: tail.length,
    tailMessages: new Set(tail.map((s) => s.seq)).size,
    extras: Object.keys(samples[0]?.extras ?? {}).map((name) => ({
      name, mean: mean(samples.map((s) => s.extras[name] ?? 0)), inTail: mean(tail.map((s) => s.extras[name] ?? 0)),
    })),
  }
}

/**
 * A segment's p50 for each value of an extra stamp (e.g. `drain` by `rank`), values ascending.
 * @example
 * byExtra(samples, 'rank', 'drain') // [{ value: 1, p50: 0.1 }, { value: 2, p50: 0.25 }, …]
 */
export function byExtra(samples: readonly HopSample[], extra: string, segment: string): Array<{ value: number; p50: number }> {
  const groups = new Map<number, number[]>()
  for (const s of samples) {
    const value = s.extras[extra]
    const ms = s.segments[segment]
    if (value === undefined || ms === undefined) continue
    groups.set(value, [...(groups.get(value) ?? []), ms])
  }
  return [...groups].sort(([a], [b]) => a - b).map(([value, ms]) => ({ value, p50: percentile(ms, 50) }))
}

/**
 * One round on a probed fleet: streams, waits for the tabs, and returns every arrival's segments
 * (sender clock; `order` names the stamps a lane carries, in path order).
 * @example
 * const samples = await tailRound(fleet, server, 100, 1500, ['frame', 'hub', 'flush', 'port'])
 */
export async function tailRound(fleet: Fleet, server: ServerHandle, rate: number, durationMs: number, order: readonly string[]): Promise<HopSample[]> {
  await fleet.discard()
  const firstSeq = fleet.nextSeq(Math.round((rate * durationMs) / 1000))
  const done = await server.stream(fleet.topic, rate, durationMs, firstSeq)
  if (done.error !== undefined) throw new Error(`sender: ${done.error}`)
  await fleet.settle()
  const perTab = await Promise.all(fleet.tabs.map((tab: Tab) => take(tab.page)))
  const samples: HopSample[] = []
  perTab.forEach((raw, tab) => {
    raw.seqs.forEach((seq, i) => {
      const sentAt = done.sentAt[seq - firstSeq]
      const at = raw.recvAt[i]
      if (sentAt === undefined || at === undefined) return
      // Page and worker stamp on Chromium's one clock; the sender's is put on it by the fleet's skew.
      const stamps = Object.entries(raw.hops?.[i] ?? {})
      const hops = Object.fromEntries(stamps.filter(([name]) => order.includes(name)).map(([name, t]) => [name, t - fleet.skewMs]))
      const extras = Object.fromEntries(stamps.filter(([name]) => !order.includes(name)))
      const segments = segmentsOf(sentAt, hops, at - fleet.skewMs, order)
      if (segments !== null) samples.push({ seq, tab, totalMs: at - fleet.skewMs - sentAt, segments, extras })
    })
  })
  return samples
}
