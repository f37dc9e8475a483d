/**
 * `npm run bench`: tabrelay, per-tab supabase-js and a leader-tab relay, side by side in one headless
 * Chromium against the local Realtime server (issue 6), plus tabrelay's hub flushing per message in
 * the latency and throughput scenarios. Prints a table, writes test/bench/results/results.json and
 * test/bench/results/report.html. No thresholds: figures only, goals reported, never asserted.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { CONTENDERS, PER_MESSAGE, TAB_HOST, type ContenderName, type Lane, type ReadyInfo } from './app/contract.ts'
import { launch, type Target } from './browser.ts'
import { buildApp, measureBundles, serveApp } from './build.ts'
import { measureAll } from './sizes.ts'
import { runAb } from './ab.ts'
import { runProfiles } from './profile.ts'
import { parseOnly } from './report/ab.ts'
import { Fleet, type FleetOptions } from './fleet.ts'
import { evaluateGoals } from './report/goals.ts'
import { renderHtml } from './report/html.ts'
import { renderTable } from './report/table.ts'
import { attempt, type ConnectionsRow, type LatencyResult, type Outcome, type PerContender, type Results, type ThroughputResult } from './results.ts'
import { measureNewTabsOverRtt, measureReload, newTabRound, ownerCloseRound, summariseNewTabs, type NewTabLane } from './scenarios/churn.ts'
import { ladder, THROUGHPUT_PLAN } from './scenarios/ladder.ts'
import { measureScale, type ScalePlan } from './scenarios/scale.ts'
import { measureSse, SSE_TABS } from './scenarios/sse.ts'
import { measureWebSocket } from './scenarios/websocket.ts'
import { latencyRound, measureConnections, measureMemory, throughputTrial } from './scenarios/steady.ts'
import { startServer, type ServerHandle } from './server.ts'
import { spread, yardstick } from './stats.ts'

const FLEET_SIZE = 10
/**
 * The goals compare tabrelay with per-tab round by round, so those two run `pairRounds` (the
 * paired medians' intervals narrow with them); the other lanes `rounds`, interleaved with the first.
 */
const LATENCY = { rate: 100, durationMs: 1_500, rounds: 4, pairRounds: 12 }
const NEW_TAB_ROUNDS = 5
/** New tabs per lane over the 50 ms RTT proxy, lanes interleaved: the goal is decided on their medians. */
const NEW_TAB_RTT_ROUNDS = 15
const OWNER = { rate: 200, durationMs: 2_000, closeAfterMs: 800, rounds: 3, pairRounds: 5 }
/** The goals' pair: tabrelay and per-tab supabase-js. */
const PAIR: readonly Lane[] = ['tabrelay', 'pertab']
/**
 * ladder.ts: doubling from 500 msg/s (halving to 125 when 500 misses) to the first majority miss,
 * then two bisections for the goal's pair; up to 3 trials a step, lanes interleaved. A trial round
 * after which the CPU yardstick is 1.25× the run's start runs again (another job had the cores).
 */
const THROUGHPUT = THROUGHPUT_PLAN
/** Latency and throughput also run tabrelay flushing per message, right beside tabrelay batching across tasks. */
const WITH_PER_MESSAGE: readonly Lane[] = ['tabrelay', PER_MESSAGE, 'pertab', 'leader']
const PER_MESSAGE_SCHEDULE = '(fn) => queueMicrotask(fn)'
/** Scale: one user's 10 → 50 tabs at 20 topics, 1 and 5 topics at 10 tabs, 5 users × 10 tabs. */
const SCALE: ScalePlan = { tabs: [10, 25, 50], maxTopics: 20, topics: [1, 5], topicTabs: 10, users: 5, tabsPerUser: 10, rate: 100, durationMs: 1_000 }
/** Past this, repeated rounds stop after their first one, so a slow machine still ends in ~5 min. */
const ROUNDS_BUDGET_MS = 200_000

const outDir = fileURLToPath(new URL('./results/', import.meta.url))
const started = performance.now()
const fleets = new Map<Lane, Fleet>()
const noise: number[] = []

