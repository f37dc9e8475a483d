/**
 * `npm run bench`: tabrelay, per-tab supabase-js and a leader-tab relay, side by side in one headless
 * Chromium against the local Realtime server (issue 6). Prints a table, writes bench/results.json
 * and bench/report.html. No thresholds: figures only, goals reported, never asserted.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { CONTENDERS, type ContenderName, type ReadyInfo } from './app/contract.ts'
import { launch, type Target } from './browser.ts'
import { buildApp, measureBundles, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import { evaluateGoals } from './report/goals.ts'
import { renderHtml } from './report/html.ts'
import { renderTable } from './report/table.ts'
import { attempt, type Outcome, type PerContender, type Results } from './results.ts'
import { measureNewTabOverRtt, measureReload, newTabRound, ownerCloseRound, summariseNewTabs } from './scenarios/churn.ts'
import { latencyRound, measureConnections, measureMemory, measureThroughput } from './scenarios/steady.ts'
import { startServer, type ServerHandle } from './server.ts'
import { spread, yardstick } from './stats.ts'

const FLEET_SIZE = 10
const LATENCY = { rate: 100, durationMs: 1_500, rounds: 6 }
const NEW_TAB_ROUNDS = 5
const OWNER = { rate: 200, durationMs: 2_500, closeAfterMs: 800, rounds: 3 }
const THROUGHPUT = { rates: [500, 1_000, 2_000, 4_000, 8_000, 16_000], stepMs: 1_500 }
/** Past this, repeated rounds stop after their first one, so a slow machine still ends in ~5 min. */
const ROUNDS_BUDGET_MS = 200_000

const outDir = fileURLToPath(new URL('../../bench/', import.meta.url))
const started = performance.now()
const fleets = new Map<ContenderName, Fleet>()
const noise: number[] = []

