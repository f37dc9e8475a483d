/**
 * The lanes of an A/B run (ab.ts) and how they take turns: each lane's fleet of tabs, rounds
 * interleaved so a busy moment of the shared machine hits every lane alike, the hub's own counters
 * and a DevTools probe on each lane's SharedWorker.
 */
import type { Browser } from 'playwright-core'
import type { Target } from './browser.ts'
import { Fleet } from './fleet.ts'
import type { ServerHandle } from './server.ts'
import { WorkerProbe } from './worker-probe.ts'

/**
 * One lane: its name (topics) and the origin its build is served from; `isFloor` for the floor lane (app/floor.ts).
 * @example
 * const lane: AbLane = { name: 'tabrelay', target: { origin, serverUrl: server.url, anonKey: server.anonKey } }
 */
export interface AbLane { name: string; target: Target; isFloor?: boolean }

/**
 * What every A/B scenario runs with.
 * @example
 * const ctx: AbContext = { browser, server, lanes, log: console.log, noise: [yardstick()] }
 */
export interface AbContext { browser: Browser; server: ServerHandle; lanes: readonly [AbLane, AbLane]; log: (text: string) => void; noise: number[] }

/**
 * Every lane once, `rounds` times: per lane (by index) the values in round order.
 * @example
 * const [a = [], b = []] = await interleave(lanes, 6, (i) => measure(i))
 */
export async function interleave<T>(lanes: readonly AbLane[], rounds: number, round: (laneIndex: number) => Promise<T>): Promise<T[][]> {
  const out: T[][] = lanes.map(() => [])
  for (let r = 0; r < rounds; r++) {
    // Alternate who goes first, so neither lane always runs right after the other's load.
    const order = r % 2 === 0 ? lanes.map((_, i) => i) : lanes.map((_, i) => lanes.length - 1 - i)
    for (const i of order) out[i]?.push(await round(i))
  }
  return out
}

/**
 * Opens a fleet per lane (or grows `fleets`), tabs added alternately up to `tabs` each.
 * @example
 * const fleets = await openFleets(browser, lanes, 10, 3, server)
 */
export async function openFleets(browser: Browser, lanes: readonly AbLane[], tabs: number, topics: number, server: ServerHandle, fleets: Fleet[] = []): Promise<Fleet[]> {
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

/**
 * Closes every fleet, ignoring one that already went.
 * @example
 * try { ... } finally { await closeAll(fleets) }
 */
export async function closeAll(fleets: readonly Fleet[]): Promise<void> {
  for (const fleet of fleets) await fleet.close().catch(() => undefined)
}

/**
 * What `work` made the fleet's hub do, from its own counters (read through the first tab): deliver
 * calls per 1 000 deliveries. A count, so the machine's load does not blur it, though how the
 * outbox batches does depend on how fast tabs answer. NaN for a hub without the counters.
 * @example
 * const { value, per1000 } = await callsPer1000(fleet, () => latencyRound(fleet, server, 100, 1500))
 */
export async function callsPer1000<T>(fleet: Fleet, work: () => Promise<T>): Promise<{ value: T; per1000: number }> {
  const read = async (): Promise<{ delivered: number; batches: number } | null> => (await fleet.tabs[0]?.page.evaluate(() => window.bench?.hubStats() ?? null)) ?? null
  const before = await read()
  const value = await work()
  const after = await read()
  const delivered = (after?.delivered ?? Number.NaN) - (before?.delivered ?? Number.NaN)
  return { value, per1000: delivered > 0 ? (1000 * ((after?.batches ?? Number.NaN) - (before?.batches ?? Number.NaN))) / delivered : Number.NaN }
}

/**
 * The lane's only SharedWorker; a worker of a context closed just before may take a moment to go.
 * @example
 * const probe = await probeOf(browser, (url) => url.startsWith(`${lane.target.origin}/`))
 */
export async function probeOf(browser: Browser, matches: (url: string) => boolean): Promise<WorkerProbe> {
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

/**
 * The fleet of lane `index`; throws when there is none (a bug in the scenario).
 * @example
 * const fleet = fleetAt(fleets, lanes, 0)
 */
export function fleetAt(fleets: readonly Fleet[], lanes: readonly AbLane[], index: number): Fleet {
  const fleet = fleets[index]
  if (fleet === undefined) throw new Error(`no fleet for ${lanes[index]?.name ?? index}`)
  return fleet
}