function log(text: string): void {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}\n`)
}

function fleetOf(lane: Lane): Fleet {
  const fleet = fleets.get(lane)
  if (fleet === undefined) throw new Error(`no tabs: ${lane === PER_MESSAGE ? 'its fleet' : 'the connections scenario'} could not open them`)
  return fleet
}

/** The contenders' outcomes of a per-lane map (a variant's stay in the map). */
function perContender<T>(outcomes: ReadonlyMap<string, Outcome<T>>): PerContender<T> {
  const of = (c: ContenderName): Outcome<T> => outcomes.get(c) ?? notRun<T>()
  return { tabrelay: of('tabrelay'), pertab: of('pertab'), leader: of('leader') }
}

/** One contender after the other. */
async function each<T>(run: (contender: ContenderName) => Promise<T>): Promise<PerContender<T>> {
  const out = new Map<Lane, Outcome<T>>()
  for (const contender of CONTENDERS) out.set(contender, await attempt(() => run(contender)))
  return perContender(out)
}

/**
 * Rounds interleaved across lanes, so a noisy moment of the machine hits all of them alike; the
 * `pair` lanes go on alone, still interleaved, up to `pairCount` rounds.
 */
async function rounds<T, R>(count: number, round: (fleet: Fleet) => Promise<T>, sum: (values: T[]) => R, lanes: readonly Lane[] = CONTENDERS, pairCount = count): Promise<Map<Lane, Outcome<R>>> {
  const values = new Map<Lane, T[]>(lanes.map((lane) => [lane, []]))
  const errors = new Map<Lane, string>()
  for (let r = 0; r < Math.max(count, pairCount); r++) {
    if (r > 0 && performance.now() - started > ROUNDS_BUDGET_MS) break
    for (const lane of lanes) {
      if (errors.has(lane) || r >= (PAIR.includes(lane) ? pairCount : count)) continue
      const outcome = await attempt(() => round(fleetOf(lane)))
      if (outcome.ok) values.get(lane)?.push(outcome.value)
      else errors.set(lane, `${outcome.failed} (round ${r + 1})`)
    }
    noise.push(yardstick())
  }
  return new Map(lanes.map((lane): [Lane, Outcome<R>] => {
    const error = errors.get(lane)
    return [lane, error === undefined ? { ok: true, value: sum(values.get(lane) ?? []) } : { ok: false, failed: error }]
  }))
}

/** A tabrelay variant's fleet of 10 tabs (opened after the memory scenario, which expects one SharedWorker), with its server share. */
async function openVariant(browser: Browser, target: Target, server: ServerHandle, lane: Lane, options: FleetOptions): Promise<ConnectionsRow> {
  const base = await server.stats()
  const fleet = await Fleet.open(browser, target, 'tabrelay', options)
  try {
    while (fleet.tabs.length < FLEET_SIZE) {
      const tab = await fleet.add()
      if (tab.ready.error !== null) throw new Error(`tab ${fleet.tabs.length}: ${tab.ready.error}`)
    }
    await fleet.measureSkew(server)
  } catch (error) {
    await fleet.close()
    throw error
  }
  fleets.set(lane, fleet)
  const now = await server.stats()
  return { tabs: FLEET_SIZE, connections: now.connections - base.connections, channels: now.channels - base.channels, readyFailures: 0 }
}

function sumLatency(v: { p50: number; p95: number; p99: number; samples: number; lost: number }[]): LatencyResult {
  return {
    p50Rounds: v.map((x) => x.p50), p99Rounds: v.map((x) => x.p99), p50: spread(v.map((x) => x.p50)), p95: spread(v.map((x) => x.p95)), p99: spread(v.map((x) => x.p99)),
    samples: v.reduce((s, x) => s + x.samples, 0), lost: v.reduce((s, x) => s + x.lost, 0), rateMsgS: LATENCY.rate, durationMs: LATENCY.durationMs,
  }
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
  // `npm run size`'s rows: the tab entries and one worker per transport, as an app bundles them.
  const sizes = await attempt(() => measureAll())
  log(`built; tab bundles gz: ${bundles.map((b) => `${b.contender} ${b.gzipBytes} B`).join(', ')}; ${sizes.ok ? `${sizes.value.length} size rows` : sizes.failed}`)
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
    const perMessageOpened = await attempt(() => openVariant(browser, target, server, PER_MESSAGE, { batching: 'microtask' }))
    log(perMessageOpened.ok ? `${PER_MESSAGE}: ${FLEET_SIZE} tabs open` : `${PER_MESSAGE}: ${perMessageOpened.failed}`)
    // BENCH_REPLAY=1: the tab-host lane on private channels with a persisted stream, resumed through Broadcast Replay.
    const tabHostConnections = await attempt(() => openVariant(browser, target, server, TAB_HOST, { host: 'leader-tab', replay: process.env['BENCH_REPLAY'] === '1' }))
    log(tabHostConnections.ok ? `${TAB_HOST}: ${FLEET_SIZE} tabs → ${tabHostConnections.value.connections} conn` : `${TAB_HOST}: ${tabHostConnections.failed}`)
    const latencies = await rounds(LATENCY.rounds, (f) => latencyRound(f, server, LATENCY.rate, LATENCY.durationMs), sumLatency, [...WITH_PER_MESSAGE, TAB_HOST], LATENCY.pairRounds)
    const latency = perContender(latencies)
    log('latency done')
    const newTabs = perContender(await rounds(NEW_TAB_ROUNDS, newTabRound, (v) => v))
    const newTab: Results['newTab'] = { tabrelay: withFirst(newTabs.tabrelay, firstTab.tabrelay), pertab: withFirst(newTabs.pertab, firstTab.pertab), leader: withFirst(newTabs.leader, firstTab.leader) }
    const viaProxy: Target = { ...target, serverUrl: server.proxyUrl }
    // Beside the contenders, the floor lane: a bare SharedWorker's connect and one answer (app/floor.ts).
    const rttLanes: NewTabLane[] = [...CONTENDERS.map((c) => ({ name: c, contender: c })), { name: 'floor', contender: 'tabrelay', options: { floor: true } }]
    const rttOutcomes = await measureNewTabsOverRtt(browser, viaProxy, rttLanes, 2 * server.proxyDelayMs, NEW_TAB_RTT_ROUNDS)
    const newTabRtt = perContender(rttOutcomes)
    const newTabRttFloor = rttOutcomes.get('floor') ?? notRun()
    log('new tab done')
    const owners = await rounds(OWNER.rounds, (f) => ownerCloseRound(f, server, OWNER.rate, OWNER.durationMs, OWNER.closeAfterMs), (v) => ({
      rounds: v, lostWorstTab: spread(v.map((x) => x.lostWorstTab)), gapMs: spread(v.map((x) => x.gapMs)),
    }), [...CONTENDERS, TAB_HOST], OWNER.pairRounds)
    const ownerClose = perContender(owners)
    await fleets.get(TAB_HOST)?.close()
    fleets.delete(TAB_HOST)
    const tabHost: Results['tabHost'] = { connections: tabHostConnections, latency: latencies.get(TAB_HOST) ?? notRun(), ownerClose: owners.get(TAB_HOST) ?? notRun() }
    log('owner close done')
    const { throughputs, yardsticks } = await throughputOf(server)
    const throughput = perContender(throughputs)
    const reload: Results['reload'] = {}
    for (const c of CONTENDERS) reload[c] = await attempt(() => measureReload(browser, target, server, c, true))
    reload['tabrelay-no-extended-lifetime'] = await attempt(() => measureReload(browser, target, server, 'tabrelay', false))
    log('reload done')
    // Last: every other fleet is closed, so the hub under test is the only SharedWorker.
    const scale = await attempt(() => measureScale(browser, target, server, SCALE, log))
    if (!scale.ok) log(`scale: ${scale.failed}`)
    const sse = await attempt(() => measureSse(browser))
    log(sse.ok ? `sse: streams ${sse.value.tabrelay.streams} vs ${sse.value.eventsource.streams}, receiving ${sse.value.tabrelay.receiving} vs ${sse.value.eventsource.receiving} of ${SSE_TABS}` : `sse: ${sse.failed}`)
    const websocket = await attempt(() => measureWebSocket(browser))
    log(websocket.ok ? `websocket: sockets ${websocket.value.tabrelay.sockets.map((s) => s.sockets).join('/')} vs ${websocket.value.socket.sockets.map((s) => s.sockets).join('/')}, p50 ${websocket.value.tabrelay.p50Ms.median.toFixed(2)} vs ${websocket.value.socket.p50Ms.median.toFixed(2)} ms` : `websocket: ${websocket.failed}`)
    noise.push(yardstick(), yardstick())
    const results: Results = {
      meta: {
        startedAt, durationS: (performance.now() - started) / 1000, command: 'npm run bench', node: process.version,
        chromium: browser.version(), cpus: cpus().length, yardstickMs: spread(noise), clockSkewMs: spread(skews), crossOriginIsolated: isolated,
      },
      bundles, connections, memory, latency, newTab, newTabRtt, newTabRttFloor, ownerClose, throughput, throughputYardsticks: yardsticks, reload, scale, sizes, tabHost, sse, websocket,
      variants: [{
        name: 'tabrelay (per-message)', lane: PER_MESSAGE, schedule: PER_MESSAGE_SCHEDULE,
        latency: latencies.get(PER_MESSAGE) ?? notRun<LatencyResult>(), throughput: throughputs.get(PER_MESSAGE) ?? notRun<ThroughputResult>(),
      }],
      goals: [],
    }
    await publish(results)
  } finally {
    for (const fleet of fleets.values()) await fleet.close().catch(() => undefined)
    await browser.close()
    await server.stop()
    await app.close()
  }
}

/** Every lane up the rates together, trial by trial; then the fleets close (a flooded one would slow what follows). */
async function throughputOf(server: ServerHandle): Promise<{ throughputs: Map<Lane, Outcome<ThroughputResult>>; yardsticks: Results['throughputYardsticks'] }> {
  const lanes = WITH_PER_MESSAGE.filter((lane) => fleets.has(lane))
  const { startMsgS, topMsgS, floorMsgS, trials, refinements } = THROUGHPUT
  const quiet = spread(noise.slice(0, 2)).median
  const plan = { lanes, startMsgS, topMsgS, floorMsgS, trials, refinements, refine: PAIR, noisyMs: THROUGHPUT.noisyFactor * quiet }
  const result = await ladder(plan, (lane, rate) => throughputTrial(fleetOf(lane), server, rate, THROUGHPUT.stepMs), yardstick)
  for (const lane of lanes) {
    await fleets.get(lane)?.close()
    fleets.delete(lane)
  }
  const throughputs = new Map<Lane, Outcome<ThroughputResult>>()
  for (const [lane, value] of result.lanes) throughputs.set(lane, typeof value === 'string' ? { ok: false, failed: value } : { ok: true, value })
  log(`throughput done: ${[...throughputs].map(([lane, o]) => `${lane} ${o.ok ? `${o.value.maxSustainedMsgS}–${o.value.missedMsgS ?? '∞'}${o.value.senderLimitedMsgS == null ? '' : ` (sender-limited at ${o.value.senderLimitedMsgS})`}` : o.failed}`).join(', ')}`)
  noise.push(...result.yardsticks.map((y) => y.ms))
  return { throughputs, yardsticks: result.yardsticks }
}

function notRun<T>(): Outcome<T> {
  return { ok: false, failed: 'failed: not run' }
}

/** Goals, then results.json first (so a report failure never loses the figures), the HTML, the table. */
async function publish(results: Results): Promise<void> {
  results.goals = evaluateGoals(results)
  await mkdir(outDir, { recursive: true })
  await writeFile(`${outDir}results.json`, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(`${outDir}report.html`, await renderHtml(results))
  process.stdout.write(`\n${renderTable(results)}\n`)
  log('wrote test/bench/results/results.json and test/bench/results/report.html')
}

function withFirst(outcome: Outcome<ReadyInfo[]>, first: ReadyInfo[]): Results['newTab']['tabrelay'] {
  return outcome.ok ? { ok: true, value: summariseNewTabs(first, outcome.value, 0) } : outcome
}

/** `--against <ref> [--only a,b]`: the A/B run (ab.ts), stored as `ab` in test/bench/results/results.json beside the last full run's figures. */
async function mainAb(ref: string): Promise<void> {
  const result = await runAb(ref, parseOnly(argValue('--only')), log)
  const path = `${outDir}results.json`
  const previous = await readFile(path, 'utf8').then((text) => JSON.parse(text) as Results, () => undefined)
  await mkdir(outDir, { recursive: true })
  await writeFile(path, `${JSON.stringify(previous === undefined ? { ab: result } : { ...previous, ab: result }, null, 2)}\n`)
  log('wrote the A/B table to test/bench/results/results.json (ab)')
}

function argValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag)
  const value = index < 0 ? undefined : process.argv[index + 1]
  if (index >= 0 && (value === undefined || value.startsWith('--'))) throw new Error(`${flag} needs a value`)
  return value
}

// `--report`: re-render the table, goals and HTML from the last test/bench/results/results.json, no measuring;
// `--profile [--against <ref>]`: the hub's CPU profiles (profile.ts).
const against = argValue('--against')
if (against === undefined && argValue('--only') !== undefined) throw new Error('--only picks scenarios of an A/B run: add --against <git-ref>')
const run = process.argv.includes('--report')
  ? async () => publish(JSON.parse(await readFile(`${outDir}results.json`, 'utf8')) as Results)
  : process.argv.includes('--profile') ? () => runProfiles(against, log)
    : against !== undefined ? () => mainAb(against) : main
run().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
