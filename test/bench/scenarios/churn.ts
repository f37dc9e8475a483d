/**
 * Scenarios where tabs come and go: a new tab joining a busy fleet, the owner tab closing during
 * a stream, and the reload of the only tab.
 */
import type { Browser } from 'playwright-core'
import type { ContenderName, ReadyInfo } from '../app/contract.ts'
import { readySignal, whenReady, type Target } from '../browser.ts'
import { Fleet, senderNow, sleep, type FleetOptions } from '../fleet.ts'
import { attempt, type NewTabResult, type Outcome, type OwnerCloseRound, type ReloadResult, type ReloadRound } from '../results.ts'
import type { ServerHandle } from '../server.ts'
import { gapAround, spread, type Spread } from '../stats.ts'

/**
 * Opens one more tab, returns how it came up, closes it again.
 * @example
 * const ready = await newTabRound(fleet)
 */
export async function newTabRound(fleet: Fleet): Promise<ReadyInfo> {
  const tab = await fleet.add()
  await fleet.closeTab(tab)
  if (tab.ready.error !== null) throw new Error(`new tab: ${tab.ready.error}`)
  return tab.ready
}

/**
 * Summarises new-tab rounds against the first (cold) tab.
 * @example
 * const result = summariseNewTabs(first, rounds, 0)
 */
export function summariseNewTabs(first: ReadyInfo[], rounds: ReadyInfo[], rttMs: number): NewTabResult {
  const fromLoad = rounds.map((r) => r.readyMs - r.loadMs)
  return {
    firstTab: spread(first.map((r) => r.readyMs)),
    newTab: spread(rounds.map((r) => r.readyMs)),
    newTabSubscribe: spread(fromLoad),
    rttMs,
    phases: phasesOf(rounds),
    fromLoadRounds: fromLoad,
  }
}

function phasesOf(rounds: readonly ReadyInfo[]): Record<string, Spread> {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r.marks ?? {})))]
  const phases: Record<string, Spread> = { load: spread(rounds.map((r) => r.loadMs)) }
  for (const name of names) phases[name] = spread(rounds.map((r) => r.marks?.[name] ?? Number.NaN))
  phases['subscribed'] = spread(rounds.map((r) => r.readyMs))
  return phases
}

/**
 * One lane of the new-tab rounds over the delay proxy: a contender, or the floor lane.
 * @example
 * const floor: NewTabLane = { name: 'floor', contender: 'tabrelay', options: { floor: true } }
 */
export interface NewTabLane { name: string; contender: ContenderName; options?: FleetOptions }

/**
 * Each lane in a fresh context whose tabs reach the server through the delay proxy: a first tab,
 * two more, then `rounds` rounds in which every lane opens and closes one new tab, lanes taking
 * turns (the order rotating each round), so a busy moment of the machine hits every lane alike.
 * @example
 * const results = await measureNewTabsOverRtt(browser, viaProxy, [{ name: 'pertab', contender: 'pertab' }], 50, 9)
 */
export async function measureNewTabsOverRtt(browser: Browser, target: Target, lanes: readonly NewTabLane[], rttMs: number, rounds: number): Promise<Map<string, Outcome<NewTabResult>>> {
  const fleets = new Map<string, Fleet>()
  const firsts = new Map<string, ReadyInfo>()
  const results = new Map<string, ReadyInfo[]>()
  const failed = new Map<string, string>()
  try {
    for (const lane of lanes) {
      const opened = await attempt(async () => {
        const fleet = await Fleet.open(browser, target, lane.contender, lane.options)
        fleets.set(lane.name, fleet)
        const first = await fleet.add()
        if (first.ready.error !== null) throw new Error(`first tab: ${first.ready.error}`)
        for (let i = 0; i < 2; i++) await fleet.add()
        return first.ready
      })
      if (opened.ok) { firsts.set(lane.name, opened.value); results.set(lane.name, []) } else failed.set(lane.name, opened.failed)
    }
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[(r + i) % lanes.length]
        const fleet = lane === undefined ? undefined : fleets.get(lane.name)
        if (lane === undefined || fleet === undefined || failed.has(lane.name)) continue
        const round = await attempt(() => newTabRound(fleet))
        if (round.ok) results.get(lane.name)?.push(round.value)
        else failed.set(lane.name, `${round.failed} (round ${r + 1})`)
      }
    }
  } finally {
    for (const fleet of fleets.values()) await fleet.close()
  }
  return new Map(lanes.map((lane): [string, Outcome<NewTabResult>] => {
    const error = failed.get(lane.name)
    const first = firsts.get(lane.name)
    if (error !== undefined || first === undefined) return [lane.name, { ok: false, failed: error ?? 'not run' }]
    return [lane.name, { ok: true, value: summariseNewTabs([first], results.get(lane.name) ?? [], rttMs) }]
  }))
}

