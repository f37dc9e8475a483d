/**
 * A frozen tab under a 1 000 msg/s stream: one tab stops answering for `freezeMs` (its port holds
 * every message both ways, as a frozen page). The hub must hold it to a bounded window and queue,
 * drop its backlog, send it ONE resync per subscription when it thaws, keep its heap flat, and
 * leave the other tabs untouched. The freeze is the 2 minutes: at 1 000 msg/s that is 12
 * times the default limit of 10 000 held deliveries.
 */
import type { HubStats } from '../../src/contract/protocol.ts'
import type { Hub } from '../../worker/hub.ts'
import type { ServerControl } from './control.ts'
import { SoakTab, until } from './fleet.ts'
import { sampleHeap, slopeMbPerMin, type HeapSample } from './heap.ts'
import { tail, tallyOf, type Tally } from './tally.ts'

/** The stream and the freeze. */
export interface FrozenPlan {
  tabs: number
  topics: number
  rate: number
  durationMs: number
  freezeAtMs: number
  freezeMs: number
}

/** What the scenario measured. */
export interface FrozenResult {
  plan: FrozenPlan
  frozen: Tally
  others: Tally
  /** Resyncs the frozen tab got, per topic. */
  resyncsPerTopic: number[]
  /** Most messages waiting at the frozen tab's port (the hub's in-flight window). */
  heldAtPort: number
  heap: { samples: HeapSample[]; slopeMbPerMin: number; minMb: number; maxMb: number; isExact: boolean }
  hub: HubStats
  failures: string[]
}

/** 5 tabs × 4 topics, 1 000 msg/s for 135 s, one tab frozen from 5 s to 125 s. */
export const FROZEN: FrozenPlan = { tabs: 5, topics: 4, rate: 1_000, durationMs: 135_000, freezeAtMs: 5_000, freezeMs: 120_000 }

const MB = 1024 * 1024

/**
 * Runs the frozen-tab scenario.
 * @example
 * const result = await runFrozen(hub, server, FROZEN)
 */
export async function runFrozen(hub: Hub, server: ServerControl, plan: FrozenPlan): Promise<FrozenResult> {
  const failures: string[] = []
  const topics = Array.from({ length: plan.topics }, (_, i) => `soak:frozen:${i}`)
  const token = (await server.ask<'token'>({ type: 'token', sub: 'soak-frozen' }, 5_000)).token
  const options = { hub, url: server.url, anonKey: server.anonKey, token: () => token, topics, expectedPerTopic: Math.ceil((plan.rate * plan.durationMs) / 1000 / plan.topics) + 16 }
  // The frozen tab's heartbeats are at least the freeze apart, so the freeze stays shorter than the
  // hub's deadline (3 intervals) and the tab's own heartbeat timeout (2): this measures the outbox,
  // not the registry timing a frozen tab out.
  const frozen = new SoakTab(options, 'frozen-0', true, Math.max(60_000, plan.freezeMs))
  const others = Array.from({ length: plan.tabs - 1 }, (_, i) => new SoakTab(options, `frozen-${i + 1}`, false, 5_000))
  const tabs = [frozen, ...others]
  if (!(await until(() => tabs.every((tab) => tab.isSubscribed), 30_000))) failures.push('not every tab subscribed within 30 s')
  const published = server.ask<'published'>({ type: 'publish', topics, rate: plan.rate, durationMs: plan.durationMs, firstSeq: topics.map(() => 0) }, 2 * plan.durationMs + 15_000)
  let heldAtPort = 0
  const watch = setInterval(() => { heldAtPort = Math.max(heldAtPort, frozen.valve?.held ?? 0) }, 100)
  await new Promise((resolve) => setTimeout(resolve, plan.freezeAtMs))
  if (frozen.valve) frozen.valve.isFrozen = true
  const heap = sampleHeap(1_000)
  await new Promise((resolve) => setTimeout(resolve, plan.freezeMs))
  const samples = heap.stop()
  frozen.valve?.thaw()
  const done = await published
  clearInterval(watch)
  const counts = [...done.counts]
  const tailMissing = await tail(server, tabs, topics, counts, 30_000)
  const stats = await others[0]?.relay.stats()
  const resyncsPerTopic = topics.map((topic) => frozen.ledgers.get(topic)?.resyncs ?? 0)
  for (const tab of tabs) await tab.close()
  const frozenTally = tallyOf([frozen], counts, 0)
  const othersTally = tallyOf(others, counts, tailMissing)
  // After the overflow the heap must stay flat: the trend over the freeze's second half.
  const half = samples.filter((p) => p.s >= plan.freezeMs / 2000)
  const slope = slopeMbPerMin(half)
  const mb = samples.map((p) => p.bytes / MB)
  if (!stats) throw new Error('no tab was open to ask the hub for stats')
  if (resyncsPerTopic.some((n) => n !== 1)) failures.push(`frozen tab resyncs per topic ${resyncsPerTopic.join('/')}, expected 1 each`)
  if (othersTally.resyncs > 0) failures.push(`${othersTally.resyncs} resyncs in tabs that never froze`)
  if (frozenTally.lost + othersTally.lost > 0) failures.push(`${frozenTally.lost + othersTally.lost} lost`)
  if (frozenTally.duplicated + othersTally.duplicated > 0) failures.push('duplicates')
  if (stats.overflows < 1) failures.push('the frozen tab never overflowed')
  if (stats.peakQueued > 10_000) failures.push(`the hub held ${stats.peakQueued} deliveries for one tab`)
  if (slope > 2) failures.push(`heap growth ${slope.toFixed(2)} MB/min while frozen`)
  return {
    plan, frozen: frozenTally, others: othersTally, resyncsPerTopic, heldAtPort,
    heap: { samples, slopeMbPerMin: slope, minMb: Math.min(...mb), maxMb: Math.max(...mb), isExact: heap.isExact }, hub: stats, failures,
  }
}
