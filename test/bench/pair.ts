/**
 * `tsx test/bench/pair.ts`: the ≥16× throughput goal's pair alone, tabrelay and per-tab supabase-js
 * at 10 tabs, on `npm run bench`'s ladder plan (run.ts), in ~2 minutes instead of the full run's
 * five: each lane's ceiling cell, every step's median trial with the sender's figures, the goal.
 * Writes nothing. Run it under the bench and browser locks, like any bench.
 */
import { launch } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import type { Results, ThroughputResult } from './results.ts'
import { ceilingCell, pastCeiling, stepText, throughputGoal } from './report/throughput.ts'
import { ladder, THROUGHPUT_PLAN } from './scenarios/ladder.ts'
import { throughputTrial } from './scenarios/steady.ts'
import { startServer } from './server.ts'
import { spread, yardstick } from './stats.ts'

/** run.ts's plan (ladder.ts THROUGHPUT_PLAN): the same rates, trials, bisections and noisy-round rule. */
const PLAN = THROUGHPUT_PLAN
const LANES = ['tabrelay', 'pertab'] as const

const quiet = spread([yardstick(), yardstick()]).median
const server = await startServer()
await buildApp()
const app = await serveApp()
const browser = await launch()
try {
  const fleets = new Map<string, Fleet>()
  for (const lane of LANES) {
    const fleet = await Fleet.open(browser, { origin: app.origin, serverUrl: server.url, anonKey: server.anonKey }, lane)
    while (fleet.tabs.length < 10) await fleet.add()
    await fleet.measureSkew(server)
    fleets.set(lane, fleet)
  }
  const { startMsgS, topMsgS, floorMsgS, trials, refinements } = PLAN
  const result = await ladder({ lanes: LANES, startMsgS, topMsgS, floorMsgS, trials, refinements, noisyMs: PLAN.noisyFactor * quiet }, (lane, rate) => {
    const fleet = fleets.get(lane)
    if (fleet === undefined) throw new Error(`no fleet for ${lane}`)
    return throughputTrial(fleet, server, rate, PLAN.stepMs)
  }, yardstick)
  const outcome = (lane: string): { ok: true; value: ThroughputResult } | { ok: false; failed: string } => {
    const value = result.lanes.get(lane as (typeof LANES)[number])
    return typeof value === 'object' ? { ok: true, value } : { ok: false, failed: value ?? 'not run' }
  }
  for (const lane of LANES) {
    const o = outcome(lane)
    if (!o.ok) { process.stdout.write(`${lane}: ${o.failed}\n`); continue }
    process.stdout.write(`${lane}: ${ceilingCell(o.value)} | ${pastCeiling(o.value)}\n`)
    for (const step of o.value.steps) process.stdout.write(`  ${stepText(step)} [${step.sustainedTrials ?? 0}/${step.trials ?? 0} held]\n`)
  }
  // The goal reads only the throughput part of the results.
  const goal = throughputGoal({ throughput: { tabrelay: outcome('tabrelay'), pertab: outcome('pertab'), leader: { ok: false, failed: 'failed: not run' } } } as Results)
  process.stdout.write(`goal: ${goal.status}: ${goal.measured}; ${goal.note}\n`)
  process.stdout.write(`yardstick ms (quiet ${quiet.toFixed(0)}): ${result.yardsticks.map((y) => y.ms.toFixed(0)).join(' ')}\n`)
} finally {
  await browser.close()
  await app.close()
  await server.stop()
}