function log(text: string): void {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}\n`)
}

function fleetOf(contender: ContenderName): Fleet {
  const fleet = fleets.get(contender)
  if (fleet === undefined) throw new Error('no tabs: the connections scenario could not open them')
  return fleet
}

async function each<T>(run: (contender: ContenderName) => Promise<T>): Promise<PerContender<T>> {
  const out: Partial<PerContender<T>> = {}
  for (const contender of CONTENDERS) out[contender] = await attempt(() => run(contender))
  return { tabrelay: out.tabrelay ?? missingOutcome(), pertab: out.pertab ?? missingOutcome(), leader: out.leader ?? missingOutcome() }
}

function missingOutcome<T>(): Outcome<T> {
  return { ok: false, failed: 'failed: not run' }
}

/** Rounds interleaved across contenders, so a noisy moment of the machine hits all three alike. */
async function rounds<T, R>(count: number, round: (fleet: Fleet) => Promise<T>, sum: (values: T[]) => R): Promise<PerContender<R>> {
  const values: Record<ContenderName, T[]> = { tabrelay: [], pertab: [], leader: [] }
  const errors: Partial<Record<ContenderName, string>> = {}
  for (let r = 0; r < count; r++) {
    if (r > 0 && performance.now() - started > ROUNDS_BUDGET_MS) break
    for (const contender of CONTENDERS) {
      if (errors[contender] !== undefined) continue
      const outcome = await attempt(() => round(fleetOf(contender)))
      if (outcome.ok) values[contender].push(outcome.value)
      else errors[contender] = `${outcome.failed} (round ${r + 1})`
    }
    noise.push(yardstick())
  }
  const result = (c: ContenderName): Outcome<R> => {
    const error = errors[c]
    return error === undefined ? { ok: true, value: sum(values[c]) } : { ok: false, failed: error }
  }
  return { tabrelay: result('tabrelay'), pertab: result('pertab'), leader: result('leader') }
}

async function openFleets(browser: Browser, target: Target, server: ServerHandle): Promise<{ connections: Results['connections']; firstTab: Record<ContenderName, ReadyInfo[]> }> {
  const firstTab: Record<ContenderName, ReadyInfo[]> = { tabrelay: [], pertab: [], leader: [] }
  const connections = await each(async (contender) => {
    const fleet = await Fleet.open(browser, target, contender)
    fleets.set(contender, fleet)
    const rows = await measureConnections(fleet, server)
    firstTab[contender] = fleet.tabs.slice(0, 1).map((t) => t.ready)
    // Keep the 10 oldest (the leader among them) for the scenarios that follow.
    for (const tab of fleet.tabs.slice(FLEET_SIZE).reverse()) await fleet.closeTab(tab)
    await fleet.measureSkew(server)
    log(`${contender}: ${rows.map((r) => `${r.tabs} tabs → ${r.connections} conn/${r.channels} ch`).join(', ')}`)
    return rows
  })
  return { connections, firstTab }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString()
  noise.push(yardstick(), yardstick())
  await buildApp()
  const bundles = await measureBundles()
  log(`built; tab bundles gz: ${bundles.map((b) => `${b.contender} ${b.gzipBytes} B`).join(', ')}`)
  const app = await serveApp()
  const server = await startServer()
  const browser = await launch()
  const target: Target = { origin: app.origin, serverUrl: server.url, anonKey: server.anonKey }
  try {
    const { connections, firstTab } = await openFleets(browser, target, server)
    const skews = [...fleets.values()].map((f) => f.skewMs)
    const isolated = await fleets.get('pertab')?.tabs[0]?.page.evaluate(() => crossOriginIsolated) ?? false
    const memory = await each((c) => measureMemory(browser, fleetOf(c)))
    log('memory done')
    const latency = await rounds(LATENCY.rounds, (f) => latencyRound(f, server, LATENCY.rate, LATENCY.durationMs), (v) => ({
      p50Rounds: v.map((x) => x.p50), p50: spread(v.map((x) => x.p50)), p95: spread(v.map((x) => x.p95)), p99: spread(v.map((x) => x.p99)),
      samples: v.reduce((s, x) => s + x.samples, 0), lost: v.reduce((s, x) => s + x.lost, 0), rateMsgS: LATENCY.rate, durationMs: LATENCY.durationMs,
    }))
    log('latency done')
    const newTabs = await rounds(NEW_TAB_ROUNDS, newTabRound, (v) => v)
    const newTab: Results['newTab'] = { tabrelay: withFirst(newTabs.tabrelay, firstTab.tabrelay), pertab: withFirst(newTabs.pertab, firstTab.pertab), leader: withFirst(newTabs.leader, firstTab.leader) }
    const viaProxy: Target = { ...target, serverUrl: server.proxyUrl }
    const newTabRtt = await each((c) => measureNewTabOverRtt(browser, viaProxy, c, 2 * server.proxyDelayMs))
    log('new tab done')
    const ownerClose = await rounds(OWNER.rounds, (f) => ownerCloseRound(f, server, OWNER.rate, OWNER.durationMs, OWNER.closeAfterMs), (v) => ({
      rounds: v, lostWorstTab: spread(v.map((x) => x.lostWorstTab)), gapMs: spread(v.map((x) => x.gapMs)),
    }))
    log('owner close done')
    const throughput = await each(async (c) => {
      const fleet = fleetOf(c)
      try {
        return await measureThroughput(fleet, server, THROUGHPUT.rates, THROUGHPUT.stepMs)
      } finally {
        // A flooded fleet is done: close it so its backlog does not slow the next contender.
        fleets.delete(c)
        await fleet.close()
        log(`throughput ${c} done`)
      }
    })
    const reload: Results['reload'] = {}
    for (const c of CONTENDERS) reload[c] = await attempt(() => measureReload(browser, target, server, c, true))
    reload['tabrelay-no-extended-lifetime'] = await attempt(() => measureReload(browser, target, server, 'tabrelay', false))
    log('reload done')
    noise.push(yardstick(), yardstick())
    const results: Results = {
      meta: {
        startedAt, durationS: (performance.now() - started) / 1000, command: 'npm run bench', node: process.version,
        chromium: browser.version(), cpus: cpus().length, yardstickMs: spread(noise), clockSkewMs: spread(skews), crossOriginIsolated: isolated,
      },
      bundles, connections, memory, latency, newTab, newTabRtt, ownerClose, throughput, reload, goals: [],
    }
    await publish(results)
  } finally {
    for (const fleet of fleets.values()) await fleet.close().catch(() => undefined)
    await browser.close()
    await server.stop()
    await app.close()
  }
}

/** Goals, then results.json first (so a report failure never loses the figures), the HTML, the table. */
async function publish(results: Results): Promise<void> {
  results.goals = evaluateGoals(results)
  await mkdir(outDir, { recursive: true })
  await writeFile(`${outDir}results.json`, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(`${outDir}report.html`, await renderHtml(results))
  process.stdout.write(`\n${renderTable(results)}\n`)
  log('wrote bench/results.json and bench/report.html')
}

function withFirst(outcome: Outcome<ReadyInfo[]>, first: ReadyInfo[]): Results['newTab']['tabrelay'] {
  return outcome.ok ? { ok: true, value: summariseNewTabs(first, outcome.value, 0) } : outcome
}

// `--report`: re-render the table, goals and HTML from the last bench/results.json, no measuring.
const run = process.argv.includes('--report')
  ? async () => publish(JSON.parse(await readFile(`${outDir}results.json`, 'utf8')) as Results)
  : main
run().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
