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
import { callsPer1000, closeAll, fleetAt, interleave, openFleets, type AbContext, type AbLane } from './ab-lanes.ts'
import { load } from './ab-load.ts'
import { buildAgainst } from './against.ts'
import { launch, type Target } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { AB_SCENARIOS, ceilingFigure, pairedFigure, renderAbTable, type AbFigure, type AbScenario } from './report/ab.ts'
import type { ThroughputResult } from './results.ts'
import { stepText } from './report/throughput.ts'
import { newTabRound } from './scenarios/churn.ts'
import { ladder, THROUGHPUT_PLAN } from './scenarios/ladder.ts'
import { latencyRound, throughputTrial } from './scenarios/steady.ts'
import { startServer, type ServerHandle } from './server.ts'
import { spread, yardstick } from './stats.ts'

export type { AbLane } from './ab-lanes.ts'

/** What `--against` stores in test/bench/results/results.json. */
export interface AbResult {
  meta: { startedAt: string; durationS: number; command: string; current: string; against: string; againstSha: string; yardstickMs: ReturnType<typeof spread> }
  figures: AbFigure[]
}

const FLEET_TABS = 10
const LATENCY = { rate: 100, durationMs: 1_500, rounds: 8 }
const THROUGHPUT = THROUGHPUT_PLAN
/** A fixed burst after the ladder, for the hub's batching (deliver calls per delivery). */
const BURST = { rate: 2_000, durationMs: 1_000, rounds: 4 }
const NEW_TAB_ROUNDS = 8

const run = promisify(execFile)

async function latencyAndThroughput(ctx: AbContext, only: ReadonlySet<AbScenario>): Promise<AbFigure[]> {
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
      // Every step's median trial with its votes and the sender's figures, for the record beside the table.
      for (const name of names) {
        const lane = of(name)
        if (typeof lane !== 'string') log(`${name}: ${lane.steps.map((s) => `${stepText(s)} [${s.sustainedTrials ?? 0}/${s.trials ?? 0} held]`).join('; ')}`)
      }
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

/** New tabs over the 50 ms RTT proxy: 3 tabs open per lane, then new tabs opened and closed, lanes alternating. */
async function newTabs(ctx: AbContext): Promise<AbFigure[]> {
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
  const ctx: AbContext = { browser, server, lanes, log, noise }
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
