/**
 * `npm run bench -- --against <ref> [--only throughput,newtab,...]`: the current tabrelay and the
 * ref's (against.ts) as two lanes in one browser, each page from its own origin (so each lane has
 * its own SharedWorker) and on its own topics, interleaved round by round so a busy moment of the
 * shared machine hits both alike. Prints the A/B table (report/ab.ts) and stores it as
 * `ab` in test/bench/results/results.json. Scenarios: throughput ceiling (10 tabs), new tab at 50 ms RTT from
 * code loaded, fan-out latency (10 tabs), hub CPU per 1 000 messages (10 tabs × 20 topics),
 * fan-out at 50 tabs × 20 topics, each of the last two also as a multiple of the floor lane (a bare
 * SharedWorker posting one pre-serialised string per batch, app/floor-hub.ts).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { buildAgainst } from './against.ts'
import { launch, type Target } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import { AB_SCENARIOS, ceilingFigure, floorFigure, pairedFigure, renderAbTable, type AbFigure, type AbScenario } from './report/ab.ts'
import type { ThroughputResult } from './results.ts'
import { newTabRound } from './scenarios/churn.ts'
import { ladder } from './scenarios/ladder.ts'
import { latencyRound, throughputTrial } from './scenarios/steady.ts'
import { startServer, type ServerHandle } from './server.ts'
import { percentile, spread, yardstick } from './stats.ts'
import { WorkerProbe } from './worker-probe.ts'

/** One lane: its name (topics) and the origin its build is served from; `isFloor` for the floor lane (app/floor.ts). */
export interface AbLane { name: string; target: Target; isFloor?: boolean }

/** What `--against` stores in test/bench/results/results.json. */
export interface AbResult {
  meta: { startedAt: string; durationS: number; command: string; current: string; against: string; againstSha: string; yardstickMs: ReturnType<typeof spread> }
  figures: AbFigure[]
}

const FLEET_TABS = 10
const LATENCY = { rate: 100, durationMs: 1_500, rounds: 8 }
const THROUGHPUT = { startMsgS: 500, topMsgS: 32_000, floorMsgS: 125, stepMs: 800, trials: 3, refinements: 2, noisyFactor: 1.25 }
/** A fixed burst after the ladder, for the hub's batching (deliver calls per delivery). */
const BURST = { rate: 2_000, durationMs: 1_000, rounds: 4 }
const NEW_TAB_ROUNDS = 8
/** Hub CPU and fan-out: 20 topics a tab, 100 msg/s for 1 s a round (as the scale scenario). */
const LOAD = { topics: 20, cpuTabs: 10, fanoutTabs: 50, rate: 100, durationMs: 1_000, rounds: 6 }

const run = promisify(execFile)

/** Both lanes, one after the other, `rounds` times: per lane (by index) the values in round order. */
async function interleave<T>(lanes: readonly AbLane[], rounds: number, round: (laneIndex: number) => Promise<T>): Promise<T[][]> {
  const out: T[][] = lanes.map(() => [])
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, so neither lane always runs right after the other's load.
    const order = r % 2 === 0 ? lanes.map((_, i) => i) : lanes.map((_, i) => lanes.length - 1 - i)
    for (const i of order) out[i]?.push(await round(i))
  }
  return out
}

/** Opens a fleet per lane, tabs added alternately up to `tabs` each. */
async function openFleets(browser: Browser, lanes: readonly AbLane[], tabs: number, topics: number, server: ServerHandle, fleets: Fleet[] = []): Promise<Fleet[]> {
  if (fleets.length === 0) for (const lane of lanes) fleets.push(await Fleet.open(browser, lane.target, 'tabrelay', { name: lane.name, topics, floor: lane.isFloor === true }))
  for (let n = 1; n <= tabs; n++) {
    for (const fleet of fleets) {
      if (fleet.tabs.length >= n) continue
      const tab = await fleet.add()
      if (tab.ready.error !== null) throw new Error(`tab ${n}: ${tab.ready.error}`)
    }
  }
  for (const fleet of fleets) await fleet.measureSkew(server)
  return fleets
}

async function closeAll(fleets: readonly Fleet[]): Promise<void> {
  for (const fleet of fleets) await fleet.close().catch(() => undefined)
}

