/**
 * The soak's server process: the demo Realtime server on 127.0.0.1 and a publisher that is a
 * separate server-side source (REST batch broadcast), so what tabs receive never depends on the
 * hub's own socket being up when a message is sent. Driven over IPC (see messages.ts).
 */
import { startRealtimeServer } from '../../demo/server/index.ts'
import { SOAK_EVENT, type ToRunner, type ToServer } from './messages.ts'

const server = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
const endpoint = `${server.url}/realtime/v1/api/broadcast`
// A tick sends everything due so far in one POST; a sender that falls behind catches up in
// bigger batches instead of sending fewer messages.
const TICK_MS = 20

function reply(message: ToRunner): void {
  process.send?.(message)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

async function post(messages: Array<{ topic: string; seq: number }>): Promise<void> {
  const at = Date.now()
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { apikey: server.anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: messages.map(({ topic, seq }) => ({ topic, event: SOAK_EVENT, payload: { seq, at } })) }),
  })
  await response.arrayBuffer()
  if (response.status !== 202) throw new Error(`REST broadcast answered ${response.status}`)
}

// `rate` messages per second over all topics, round robin, for `durationMs` (bounded: at most
// twice the duration plus 5 s, then it reports what it sent).
async function publish(request: Extract<ToServer, { type: 'publish' }>): Promise<ToRunner> {
  const total = Math.round((request.rate * request.durationMs) / 1000)
  const counts = request.topics.map(() => 0)
  const start = Date.now()
  const deadline = start + 2 * request.durationMs + 5_000
  let sent = 0
  let batches = 0
  let lateMs = 0
  while (sent < total && Date.now() < deadline) {
    const due = Math.min(total, Math.floor(((Date.now() - start) * request.rate) / 1000) + 1)
    const messages: Array<{ topic: string; seq: number }> = []
    for (; sent < due; sent += 1) {
      const index = sent % request.topics.length
      const topic = request.topics[index] ?? ''
      messages.push({ topic, seq: (request.firstSeq[index] ?? 0) + (counts[index] ?? 0) })
      counts[index] = (counts[index] ?? 0) + 1
    }
    if (messages.length > 0) {
      await post(messages)
      batches += 1
    }
    const next = start + ((sent + 1) * 1000) / request.rate
    lateMs = Math.max(lateMs, Date.now() - next)
    await sleep(Math.max(TICK_MS, next - Date.now()))
  }
  return { type: 'published', id: request.id, counts, batches, lateMs: Math.max(0, lateMs) }
}

async function handle(message: ToServer): Promise<ToRunner> {
  switch (message.type) {
    case 'publish':
      return publish(message)
    case 'drop': {
      const sockets = server.stats().sockets.length
      server.dropAllConnections()
      return { type: 'dropped', id: message.id, sockets }
    }
    case 'token':
      return { type: 'token', id: message.id, token: await server.mintToken({ sub: message.sub, expiresInS: 3_600 }) }
    case 'stats':
      return { type: 'stats', id: message.id, sockets: server.stats().sockets.length }
  }
}

process.on('message', (message: ToServer) => {
  void handle(message).then(reply, (error: unknown) => {
    console.error('soak server:', error)
    process.exit(1)
  })
})
process.on('disconnect', () => void server.close().then(() => process.exit(0)))
reply({ type: 'ready', url: server.url, anonKey: server.anonKey })
