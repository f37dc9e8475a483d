/**
 * A Socket.IO 4.8 node for the suites, one process each (test/servers/socketio.ts starts them): the
 * demo's room server (demo/server/socketio.ts: JWT auth, join/leave, forwarding with acks,
 * connection-state recovery) with two test hooks, and with `SIO_REDIS_URL` the Redis adapter, so
 * several nodes on one Redis form a cluster. Env: `SIO_PORT`, `SIO_REDIS_URL` (optional),
 * `SIO_JWT_SECRET`. Test hooks: a topic starting `forbidden:` is refused, `no-ack` is never acked.
 *
 * HTTP: `GET /health`; `GET /stats` → `{ sockets, users: {sub: n}, joins: {topic: n}, connects, recovered }`
 * of this node; `POST /emit {topic, event, payload}` emits to the room on every node; `POST /drop`
 * closes every socket's transport here (a network drop: the session stays recoverable).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createAdapter } from '@socket.io/redis-adapter'
import { createClient } from 'redis'
import { Server } from 'socket.io'
import { serveRooms } from '../../../demo/server/socketio.ts'
import { DEV_JWT_SECRET } from '../../../demo/server/tokens.ts'

const port = Number(process.env['SIO_PORT'])
const redisUrl = process.env['SIO_REDIS_URL']

const http = createServer((request, response) => { void serveHttp(request, response) })
const io = new Server(http, { connectionStateRecovery: { maxDisconnectionDuration: 120_000 }, cors: { origin: true, credentials: true } })
if (redisUrl) {
  const pub = createClient({ url: redisUrl })
  const sub = pub.duplicate()
  await Promise.all([pub.connect(), sub.connect()])
  io.adapter(createAdapter(pub, sub))
}
const stats = serveRooms(io, {
  jwtSecret: process.env['SIO_JWT_SECRET'] ?? DEV_JWT_SECRET,
  canJoin: (user, topic) => (topic.startsWith('forbidden:') ? `${user} may not join ${topic}` : null),
  isAcked: (event) => event !== 'no-ack',
})

async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const json = (status: number, body: unknown): void => { response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)) }
  if (request.url === '/health') return json(200, { ok: true })
  if (request.url === '/stats') {
    return json(200, { sockets: io.of('/').sockets.size, users: Object.fromEntries(stats.users), joins: Object.fromEntries(stats.joins), connects: stats.connects, recovered: stats.recovered })
  }
  if (request.method === 'POST' && request.url === '/drop') {
    for (const socket of io.of('/').sockets.values()) socket.conn.close()
    return json(200, { ok: true })
  }
  if (request.method === 'POST' && request.url === '/emit') {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const { topic, event, payload } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { topic: string; event: string; payload: unknown }
    io.to(topic).emit(event, topic, payload)
    return json(200, { ok: true })
  }
  json(404, { error: 'not found' })
}

http.listen(port, '127.0.0.1', () => console.log(`socket.io node on 127.0.0.1:${port}${redisUrl ? ` with Redis ${redisUrl}` : ''}`))
