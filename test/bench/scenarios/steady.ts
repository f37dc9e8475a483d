/**
 * Scenarios on a fleet of open tabs: connections per tab count, fan-out latency, one throughput
 * trial, memory. Each returns plain data; run.ts decides the rounds and the order.
 */
import type { Browser } from 'playwright-core'
import { pageHeap, sharedWorkerHeap } from '../browser.ts'
import { sleep, type Fleet, type TabRecord } from '../fleet.ts'
import type { ConnectionsRow, MemoryResult, ThroughputStep } from '../results.ts'
import type { ServerHandle, StreamDone } from '../server.ts'
import { percentile, spread } from '../stats.ts'
import { isSenderBound, isShort } from './ladder.ts'

export const TAB_COUNTS = [1, 2, 5, 10, 20] as const

/**
 * Grows the fleet to each tab count and reads `/stats`, minus what was there before (the other
 * contenders' fleets stay open, idle, on their own topics).
 * @example
 * const rows = await measureConnections(fleet, server)
 */
export async function measureConnections(fleet: Fleet, server: ServerHandle): Promise<ConnectionsRow[]> {
  const base = await server.stats()
  const rows: ConnectionsRow[] = []
  for (const count of TAB_COUNTS) {
    while (fleet.tabs.length < count) {
      const tab = await fleet.add()
      if (tab.ready.error !== null && fleet.tabs.length === 1) throw new Error(`first tab: ${tab.ready.error}`)
    }
    // Sockets are open once tabs are SUBSCRIBED; a short pause lets a closing socket disappear.
    await sleep(200)
    const now = await server.stats()
    rows.push({
      tabs: count,
      connections: now.connections - base.connections,
      channels: now.channels - base.channels,
      readyFailures: fleet.tabs.filter((t) => t.ready.error !== null).length,
    })
  }
  return rows
}

/**
 * One latency round: `rate` msg/s for `durationMs`, every tab's latencies pooled.
 * @example
 * const round = await latencyRound(fleet, server, 100, 2000)
 */
export async function latencyRound(fleet: Fleet, server: ServerHandle, rate: number, durationMs: number): Promise<{ p50: number; p95: number; p99: number; samples: number; lost: number }> {
  const { records } = await fleet.stream(server, rate, durationMs)
  const all = records.flatMap((r) => r.latencies)
  return {
    p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99),
    samples: all.length, lost: records.reduce((sum, r) => sum + r.lost, 0),
  }
}

/** A step is sustained when every tab got everything and the last messages were not queued behind a backlog. */
const MAX_END_LAG_MS = 50

/**
 * How a stream ended for its tabs: the worst tab's median latency over the last 10 % of the
 * messages (Infinity for a tab that got none of them), and the messages lost over all tabs.
 * @example
 * const { endLagMs, lost } = endLagAndLoss(done, await fleet.collect(done))
 */
export function endLagAndLoss(done: StreamDone, records: readonly TabRecord[]): { endLagMs: number; lost: number } {
  const tailFrom = done.firstSeq + Math.floor(done.sentAt.length * 0.9)
  const endLags = records.map((r) => percentile(r.latencies.filter((_, i) => (r.seqs[i] ?? 0) >= tailFrom), 50))
  return {
    endLagMs: Math.max(...endLags.map((v) => (Number.isFinite(v) ? v : Number.POSITIVE_INFINITY))),
    lost: records.reduce((sum, r) => sum + r.lost, 0),
  }
}

/**
 * One throughput trial: `rate` msg/s for `stepMs`, what the worst tab got and how far behind it ended.
 * The ladder (`ladder.ts`) repeats and interleaves these.
 * @example
 * const step = await throughputTrial(fleet, server, 1000, 1000)
 */
export async function throughputTrial(fleet: Fleet, server: ServerHandle, rate: number, stepMs: number): Promise<ThroughputStep> {
  // Through the sender's socket: at the top rungs its REST route cost the child ~0.5 of a core (server.ts `Via`).
  const { done, records } = await fleet.stream(server, rate, stepMs, undefined, 'socket')
  const sent = done.sentAt.length
  const achievedMsgS = (sent * 1000) / Math.max(1, done.elapsedMs)
  const { endLagMs, lost } = endLagAndLoss(done, records)
  const hasKeptUp = lost === 0 && endLagMs <= MAX_END_LAG_MS
  // Less was sent than asked: the trial did not offer the rate, whatever the tabs did (a sender that
  // fell behind also catches up in bursts of up to 200, which a lane at its rate never sees).
  const isShortOfRate = isShort(achievedMsgS, rate)
  const isSenderShort = isShortOfRate && isSenderBound(done.sender)
  return {
    rateMsgS: rate, sent, achievedMsgS, minDelivered: Math.min(...records.map((r) => sent - r.lost)), lost, endLagMs,
    p50Ms: percentile(records.flatMap((r) => r.latencies), 50),
    // Short of the rate either way: nothing sustained the rate; only a sender-bound shortfall is no miss.
    isSustained: hasKeptUp && !isShortOfRate,
    ...(done.sender === undefined ? {} : { sender: { ...done.sender, elapsedMs: done.elapsedMs } }),
    ...(isSenderShort ? { isSenderShort } : {}),
  }
}

/**
 * JS heap after a forced GC: every tab of the fleet plus, for tabrelay, the SharedWorker (the
 * only SharedWorker in the browser, since the other fleets have none).
 * @example
 * const memory = await measureMemory(browser, fleet)
 */
export async function measureMemory(browser: Browser, fleet: Fleet): Promise<MemoryResult> {
  const perTab: number[] = []
  for (const tab of fleet.tabs) perTab.push(await pageHeap(tab.page))
  const worker = fleet.contender === 'tabrelay' ? await sharedWorkerHeap(browser) : { workers: 0, bytes: 0 }
  if (fleet.contender === 'tabrelay' && worker.workers !== 1) throw new Error(`expected 1 SharedWorker, CDP lists ${worker.workers}`)
  const tabsBytes = perTab.reduce((a, b) => a + b, 0)
  return { tabs: perTab.length, tabsBytes, workerBytes: worker.bytes, totalBytes: tabsBytes + worker.bytes, perTabBytes: spread(perTab) }
}