/**
 * What `work` made the fleet's hub do, from its own counters (read through the first tab): Comlink
 * deliver calls per 1 000 deliveries. A count, so the machine's load does not blur it, though how
 * the outbox batches does depend on how fast tabs answer. NaN for a hub without the counters.
 */
async function callsPer1000<T>(fleet: Fleet, work: () => Promise<T>): Promise<{ value: T; per1000: number }> {
  const read = async (): Promise<{ delivered: number; batches: number } | null> => (await fleet.tabs[0]?.page.evaluate(() => window.bench?.hubStats() ?? null)) ?? null
  const before = await read()
  const value = await work()
  const after = await read()
  const delivered = (after?.delivered ?? Number.NaN) - (before?.delivered ?? Number.NaN)
  return { value, per1000: delivered > 0 ? (1000 * ((after?.batches ?? Number.NaN) - (before?.batches ?? Number.NaN))) / delivered : Number.NaN }
}

/** The lane's only SharedWorker; a worker of a context closed just before may take a moment to go. */
async function probeOf(browser: Browser, matches: (url: string) => boolean): Promise<WorkerProbe> {
  const stop = performance.now() + 5_000
  for (;;) {
    try {
      return await WorkerProbe.attach(browser, matches)
    } catch (error) {
      if (performance.now() > stop) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

interface Context { browser: Browser; server: ServerHandle; lanes: readonly [AbLane, AbLane]; log: (text: string) => void; noise: number[] }

async function latencyAndThroughput(ctx: Context, only: ReadonlySet<AbScenario>): Promise<AbFigure[]> {
  const { browser, server, lanes, log } = ctx
  const fleets = await openFleets(browser, lanes, FLEET_TABS, 3, server)
  const figures: AbFigure[] = []
  try {
    if (only.has('latency')) {
      const byLane = await interleave(lanes, LATENCY.rounds, async (i) => {
        const fleet = fleetAt(fleets, lanes, i)
        const calls = await callsPer1000(fleet, () => latencyRound(fleet, server, LATENCY.rate, LATENCY.durationMs))
        return { ...calls.value, calls: calls.per1000 }
      })
      const [a = [], b = []] = byLane
      figures.push(pairedFigure(`fan-out p50, ${FLEET_TABS} tabs × 3 topics, ${LATENCY.rate} msg/s, ms`, a.map((x) => x.p50), b.map((x) => x.p50), 'lower', 2))
      figures.push(pairedFigure(`fan-out p99, ${FLEET_TABS} tabs × 3 topics, ${LATENCY.rate} msg/s, ms`, a.map((x) => x.p99), b.map((x) => x.p99), 'lower', 2))
      figures.push(pairedFigure(`  hub deliver calls per 1 000 deliveries (fewer: more batched)`, a.map((x) => x.calls), b.map((x) => x.calls), 'lower', 0))
      log('latency done')
    }
    if (only.has('throughput')) {
      const names = lanes.map((l) => l.name)
      const quiet = spread(ctx.noise.slice(0, 2)).median
      const result = await ladder({ lanes: names, startMsgS: THROUGHPUT.startMsgS, topMsgS: THROUGHPUT.topMsgS, floorMsgS: THROUGHPUT.floorMsgS, trials: THROUGHPUT.trials, refinements: THROUGHPUT.refinements, noisyMs: THROUGHPUT.noisyFactor * quiet },
        (name, rate) => throughputTrial(fleetAt(fleets, lanes, names.indexOf(name)), server, rate, THROUGHPUT.stepMs), yardstick)
      ctx.noise.push(...result.yardsticks.map((y) => y.ms))
      const of = (name: string): ThroughputResult | string => result.lanes.get(name) ?? 'not run'
      figures.push(ceilingFigure(`throughput ceiling, ${FLEET_TABS} tabs, held–missed msg/s`, of(lanes[0].name), of(lanes[1].name)))
      log(`throughput done: ${figures[figures.length - 1]?.current} vs ${figures[figures.length - 1]?.against}`)
    }
    if (only.has('burst')) {
      // How the hub batches in a burst: a count, less blurred by the machine than a ceiling.
      const [a = [], b = []] = await interleave(lanes, BURST.rounds, async (i) => {
        const fleet = fleetAt(fleets, lanes, i)
        const counted = await callsPer1000(fleet, () => throughputTrial(fleet, server, BURST.rate, BURST.durationMs))
        return { calls: counted.per1000, endLag: counted.value.endLagMs }
      })
      figures.push(pairedFigure(`burst ${BURST.rate} msg/s × ${BURST.durationMs / 1000} s, 10 tabs: hub deliver calls per 1 000 deliveries`, a.map((x) => x.calls), b.map((x) => x.calls), 'lower', 0))
      figures.push(pairedFigure(`  burst: worst tab's end lag, ms`, a.map((x) => x.endLag), b.map((x) => x.endLag), 'lower', 1))
      log('burst done')
    }
  } finally {
    await closeAll(fleets)
  }
  return figures
}

function fleetAt(fleets: readonly Fleet[], lanes: readonly AbLane[], index: number): Fleet {
  const fleet = fleets[index]
  if (fleet === undefined) throw new Error(`no fleet for ${lanes[index]?.name ?? index}`)
  return fleet
}

/** New tabs over the 50 ms RTT proxy: 3 tabs open per lane, then new tabs opened and closed, lanes alternating. */
async function newTabs(ctx: Context): Promise<AbFigure[]> {
  const { browser, server, lanes, log } = ctx
  const viaProxy = lanes.map((l) => ({ ...l, target: { ...l.target, serverUrl: server.proxyUrl } }))
  const fleets = await openFleets(browser, viaProxy, 3, 3, server)
  try {
    const [a = [], b = []] = await interleave(viaProxy, NEW_TAB_ROUNDS, (i) => newTabRound(fleetAt(fleets, viaProxy, i)))
    const rtt = 2 * server.proxyDelayMs
    const fromLoad = (r: { readyMs: number; loadMs: number }): number => r.readyMs - r.loadMs
    const hello = (r: { loadMs: number; marks?: Record<string, number> }): number => (r.marks?.['hello'] ?? Number.NaN) - r.loadMs
    log('new tab done')
    return [
      pairedFigure(`new tab, code loaded → SUBSCRIBED, ${rtt} ms RTT, ms`, a.map(fromLoad), b.map(fromLoad), 'lower'),
      pairedFigure(`  of which hello answered (from code loaded), ms`, a.map(hello), b.map(hello), 'lower'),
      pairedFigure(`  code load (the page's own fetch, for the record), ms`, a.map((r) => r.loadMs), b.map((r) => r.loadMs), 'lower'),
    ]
  } finally {
    await closeAll(fleets)
  }
}

/**
 * Hub CPU per 1 000 messages at 10 tabs × 20 topics, then the fleets grown to 50 tabs for fan-out;
 * with `floor`, the floor lane runs in the same rounds and each figure also reads as a multiple of it.
 */
async function load(ctx: Context, only: ReadonlySet<AbScenario>): Promise<AbFigure[]> {
  const { browser, server, log } = ctx
  const withFloor = only.has('floor')
  const lanes: AbLane[] = withFloor ? [...ctx.lanes, { name: 'floor', target: ctx.lanes[0].target, isFloor: true }] : [...ctx.lanes]
  const figures: AbFigure[] = []
  const fleets = await openFleets(browser, lanes, LOAD.cpuTabs, LOAD.topics, server)
  try {
    const probes = await Promise.all(lanes.map((l) => probeOf(browser, (url) => url.startsWith(`${l.target.origin}/`) && url.includes('/floor-hub') === (l.isFloor === true))))
    const measure = async (i: number) => {
      const fleet = fleetAt(fleets, lanes, i)
      const probe = probes[i]
      if (probe === undefined) throw new Error('no probe')
      const counted = await callsPer1000(fleet, () => probe.cpuDuring(() => fleet.stream(server, LOAD.rate, LOAD.durationMs)))
      const { cpuMs, value } = counted.value
      const all = value.records.flatMap((r) => r.latencies)
      return {
        cpuPer1000: (1000 * cpuMs) / Math.max(1, value.done.sentAt.length), p50: percentile(all, 50), p99: percentile(all, 99),
        lost: value.records.reduce((n, r) => n + r.lost, 0), calls: counted.per1000,
      }
    }
    type Round = Awaited<ReturnType<typeof measure>>
    const rows = (label: string, byLane: Round[][], pick: (r: Round) => number, digits: number): AbFigure[] => {
      const [a = [], b = [], f] = byLane
      const row = pairedFigure(label, a.map(pick), b.map(pick), 'lower', digits)
      return f === undefined ? [row] : [row, floorFigure('  ÷ floor lane (bare SharedWorker, one string per batch)', a.map(pick), b.map(pick), f.map(pick), digits)]
    }
    const lost = (byLane: Round[][]): string => lanes.map((l, i) => `${l.name} ${(byLane[i] ?? []).reduce((n, r) => n + r.lost, 0)}`).join(', ')
    try {
      if (only.has('cpu') || (withFloor && !only.has('fanout'))) {
        const byLane = await interleave(lanes, LOAD.rounds, measure)
        figures.push(...rows(`hub CPU per 1 000 server messages, ${LOAD.cpuTabs} tabs × ${LOAD.topics} topics, ms`, byLane, (x) => x.cpuPer1000, 0))
        figures.push(pairedFigure(`  hub deliver calls per 1 000 deliveries`, (byLane[0] ?? []).map((x) => x.calls), (byLane[1] ?? []).map((x) => x.calls), 'lower', 0))
        log(`hub CPU done (lost: ${lost(byLane)})`)
      }
      if (only.has('fanout')) {
        await openFleets(browser, lanes, LOAD.fanoutTabs, LOAD.topics, server, fleets)
        const byLane = await interleave(lanes, LOAD.rounds, measure)
        const shape = `1 user × ${LOAD.fanoutTabs} tabs × ${LOAD.topics} topics`
        figures.push(...rows(`fan-out p50, ${shape}, ms`, byLane, (x) => x.p50, 2))
        figures.push(...rows(`fan-out p99, ${shape}, ms`, byLane, (x) => x.p99, 2))
        figures.push(...rows(`hub CPU per 1 000 server messages, ${shape}, ms`, byLane, (x) => x.cpuPer1000, 0))
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

/**
 * Builds both lanes, runs the picked scenarios, returns the table's figures.
 * @example
 * const result = await runAb('677b2e4', new Set(['throughput', 'newtab']), console.log)
 */
export async function runAb(ref: string, only: ReadonlySet<AbScenario>, log: (text: string) => void): Promise<AbResult> {
  const startedAt = new Date().toISOString()
  const started = performance.now()
  const noise = [yardstick(), yardstick()]
  await buildApp()
  const against = await buildAgainst(ref)
  const head = (await run('git', ['rev-parse', '--short=7', 'HEAD'])).stdout.trim()
  const isDirty = (await run('git', ['status', '--porcelain', '--', 'src', 'worker'])).stdout.trim() !== ''
  const current = `tabrelay (HEAD ${head}${isDirty ? ' + changes' : ''})`
  log(`built the current code and ${against.lane} (${ref})`)
  const apps = [await serveApp(), await serveApp(against.outDir)]
  const server = await startServer()
  const browser = await launch()
  const target = (origin: string): Target => ({ origin, serverUrl: server.url, anonKey: server.anonKey })
  const lanes: [AbLane, AbLane] = [{ name: 'tabrelay', target: target(apps[0]?.origin ?? '') }, { name: against.lane, target: target(apps[1]?.origin ?? '') }]
  const ctx: Context = { browser, server, lanes, log, noise }
  const figures: AbFigure[] = []
  try {
    if (only.has('throughput') || only.has('latency') || only.has('burst')) figures.push(...await latencyAndThroughput(ctx, only))
    if (only.has('newtab')) figures.push(...await newTabs(ctx))
    if (only.has('cpu') || only.has('fanout') || only.has('floor')) figures.push(...await load(ctx, only))
  } finally {
    await browser.close()
    await server.stop()
    for (const app of apps) await app.close()
  }
  noise.push(yardstick(), yardstick())
  const command = `npm run bench -- --against ${ref}${only.size < AB_SCENARIOS.length ? ` --only ${[...only].join(',')}` : ''}`
  const result: AbResult = { meta: { startedAt, durationS: (performance.now() - started) / 1000, command, current, against: against.lane, againstSha: against.sha, yardstickMs: spread(noise) }, figures }
  process.stdout.write(`\n${renderAbTable(current, `${against.lane} (${ref})`, figures)}\n`)
  return result
}