/**
 * The gap that counts is a silence overlapping this long after the close: the hub hears of a
 * closed tab 30–40 ms after (its Web Lock), so anything it does about it falls well inside, and a
 * hiccup of the machine a second later is not the close's.
 * @example
 * gapAround(recvAt, closeAt, closeAt + CLOSE_WINDOW_MS, lastSent)
 */
export const CLOSE_WINDOW_MS = 500

/**
 * Streams `rate` msg/s; `closeAfterMs` in, closes the owner tab (the leader for `leader`, the
 * oldest otherwise); then reopens a tab so the fleet keeps its size. `gapMs` is the worst tab's
 * longest silence overlapping the {@link CLOSE_WINDOW_MS} after the close.
 * @example
 * const round = await ownerCloseRound(fleet, server, 200, 2500, 800)
 */
export async function ownerCloseRound(fleet: Fleet, server: ServerHandle, rate: number, durationMs: number, closeAfterMs: number): Promise<OwnerCloseRound> {
  const size = fleet.tabs.length
  let closedWasLeader = false
  let closeAt = Number.NaN
  const { done, records } = await fleet.stream(server, rate, durationMs, async () => {
    const owner = await fleet.owner()
    await sleep(closeAfterMs)
    closedWasLeader = owner.isLeader
    closeAt = senderNow()
    await fleet.closeTab(owner.tab)
  })
  const lastSent = done.sentAt[done.sentAt.length - 1] ?? closeAt
  while (fleet.tabs.length < size) await fleet.add()
  return {
    closedWasLeader,
    sent: done.sentAt.length,
    lostTotal: records.reduce((sum, r) => sum + r.lost, 0),
    lostWorstTab: Math.max(0, ...records.map((r) => r.lost)),
    gapMs: Math.max(0, ...records.map((r) => gapAround(r.recvAt, closeAt, closeAt + CLOSE_WINDOW_MS, lastSent))),
  }
}

const RELOAD_ROUNDS = 3

/**
 * One tab in a fresh context, reloaded `rounds` times during a stream: server connections opened
 * by each reload (`/stats.connectionsTotal`), and the time from the reload to the first event.
 * @example
 * const result = await measureReload(browser, target, server, 'tabrelay', true)
 */
export async function measureReload(browser: Browser, target: Target, server: ServerHandle, contender: ContenderName, isExtendedLifetime: boolean, rounds = RELOAD_ROUNDS): Promise<ReloadResult> {
  const fleet = await Fleet.open(browser, target, contender, { lifetime: isExtendedLifetime })
  try {
    const tab = await fleet.add()
    if (tab.ready.error !== null) throw new Error(`tab: ${tab.ready.error}`)
    await fleet.measureSkew(server)
    const result: ReloadRound[] = []
    for (let i = 0; i < rounds; i++) result.push(await reloadRound(fleet, server))
    return { rounds: result, newConnections: spread(result.map((r) => r.newConnections)), flowMs: spread(result.map((r) => r.flowMs)) }
  } finally {
    await fleet.close()
  }
}

async function reloadRound(fleet: Fleet, server: ServerHandle): Promise<ReloadRound> {
  const tab = fleet.tabs[0]
  if (tab === undefined) throw new Error('no tab')
  const before = (await server.stats()).connectionsTotal
  let reloadAt = 0
  // 1.3 s of stream after the reload starts: a reload here takes ~0.1–0.2 s until events flow again.
  const { records } = await fleet.stream(server, 100, 2000, async () => {
    await sleep(700)
    reloadAt = senderNow()
    const signalled = readySignal(tab.page)
    await tab.page.reload()
    const ready = await whenReady(tab.page, signalled)
    if (ready.error !== null) throw new Error(`after reload: ${ready.error}`)
  })
  // The old page's records went with it: what is left arrived after the reload.
  const first = Math.min(...(records[0]?.recvAt ?? []))
  if (!Number.isFinite(first)) throw new Error('no event reached the reloaded tab')
  await sleep(300)
  const after = (await server.stats()).connectionsTotal
  return { newConnections: after - before, flowMs: first - reloadAt }
}
