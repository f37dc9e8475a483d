/**
 * `tsx test/bench/ceiling.ts [--browser | --browser-only]`: what limits the throughput ladder's top
 * rungs. First the sender child (server-proc.ts) alone, streaming to 1 and to 10 bare `ws` sockets
 * that only count frames, so its own capacity shows (achieved rate, its CPU per 1 000 messages).
 * With `--browser`: tabrelay's and per-tab's 10-tab fleets at each rate, and per trial the CPU of
 * every party on the shared cores while the sender streams: the sender child (and how long it
 * waited for a core), the hub's thread (thread-cpu.ts), the browser's processes by type (CDP
 * `SystemInfo.getProcessInfo`), this runner. Diagnostic only: prints tables, scores nothing. Env:
 * `CEILING_RATES` (msg/s, comma-separated), `CEILING_TRIALS`, `CEILING_SOCKETS`, `CEILING_LANES`,
 * `CEILING_VIA` (`rest`: the REST route; `both`: each trial through both, back to back; default the
 * socket, as the ladder), `BENCH_SENDER_NICE`.
 * Run it under the bench and browser locks, like any bench.
 */
import { WebSocket } from 'ws'
import type { Browser, CDPSession } from 'playwright-core'
import { launch, type Target } from './browser.ts'
import { buildApp, serveApp } from './build.ts'
import { Fleet } from './fleet.ts'
import { endLagAndLoss } from './scenarios/steady.ts'
import { threadDelta, threadTimes, type ThreadTimes } from './thread-cpu.ts'
import { startServer, type ServerHandle, type StreamDone, type Via } from './server.ts'
import { WorkerProbe } from './worker-probe.ts'
import { streamTopic } from './app/contract.ts'

const RATES = (process.env['CEILING_RATES'] ?? '4000,8000,12000,16000,24000,32000').split(',').map(Number)
const STEP_MS = 800
/** `both`: each trial twice, through the REST route and the socket back to back, for a paired comparison. */
const VIAS: readonly Via[] = process.env['CEILING_VIA'] === 'both' ? ['rest', 'socket'] : process.env['CEILING_VIA'] === 'rest' ? ['rest'] : ['socket']
const TRIALS = Number(process.env['CEILING_TRIALS'] ?? 2)

function row(cells: ReadonlyArray<string | number>): string {
  return `| ${cells.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(0) : '—') : c)).join(' | ')} |`
}

function senderCells(sent: number, elapsedMs: number, s: StreamDone['sender'], rate: number): Array<string | number> {
  return [rate, (sent * 1000) / Math.max(1, elapsedMs), elapsedMs, s?.cpuMs ?? Number.NaN, s?.threadMs ?? Number.NaN, s?.waitMs ?? Number.NaN, ((s?.cpuMs ?? Number.NaN) * 1000) / Math.max(1, sent), s?.posts ?? Number.NaN]
}

