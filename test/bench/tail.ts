/**
 * `npm run bench:tail`: where tabrelay's fan-out tail comes from. tabrelay on the probe hub and
 * per-tab supabase-js with stamped frames (scenarios/tail.ts), 10 tabs each at 100 msg/s, rounds
 * interleaved; prints each lane's hop breakdown as Markdown. A diagnostic beside `npm run bench`,
 * not part of it: the stamps themselves cost a little.
 */
import { writeFile } from 'node:fs/promises'
import { launch } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import { breakdown, byExtra, tailRound, type HopSample } from './scenarios/tail.ts'
import { startServer } from './server.ts'
import { percentile } from './stats.ts'

const TABS = 10
const RATE = 100
const DURATION_MS = 1_500
const ROUNDS = Number(process.env['TAIL_ROUNDS'] ?? '8')
/** The stamps each lane carries, in path order (the callback comes last). */
const LANES = [
  { name: 'tabrelay', contender: 'tabrelay' as const, order: ['frame', 'hub', 'drain', 'flush', 'port'] },
  { name: 'per-tab supabase-js', contender: 'pertab' as const, order: ['frame'] },
]
const MEANING: Record<string, string> = {
  frame: 'sender → socket frame in the receiving thread (server, network, that thread\'s event loop)',
  hub: 'frame → decoded, in the hub (realtime-js)',
  drain: 'hub → the outbox flush for this tab begins (routing, outbox wait)',
  flush: 'flush begins → its Comlink call to this tab posted (calls to the tabs before it)',
  port: 'posted → the tab\'s event loop takes it (the port hop)',
  callback: 'then → the app callback (decode and dispatch in the tab)',
}

function table(name: string, samples: readonly HopSample[], rounds: number[]): string {
  const b = breakdown(samples)
  const f = (v: number): string => v.toFixed(2)
  const lines = [`${name}: ${b.samples} arrivals; total p50 ${f(b.total.p50)} / p99 ${f(b.total.p99)} ms; per round p99 ${rounds.map(f).join(', ')} ms; ` +
    `slowest 1 %: ${b.tailArrivals} arrivals of ${b.tailMessages} messages`, '', '| segment | p50 ms | p99 ms | median in slowest 1 % |', '| --- | --- | --- | --- |']
  for (const s of b.segments) lines.push(`| ${s.segment}: ${MEANING[s.segment] ?? ''} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.inTail)} |`)
  for (const x of b.extras) lines.push('', `${x.name}: mean ${f(x.mean)} over all arrivals, ${f(x.inTail)} in the slowest 1 %`)
  const ranks = byExtra(samples, 'rank', 'drain')
  if (ranks.length > 0) lines.push('', `drain p50 by rank (the how-manyth tab a message was posted to): ${ranks.map((r) => `${r.value}: ${f(r.p50)}`).join(', ')} ms`)
  return lines.join('\n')
}

async function main(): Promise<void> {
  await buildApp()
  const app = await serveApp()
  const server = await startServer()
  const browser = await launch()
  try {
    const target = { origin: app.origin, serverUrl: server.url, anonKey: server.anonKey }
    const fleets: Fleet[] = []
    for (const lane of LANES) {
      const fleet = await Fleet.open(browser, target, lane.contender, { probe: true })
      while (fleet.tabs.length < TABS) {
        const tab = await fleet.add()
        if (tab.ready.error !== null) throw new Error(`${lane.name} tab ${fleet.tabs.length}: ${tab.ready.error}`)
      }
      await fleet.measureSkew(server)
      fleets.push(fleet)
    }
    const samples: HopSample[][] = LANES.map(() => [])
    const roundP99: number[][] = LANES.map(() => [])
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, lane] of LANES.entries()) {
        const fleet = fleets[i]
        if (fleet === undefined) continue
        const round = await tailRound(fleet, server, RATE, DURATION_MS, lane.order)
        samples[i]?.push(...round)
        roundP99[i]?.push(percentile(round.map((s) => s.totalMs), 99))
      }
      process.stdout.write(`round ${r + 1}/${ROUNDS}\n`)
    }
    // TAIL_DUMP=<file>: every arrival's segments as JSON, for a closer look than the tables.
    const dump = process.env['TAIL_DUMP']
    if (dump !== undefined) await writeFile(dump, JSON.stringify(samples))
    const out = LANES.map((lane, i) => table(lane.name, samples[i] ?? [], roundP99[i] ?? []))
    process.stdout.write(`\n${out.join('\n\n')}\n`)
  } finally {
    await browser.close()
    await server.stop()
    await app.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:tail failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
