/**
 * Where a sampling profile's time goes: per function (name, file, line), its self time (samples
 * in it) and total time (samples with it anywhere on the stack), busiest first. `npm run bench --
 * --profile` (profile.ts) prints these for the hub's delivery and hello paths.
 */
import type { Profile } from '../worker-probe.ts'

/**
 * One function's share of a profile, ms.
 * @example
 * const spot: HotSpot = { name: 'postMessage', where: 'sink-link.ts:38', selfMs: 120.4, totalMs: 130.2 }
 */
export interface HotSpot { name: string; where: string; selfMs: number; totalMs: number }

const SKIP = new Set(['(idle)', '(root)'])

function keyOf(frame: Profile['nodes'][number]['callFrame']): { name: string; where: string } {
  const file = (frame.url ?? '').split('/').pop()?.split('?')[0] ?? ''
  // DevTools lines are 0-based.
  const where = file === '' ? '' : `${file}:${(frame.lineNumber ?? -1) + 1}`
  return { name: frame.functionName === '' ? '(anonymous)' : frame.functionName, where }
}

/**
 * The `top` busiest functions by self time, with their total time beside it.
 * @example
 * hotSpots(profile, 20)[0] // { name: '(garbage collector)', where: '', selfMs: 210, totalMs: 210 }
 */
export function hotSpots(profile: Profile, top = 20): HotSpot[] {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const spots = new Map<string, HotSpot>()
  const spotOf = (id: number): HotSpot | undefined => {
    const node = byId.get(id)
    if (node === undefined || SKIP.has(node.callFrame.functionName)) return undefined
    const { name, where } = keyOf(node.callFrame)
    const key = `${name}@${where}`
    let spot = spots.get(key)
    if (spot === undefined) { spot = { name, where, selfMs: 0, totalMs: 0 }; spots.set(key, spot) }
    return spot
  }
  const samples = profile.samples ?? []
  samples.forEach((id, i) => {
    const ms = (profile.timeDeltas?.[i] ?? 0) / 1000
    const self = spotOf(id)
    if (self === undefined) return
    self.selfMs += ms
    // Each function once per sample, however often it recurs on the stack.
    const seen = new Set<HotSpot>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const spot = spotOf(at)
      if (spot !== undefined && !seen.has(spot)) { seen.add(spot); spot.totalMs += ms }
    }
  })
  return [...spots.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
}

/**
 * The hot spots as Markdown rows, with the busy total on top.
 * @example
 * renderHotSpots('delivery, 10 tabs, 1 500 msg/s', profile, 1500)
 */
export function renderHotSpots(title: string, profile: Profile, messages: number, top = 20): string {
  const spots = hotSpots(profile, top)
  const busy = hotSpots(profile, Number.POSITIVE_INFINITY).reduce((sum, s) => sum + s.selfMs, 0)
  const per1000 = (ms: number): string => (messages > 0 ? ((1000 * ms) / messages).toFixed(1) : '—')
  return [
    `### ${title}: busy ${busy.toFixed(0)} ms (${per1000(busy)} ms per 1 000 messages)`,
    '| function | where | self ms | total ms | self per 1 000 msg |',
    '|---|---|---|---|---|',
    ...spots.map((s) => `| ${s.name} | ${s.where} | ${s.selfMs.toFixed(1)} | ${s.totalMs.toFixed(1)} | ${per1000(s.selfMs)} |`),
  ].join('\n')
}