/** Bare sockets joined to `topic`, each counting the frames it gets. */
async function bareSockets(server: ServerHandle, topic: string, count: number): Promise<{ frames: () => number; close: () => void }> {
  let frames = 0
  const sockets: WebSocket[] = []
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${server.anonKey}&vsn=2.0.0`)
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject) })
    const joined = new Promise<void>((resolve) => ws.once('message', () => resolve()))
    ws.send(JSON.stringify(['1', '1', `realtime:${topic}`, 'phx_join', { config: { broadcast: { self: false }, presence: { key: '' }, postgres_changes: [] } }]))
    await joined
    ws.on('message', () => { frames++ })
    sockets.push(ws)
  }
  return { frames: () => frames, close: () => { for (const ws of sockets) ws.terminate() } }
}

async function senderAlone(server: ServerHandle): Promise<void> {
  process.stdout.write('\nsender alone (bare ws sockets count frames)\n')
  process.stdout.write(`${row(['sockets', 'via', 'rate', 'achieved', 'elapsed ms', 'child cpu ms', 'main thread ms', 'waited ms', 'cpu ms / 1000 msg', 'posts'])}\n`)
  let seq = 0
  for (const count of (process.env['CEILING_SOCKETS'] ?? '1,10').split(',').map(Number)) {
    const topic = streamTopic(`bare${count}`)
    const sockets = await bareSockets(server, topic, count)
    for (const rate of RATES) {
      for (let t = 0; t < TRIALS; t++) {
        for (const via of VIAS) {
          const done = await server.stream(topic, rate, STEP_MS, seq, { via })
          seq += done.sentAt.length + 1
          process.stdout.write(`${row([count, via, ...senderCells(done.sentAt.length, done.elapsedMs, done.sender, rate)])}\n`)
        }
      }
    }
    sockets.close()
  }
}

/** Cumulative CPU seconds of every browser process, summed by type (CDP SystemInfo). */
async function browserCpu(cdp: CDPSession): Promise<Map<string, number>> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo')
  const out = new Map<string, number>()
  for (const p of processInfo) out.set(p.type, (out.get(p.type) ?? 0) + p.cpuTime)
  return out
}

interface Snapshot { browser: Map<string, number>; runner: NodeJS.CpuUsage; hub: ThreadTimes | null }

/** CPU ms from `x` to `y`: hub thread on a core and waiting, renderers, the other browser processes, this runner. */
function cpuBetween(x: Snapshot, y: Snapshot): number[] {
  const delta = (type: string): number => 1000 * ((y.browser.get(type) ?? 0) - (x.browser.get(type) ?? 0))
  const others = [...y.browser.keys()].filter((k) => k !== 'renderer').reduce((sum, k) => sum + delta(k), 0)
  const { threadMs, waitMs } = threadDelta(x.hub, y.hub)
  return [threadMs, waitMs, delta('renderer'), others, (y.runner.user + y.runner.system - x.runner.user - x.runner.system) / 1000]
}

/** One trial of one fleet, as a table row: the stream, then the tabs' drain and the collection, each with its CPU. */
async function trialRow(fleet: Fleet, server: ServerHandle, rate: number, via: Via, snap: (fleet: Fleet) => Promise<Snapshot>): Promise<string> {
  await fleet.discard()
  const a = await snap(fleet)
  const done = await server.stream(fleet.topic, rate, STEP_MS, fleet.nextSeq(Math.round((rate * STEP_MS) / 1000)), { via })
  const b = await snap(fleet)
  await fleet.settle()
  const records = await fleet.collect(done)
  const c = await snap(fleet)
  const sent = done.sentAt.length
  const { endLagMs: endLag, lost } = endLagAndLoss(done, records)
  const [hubAfter = Number.NaN, , renderersAfter = Number.NaN, , runnerAfter = Number.NaN] = cpuBetween(b, c)
  return row([fleet.contender, via, ...senderCells(sent, done.elapsedMs, done.sender, rate), lost, endLag, ...cpuBetween(a, b), hubAfter, renderersAfter, runnerAfter])
}

async function withBrowser(browser: Browser, target: Target, server: ServerHandle): Promise<void> {
  const lanes = (process.env['CEILING_LANES'] ?? 'tabrelay,pertab').split(',').filter((l): l is 'tabrelay' | 'pertab' => l === 'tabrelay' || l === 'pertab')
  const fleets: Fleet[] = []
  for (const lane of lanes) fleets.push(await Fleet.open(browser, target, lane))
  for (const fleet of fleets) {
    while (fleet.tabs.length < 10) await fleet.add()
    await fleet.measureSkew(server)
  }
  // The per-tab lane alone has no SharedWorker: its hub columns stay empty.
  const probe = lanes.includes('tabrelay') ? await WorkerProbe.attach(browser) : null
  const thread = probe === null ? null : await probe.thread()
  const cdp = await browser.newBrowserCDPSession()
  const snap = async (fleet: Fleet): Promise<Snapshot> =>
    ({ browser: await browserCpu(cdp), runner: process.cpuUsage(), hub: fleet.contender === 'tabrelay' && thread !== null ? threadTimes(thread) : null })
  process.stdout.write('\n10 tabs, per trial: CPU ms of each party while the sender streams, then (after:) while the tabs drain and the runner collects\n')
  process.stdout.write(`${row(['lane', 'via', 'rate', 'achieved', 'elapsed ms', 'child cpu', 'child thread', 'child waited', 'cpu ms/1000', 'posts', 'lost', 'end lag', 'hub thread', 'hub waited', 'renderers', 'browser+gpu+util', 'runner', 'after: hub', 'after: renderers', 'after: runner'])}\n`)
  for (const rate of RATES) {
    for (let t = 0; t < TRIALS; t++) {
      for (const fleet of fleets) {
        for (const via of VIAS) process.stdout.write(`${await trialRow(fleet, server, rate, via, snap)}\n`)
      }
    }
  }
  await probe?.detach()
  for (const fleet of fleets) await fleet.close()
}

const server = await startServer()
try {
  if (!process.argv.includes('--browser-only')) await senderAlone(server)
  if (process.argv.includes('--browser') || process.argv.includes('--browser-only')) {
    await buildApp()
    const app = await serveApp()
    const browser = await launch()
    try {
      await withBrowser(browser, { origin: app.origin, serverUrl: server.url, anonKey: server.anonKey }, server)
    } finally {
      await browser.close()
      await app.close()
    }
  }
} finally {
  await server.stop()
}
