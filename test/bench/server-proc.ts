/**
 * Child process: the local Realtime server plus the stream sender, kept off the runner's event
 * loop so that Playwright's traffic never delays a stamp or a fan-out (2 cores are shared anyway).
 * Talks to the runner over the fork IPC channel (see server.ts for the other end).
 */
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { startRealtimeServer } from '../../demo/server/index.ts'
import { clockOffset, nowMs, STREAM_EVENT } from './app/contract.ts'
import type { ToChild, ToParent, StreamRequest, StreamDone } from './server.ts'

/** One REST batch never carries more than this, so a slow step cannot build one huge request. */
const MAX_BATCH = 200
/** Shortest time between two batches: one POST per message would make the sender the bottleneck. */
const MIN_TICK_MS = 5
/** One-way delay of the proxy: a 50 ms round trip, a typical browser-to-Supabase distance. */
const PROXY_DELAY_MS = 25

// Replays up to 1000 (Supabase caps at 25), so a lane with replay on can cover a host handover at 200 msg/s.
const server = await startRealtimeServer({ port: 0, host: '127.0.0.1', replay: { hardLimit: 1_000 } })
const endpoint = `${server.url}/realtime/v1/api/broadcast`

function reply(message: ToParent): void {
  process.send?.(message)
}

async function post(topic: string, firstSeq: number, count: number, persist: boolean): Promise<number> {
  const at = nowMs()
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
    const at = await post(request.topic, request.firstSeq + sentAt.length, count, request.persist === true)
    for (let i = 0; i < count; i++) sentAt.push(at)
  }
  return { kind: 'streamed', id: request.id, firstSeq: request.firstSeq, sentAt, elapsedMs: performance.now() - start }
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
      void server.close().then(() => process.exit(0))
      return
  }
})
process.on('disconnect', () => { void server.close().then(() => process.exit(0)) })
reply({ kind: 'started', url: server.url, proxyUrl: `http://127.0.0.1:${proxyPort}`, proxyDelayMs: PROXY_DELAY_MS, anonKey: server.anonKey })
