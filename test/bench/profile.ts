/**
 * `npm run bench -- --profile [--against <ref>]`: CPU profiles of the hub (the SharedWorker, over
 * CDP) on its two hot paths, for the current code and, with `--against`, the ref's, lanes
 * one after the other: delivery (10 tabs × 3 topics, streams at `DELIVERY.rates`, the first tab's main
 * thread profiled too) and hello (new tabs
 * opened and closed one by one). Unminified builds, so the profile names functions; prints the
 * busiest functions per path and writes each `.cpuprofile` (DevTools opens it) under
 * test/bench/out/profiles/.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { buildAgainst } from './against.ts'
import { launch, type Target } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import { renderHotSpots } from './report/profile.ts'
import { newTabRound } from './scenarios/churn.ts'
import { startServer } from './server.ts'
import { isProfile, WorkerProbe, type Profile } from './worker-probe.ts'

/** The stream rates profiled: one the hub delivers message by message, one where it batches. */
const DELIVERY = { tabs: 10, rates: [400, 2_000], durationMs: 2_000 }
const HELLOS = 8
const outDir = fileURLToPath(new URL('./out/profiles/', import.meta.url))

/**
 * Profiles both paths of each lane, prints the hot spots, writes the profiles.
 * @example
 * await runProfiles('677b2e4', console.log)
 */
export async function runProfiles(ref: string | undefined, log: (text: string) => void): Promise<void> {
  await buildApp(false)
  const against = ref === undefined ? undefined : await buildAgainst(ref, false)
  const apps = [await serveApp(), ...(against === undefined ? [] : [await serveApp(against.outDir)])]
  const server = await startServer()
  const browser = await launch()
  await mkdir(outDir, { recursive: true })
  const names = ['current', ...(against === undefined ? [] : [against.lane])]
  const tables: string[] = []
  try {
    for (const [i, app] of apps.entries()) {
      const name = names[i] ?? 'lane'
      const target: Target = { origin: app.origin, serverUrl: server.url, anonKey: server.anonKey }
      const fleet = await Fleet.open(browser, target, 'tabrelay', { name: name === 'current' ? 'tabrelay' : name })
      try {
        while (fleet.tabs.length < DELIVERY.tabs) {
          const tab = await fleet.add()
          if (tab.ready.error !== null) throw new Error(`${name}: ${tab.ready.error}`)
        }
        await fleet.measureSkew(server)
        const probe = await WorkerProbe.attach(browser, (url) => url.startsWith(`${app.origin}/`))
        try {
          for (const rate of DELIVERY.rates) {
            // The first tab's main thread too: what a delivery costs on the tab's side.
            const tab = await tabProfiler(fleet)
            const before = await hubStats(fleet)
            const delivery = await probe.profileDuring(() => fleet.stream(server, rate, DELIVERY.durationMs), 100)
            const after = await hubStats(fleet)
            const tabProfile = await tab.stop()
            const sent = delivery.value.done.sentAt.length
            const lost = delivery.value.records.reduce((n, r) => n + r.lost, 0)
            // Counts, not times: what the hub did does not depend on how busy the machine was.
            const calls = after.batches - before.batches
            const delivered = after.delivered - before.delivered
            const shape = `${DELIVERY.tabs} tabs, ${rate} msg/s × ${DELIVERY.durationMs / 1000} s (${lost} lost; ${delivered} deliveries in ${calls} deliver calls, ${(delivered / Math.max(1, calls)).toFixed(2)} per call)`
            tables.push(await keep(`${name} hub delivery, ${shape}`, `${slug(name)}-delivery-${rate}`, delivery.profile, sent))
            tables.push(await keep(`${name} first tab's main thread, ${shape}`, `${slug(name)}-tab-${rate}`, tabProfile, sent))
          }
          const hello = await probe.profileDuring(async () => { for (let n = 0; n < HELLOS; n++) await newTabRound(fleet) }, 100)
          tables.push(await keep(`${name} hello, ${HELLOS} new tabs (per 1 000 = per 1 000 tabs)`, `${slug(name)}-hello`, hello.profile, HELLOS))
        } finally {
          await probe.detach()
        }
      } finally {
        await fleet.close()
      }
      log(`${name} profiled`)
    }
  } finally {
    await browser.close()
    await server.stop()
    for (const app of apps) await app.close()
  }
  process.stdout.write(`\n${tables.join('\n\n')}\n`)
}

/** The hub's delivery counters, read through the fleet's first tab. */
async function hubStats(fleet: Fleet): Promise<{ delivered: number; batches: number }> {
  const stats = await fleet.tabs[0]?.page.evaluate(() => window.bench?.hubStats() ?? null)
  return stats ?? { delivered: Number.NaN, batches: Number.NaN }
}

/** A sampling profile of the fleet's first tab, started now. */
async function tabProfiler(fleet: Fleet): Promise<{ stop(): Promise<Profile | null> }> {
  const page = fleet.tabs[0]?.page
  if (page === undefined) throw new Error('no tab')
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
  await cdp.send('Profiler.start')
  return {
    async stop() {
      const { profile } = await cdp.send('Profiler.stop')
      await cdp.detach()
      return isProfile(profile) ? profile : null
    },
  }
}

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '_')
}

async function keep(title: string, file: string, profile: Profile | null, messages: number): Promise<string> {
  if (profile === null) return `### ${title}: no profile`
  await writeFile(`${outDir}${file}.cpuprofile`, JSON.stringify(profile))
  return renderHotSpots(title, profile, messages, 25)
}
