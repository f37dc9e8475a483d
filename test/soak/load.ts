/**
 * The load scenario of issue #12: 50 tabs × 20 topics, 200 msg/s in total for 60 s, with tab
 * churn (a random tab closes and a new one opens every second), server-side socket drops and token
 * refreshes (`setAuth` with a freshly minted token in a random tab).
 */
import type { HubStats } from '../../src/contract/protocol.ts'
import type { Hub } from '../../worker/hub.ts'
import type { ServerControl } from './control.ts'
import { SoakTab, until } from './fleet.ts'
import { sampleHeap, slopeMbPerMin, type HeapSample } from './heap.ts'
import { addSums, emptySums, tail, tallyOf, type Tally } from './tally.ts'

/** The load and what was thrown at it. */
export interface LoadPlan {
  tabs: number
  topics: number
  rate: number
  durationMs: number
  churnEveryMs: number
  dropEveryMs: number
  tokenEveryMs: number
}

/** What the scenario measured. */
export interface LoadResult {
  plan: LoadPlan
  tally: Tally
  faults: { churned: number; drops: number; tokenRefreshes: number; tokenFailures: number }
  heap: { samples: HeapSample[]; slopeMbPerMin: number; isExact: boolean }
  publisherLateMs: number
  hub: HubStats
  serverSockets: number
  failures: string[]
}

/** The figures. */
export const LOAD: LoadPlan = { tabs: 50, topics: 20, rate: 200, durationMs: 60_000, churnEveryMs: 1_000, dropEveryMs: 15_000, tokenEveryMs: 10_000 }

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)]

/**
 * Runs the load scenario against a hub on the server.
 * @example
 * const result = await runLoad(hub, server, LOAD)
 */
export async function runLoad(hub: Hub, server: ServerControl, plan: LoadPlan): Promise<LoadResult> {
  const failures: string[] = []
  const topics = Array.from({ length: plan.topics }, (_, i) => `soak:load:${i}`)
  let token = (await server.ask<'token'>({ type: 'token', sub: 'soak-user' }, 5_000)).token
  const options = { hub, url: server.url, anonKey: server.anonKey, token: () => token, topics, expectedPerTopic: Math.ceil((plan.rate * plan.durationMs) / 1000 / plan.topics) + 16 }
  let serial = 0
  // A closed tab leaves only its sums: its client or its ledgers would show up as heap growth.
  const retired = emptySums()
  const open: SoakTab[] = []
  const openTab = (): void => {
    open.push(new SoakTab(options, `load-${serial++}`, false, 5_000))
  }
  for (let i = 0; i < plan.tabs; i += 1) openTab()
  if (!(await until(() => open.every((tab) => tab.isSubscribed), 60_000))) failures.push('not every tab subscribed within 60 s')
  const heap = sampleHeap(1_000)
  const faults = { churned: 0, drops: 0, tokenRefreshes: 0, tokenFailures: 0 }
  const inFlight = new Set<Promise<unknown>>()
  const track = (promise: Promise<unknown>): void => { inFlight.add(promise); void promise.finally(() => inFlight.delete(promise)) }
  const published = server.ask<'published'>({ type: 'publish', topics, rate: plan.rate, durationMs: plan.durationMs, firstSeq: topics.map(() => 0) }, 2 * plan.durationMs + 15_000)
  let isPublishing = true
  void published.finally(() => { isPublishing = false })
  const timers = [
    setInterval(() => {
      const victim = pick(open)
      if (!victim) return
      open.splice(open.indexOf(victim), 1)
      faults.churned += 1
      track(victim.close().then(openTab, () => failures.push(`closing ${victim.id} failed`)).finally(() => addSums(retired, [victim])))
    }, plan.churnEveryMs),
    setInterval(() => {
      faults.drops += 1
      track(server.ask({ type: 'drop' }, 5_000).catch(() => failures.push('a drop got no answer')))
    }, plan.dropEveryMs),
    setInterval(() => {
      track(server.ask<'token'>({ type: 'token', sub: 'soak-user' }, 5_000).then(async (fresh) => {
        token = fresh.token
        await pick(open)?.relay.setAuth(fresh.token)
        faults.tokenRefreshes += 1
      }).catch(() => { faults.tokenFailures += 1 }))
    }, plan.tokenEveryMs),
  ]
  await until(() => !isPublishing, 2 * plan.durationMs + 20_000)
  for (const timer of timers) clearInterval(timer)
  const samples = heap.stop()
  const done = await published
  const counts = [...done.counts]
  // Faults still in flight finish (each close opens its replacement) before the tail.
  await Promise.allSettled([...inFlight])
  if (open.length !== plan.tabs) failures.push(`${open.length} tabs open at the end, expected ${plan.tabs}`)
  const tailMissing = await tail(server, open, topics, counts, 30_000)
  const hub_ = await open[0]?.relay.stats()
  const sockets = (await server.ask<'stats'>({ type: 'stats' }, 5_000)).sockets
  const last = open.splice(0)
  for (const tab of last) await tab.close()
  const tally = tallyOf(last, counts, tailMissing, retired)
  // The first sixth holds JIT warm-up and the first joins' allocations; the trend is after it.
  const slope = slopeMbPerMin(samples.filter((p) => p.s >= plan.durationMs / 6000))
  if (tally.lost > 0) failures.push(`${tally.lost} lost`)
  if (tally.duplicated > 0) failures.push(`${tally.duplicated} duplicated`)
  if (tally.malformed > 0) failures.push(`${tally.malformed} malformed payloads`)
  if (sockets !== 1) failures.push(`${sockets} server sockets at the end, expected 1 shared by all tabs`)
  if (slope > 2) failures.push(`heap growth ${slope.toFixed(2)} MB/min`)
  if (!hub_) failures.push('no stats')
  return {
    plan, tally, faults, heap: { samples, slopeMbPerMin: slope, isExact: heap.isExact }, publisherLateMs: done.lateMs,
    hub: hub_ ?? never(), serverSockets: sockets, failures,
  }
}

function never(): never {
  throw new Error('no tab was open to ask the hub for stats')
}
