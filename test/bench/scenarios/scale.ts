/**
 * tabrelay at scale, in fresh contexts while no other SharedWorker runs: one user with many tabs
 * and topics, then several users in one profile. Each point: server connections and channel
 * joins, the hub's heap after GC, fan-out p50/p99 and the hub's CPU per 1 000 server messages,
 * so the report can show how cost grows with tabs and with topics.
 */
import type { Browser } from 'playwright-core'
import { createTokens } from '../../../demo/server/tokens.ts'
import { DEV_JWT_SECRET } from '../../../demo/server/index.ts'
import type { Target } from '../browser.ts'
import { Fleet, sleep, type FleetOptions } from '../fleet.ts'
import type { ServerHandle } from '../server.ts'
import { percentile, spread, type Spread } from '../stats.ts'
import { WorkerProbe } from '../worker-probe.ts'

/** One measured fleet size. */
export interface ScalePoint {
  users: number; tabs: number; topics: number
  /** Sockets the server accepted and joins it got while this fleet grew (cumulative counters, so a
   * previous fleet's sockets closing late cannot skew them). */
  connections: number; channels: number
  workerHeapBytes: number
  p50Ms: number; p99Ms: number; lost: number
  /** Hub CPU busy per 1 000 server messages (each fanned out to every tab), ms: every non-idle sample. */
  cpuMsPer1000: number
  /** Of which in JavaScript and GC (the `(program)` samples, native and message-loop time, left out). */
  jsMsPer1000: number
  /** How long opening one page took at this size (median of the tabs just added): what 2 cores carry. */
  openMs: Spread
}

export interface ScaleResult { byTabs: ScalePoint[]; byTopics: ScalePoint[]; users: ScalePoint[] }

/** What to open. Browser pages are the cost on 2 cores; run.ts picks the counts. */
export interface ScalePlan {
  /** Tab counts of the one-user fleet, grown in place, at `maxTopics` topics each. */
  tabs: readonly number[]
  maxTopics: number
  /** Topic counts measured apart at `topicTabs` tabs (the `maxTopics` point comes from `tabs`). */
  topics: readonly number[]
  topicTabs: number
  users: number
  tabsPerUser: number
  rate: number
  durationMs: number
}

async function grow(fleet: Fleet, count: number, perTab: (index: number) => FleetOptions = () => ({})): Promise<Spread> {
  const times: number[] = []
  while (fleet.tabs.length < count) {
    const started = performance.now()
    const tab = await fleet.add(perTab(fleet.tabs.length))
    times.push(performance.now() - started)
    if (tab.ready.error !== null) throw new Error(`tab ${fleet.tabs.length}: ${tab.ready.error}`)
  }
  return spread(times)
}

async function point(browser: Browser, fleet: Fleet, server: ServerHandle, base: { connectionsTotal: number; joinsTotal: number }, shape: { users: number; topics: number }, openMs: Spread, plan: ScalePlan): Promise<ScalePoint> {
  // Sockets are open once tabs are SUBSCRIBED; a short pause lets a closing one disappear.
  await sleep(200)
  const now = await server.stats()
  const probe = await WorkerProbe.attach(browser)
  try {
    const workerHeapBytes = await probe.heapBytes()
    const { cpuMs, jsMs, value } = await probe.cpuDuring(() => fleet.stream(server, plan.rate, plan.durationMs))
    const all = value.records.flatMap((r) => r.latencies)
    const per1000 = (ms: number): number => (1000 * ms) / Math.max(1, value.done.sentAt.length)
    return {
      ...shape, tabs: fleet.tabs.length, connections: now.connectionsTotal - base.connectionsTotal, channels: now.joinsTotal - base.joinsTotal,
      workerHeapBytes, p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), lost: value.records.reduce((s, r) => s + r.lost, 0),
      cpuMsPer1000: per1000(cpuMs), jsMsPer1000: per1000(jsMs), openMs,
    }
  } finally {
    await probe.detach()
  }
}

/** One fleet in a fresh context: grown through `sizes`, a point at each; closed at the end. */
async function series(browser: Browser, target: Target, server: ServerHandle, options: FleetOptions, sizes: readonly number[], shape: { users: number; topics: number }, plan: ScalePlan, perTab?: (index: number) => FleetOptions): Promise<ScalePoint[]> {
  const base = await server.stats()
  const fleet = await Fleet.open(browser, target, 'tabrelay', options)
  try {
    const points: ScalePoint[] = []
    for (const size of sizes) {
      const openMs = await grow(fleet, size, perTab)
      if (points.length === 0) await fleet.measureSkew(server)
      points.push(await point(browser, fleet, server, base, shape, openMs, plan))
    }
    return points
  } finally {
    await fleet.close()
  }
}

/**
 * The three series: tabs of one user, topics of one user, users in one profile.
 * @example
 * const scale = await measureScale(browser, target, server, plan, (text) => console.log(text))
 */
export async function measureScale(browser: Browser, target: Target, server: ServerHandle, plan: ScalePlan, log: (text: string) => void): Promise<ScaleResult> {
  const byTabs = await series(browser, target, server, { topics: plan.maxTopics }, plan.tabs, { users: 1, topics: plan.maxTopics }, plan)
  log(`scale by tabs: ${byTabs.map(show).join('; ')}`)
  const byTopics: ScalePoint[] = []
  for (const topics of plan.topics) byTopics.push(...await series(browser, target, server, { topics }, [plan.topicTabs], { users: 1, topics }, plan))
  const atMax = byTabs.find((p) => p.tabs === plan.topicTabs)
  if (atMax !== undefined) byTopics.push(atMax)
  log(`scale by topics: ${byTopics.map(show).join('; ')}`)
  const tokens = createTokens(DEV_JWT_SECRET)
  const userTokens = await Promise.all(Array.from({ length: plan.users }, (_, i) => tokens.mint({ sub: `bench-user-${i}` })))
  // Round-robin, so every user's tabs open interleaved as a real profile would.
  const users = await series(browser, target, server, {}, [plan.users * plan.tabsPerUser], { users: plan.users, topics: 3 }, plan,
    (index) => ({ token: userTokens[index % plan.users] ?? '' }))
  log(`scale by users: ${users.map(show).join('; ')}`)
  return { byTabs, byTopics, users }
}

function show(p: ScalePoint): string {
  return `${p.users}u×${p.tabs}t×${p.topics}top → ${p.connections} conn/${p.channels} ch, heap ${(p.workerHeapBytes / 1e6).toFixed(1)} MB, p99 ${p.p99Ms.toFixed(1)} ms, ` +
    `CPU ${p.cpuMsPer1000.toFixed(0)} (JS ${p.jsMsPer1000.toFixed(0)}) ms/1k msg, open ${p.openMs.median.toFixed(0)} ms/tab`
}
