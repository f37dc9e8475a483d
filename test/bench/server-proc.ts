/**
 * Child process: the local Realtime server plus the stream sender, kept off the runner's event
 * loop so that Playwright's traffic never delays a stamp or a fan-out (2 cores are shared anyway).
 * Talks to the runner over the fork IPC channel (see server.ts for the other end).
 */
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { getPriority, setPriority } from 'node:os'
import { startRealtimeServer } from '../../demo/server/index.ts'
import { clockOffset, nowMs, STREAM_EVENT } from './app/contract.ts'
import type { ToChild, ToParent, StreamRequest, StreamDone, SenderCpu } from './server.ts'
import { threadDelta, threadTimes } from './thread-cpu.ts'
import { SocketSender } from './sender.ts'

/** One REST batch never carries more than this, so a slow step cannot build one huge request. */
const MAX_BATCH = 200
/** Shortest time between two batches (POSTs or socket writes): one per message would make the sender the bottleneck. */
const MIN_TICK_MS = 5
/** One-way delay of the proxy: a 50 ms round trip, a typical browser-to-Supabase distance. */
const PROXY_DELAY_MS = 25

/**
 * The nice value of the child's main thread (the sender and the server's fan-out), when allowed
 * (root): it stands in for a server on another machine, so when the browser's threads fill both
 * cores it must still send on time instead of catching up in bursts (at 0, per-tab's 10 tabs kept it
 * waiting 670–850 ms of an 800 ms step at 1 000 msg/s and it sent 67–90 % of the rate; at −10, 87–100 %).
 * Its CPU use stays the same. `BENCH_SENDER_NICE` overrides it.
 */
const SENDER_NICE = Number(process.env['BENCH_SENDER_NICE'] ?? -10)
try {
  setPriority(SENDER_NICE)
} catch {
  // Not permitted (not root): the sender runs at the default priority; `SenderCpu.nice` says so.
}

// Replays up to 1000 (Supabase caps at 25), so a lane with replay on can cover a host handover at 200 msg/s.
const server = await startRealtimeServer({ port: 0, host: '127.0.0.1', replay: { hardLimit: 1_000 } })
const endpoint = `${server.url}/realtime/v1/api/broadcast`
const socketSender = new SocketSender(server.url, server.anonKey)

function reply(message: ToParent): void {
  process.send?.(message)
}

async function post(request: StreamRequest, firstSeq: number, count: number): Promise<number> {
  const { topic } = request
  const persist = request.persist === true
  const at = nowMs()
  if (request.via === 'socket' && !persist) {
    await socketSender.send(topic, firstSeq, count, at)
    return at
  }
  if (persist) {
    // The batch route stores nothing; the single-message route stores a private topic's message (httpSend's persist).
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${endpoint}/${encodeURIComponent(topic)}/events/${STREAM_EVENT}?private=true&persist=true`, {
        method: 'POST', headers: { apikey: server.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ seq: firstSeq + i, sentAt: at }),
      })
      await response.arrayBuffer()
    }
    return at
  }
  const messages = Array.from({ length: count }, (_, i) => ({
    topic, event: STREAM_EVENT, payload: { seq: firstSeq + i, sentAt: at },
  }))
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { apikey: server.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ messages }),
  })
  await response.arrayBuffer()
  return at
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

// Sends `rate` msg/s for `durationMs`: each turn sends everything due so far in one batch, so a
// sender that falls behind catches up in bigger batches instead of silently sending fewer.
async function stream(request: StreamRequest): Promise<StreamDone> {
  const total = Math.round((request.rate * request.durationMs) / 1000)
  const sentAt: number[] = []
  const cpu = cpuMeter()
  let posts = 0
  const start = performance.now()
  const deadline = start + 3 * request.durationMs + 5_000
  let lastPostAt = Number.NEGATIVE_INFINITY
  while (sentAt.length < total && performance.now() < deadline) {
    const elapsed = performance.now() - start
    const due = Math.min(total, Math.floor((elapsed * request.rate) / 1000) + 1)
    const count = Math.min(MAX_BATCH, due - sentAt.length)
    const untilTick = MIN_TICK_MS - (elapsed - lastPostAt)
    if (count <= 0 || untilTick > 0) {
      await sleep(Math.max((sentAt.length * 1000) / request.rate - elapsed, untilTick))
      continue
    }
    lastPostAt = elapsed
    const at = await post(request, request.firstSeq + sentAt.length, count)
    posts += 1
    for (let i = 0; i < count; i++) sentAt.push(at)
  }
  const elapsedMs = performance.now() - start
  return { kind: 'streamed', id: request.id, firstSeq: request.firstSeq, sentAt, elapsedMs, sender: cpu(posts) }
}

// The child's own CPU over a stream: the process (every thread: GC, libuv) and its main thread, which
// runs both the sender loop and the server's fan-out, split into time on a core and time waiting for one.
function cpuMeter(): (posts: number) => SenderCpu {
  const self = { pid: process.pid, tid: process.pid }
  const usage = process.cpuUsage()
  const thread = threadTimes(self)
  return (posts) => {
    const used = process.cpuUsage(usage)
    return { cpuMs: (used.user + used.system) / 1000, ...threadDelta(thread, threadTimes(self)), posts, nice: getPriority() }
  }
}

// A TCP proxy that holds every chunk PROXY_DELAY_MS in each direction, for the scenarios that
// must show what a real network distance costs (the local server answers in microseconds).
function startDelayProxy(port: number): Promise<number> {
  const proxy = createServer((client) => {
    const upstream = connect(port, '127.0.0.1')
    const relay = (from: Socket, to: Socket): void => {
      from.on('data', (chunk) => setTimeout(() => { if (!to.destroyed) to.write(chunk) }, PROXY_DELAY_MS))
    }
    relay(client, upstream)
    relay(upstream, client)
    const end = (): void => { setTimeout(() => { client.destroy(); upstream.destroy() }, PROXY_DELAY_MS) }
    for (const socket of [client, upstream]) { socket.on('close', end); socket.on('error', end) }
  })
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as AddressInfo).port)))
}
const proxyPort = await startDelayProxy(server.port)

process.on('message', (raw: ToChild) => {
  switch (raw.kind) {
    case 'stream':
      stream(raw).then(reply, (error: unknown) => reply({ kind: 'streamed', id: raw.id, firstSeq: raw.firstSeq, sentAt: [], elapsedMs: 0, error: String(error) }))
      return
    case 'offset':
      reply({ kind: 'offset', id: raw.id, value: clockOffset() })
      return
    case 'stop':
      socketSender.close()
      void server.close().then(() => process.exit(0))
      return
  }
})
process.on('disconnect', () => { void server.close().then(() => process.exit(0)) })
reply({ kind: 'started', url: server.url, proxyUrl: `http://127.0.0.1:${proxyPort}`, proxyDelayMs: PROXY_DELAY_MS, anonKey: server.anonKey })
