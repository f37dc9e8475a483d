/**
 * A Socket.IO 4.8 chat node for the suites, one process each (test/servers/socketio.ts starts
 * them): JWT auth, rooms joined and left by events, every other event forwarded to the rest of its
 * room, connection-state recovery on, and with `SIO_REDIS_URL` the Redis adapter, so several nodes
 * on one Redis form a cluster. Env: `SIO_PORT`, `SIO_REDIS_URL` (optional), `SIO_JWT_SECRET`.
 *
 * | client emits | server does |
 * |---|---|
 * | `join (topic, ack)` | joins room `topic`; acks `{ ok: true }`, or `{ error }` for a topic starting `forbidden:` |
 * | `leave (topic)` | leaves it |
 * | `EVENT (topic, payload, ack?)` | `socket.to(topic).emit(EVENT, topic, payload)` (not back to the sender), acks `{ ok: true }`; `{ error }` when not in the room; `no-ack` is never acked |
 *
 * HTTP: `GET /health`; `GET /stats` → `{ sockets, users: {sub: n}, joins: {topic: n}, connects, recovered }`
 * of this node; `POST /emit {topic, event, payload}` emits to the room on every node; `POST /drop`
 * closes every socket's transport here (a network drop: the session stays recoverable).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createAdapter } from '@socket.io/redis-adapter'
import { jwtVerify } from 'jose'
import { createClient } from 'redis'
import { Server, type Socket } from 'socket.io'
import { DEV_JWT_SECRET } from '../../../demo/server/tokens.ts'

const port = Number(process.env['SIO_PORT'])
const redisUrl = process.env['SIO_REDIS_URL']
const key = new TextEncoder().encode(process.env['SIO_JWT_SECRET'] ?? DEV_JWT_SECRET)
const stats = { users: new Map<string, number>(), joins: new Map<string, number>(), connects: 0, recovered: 0 }
const bump = (map: Map<string, number>, name: string, by: number): void => { map.set(name, (map.get(name) ?? 0) + by) }

const http = createServer((request, response) => { void serveHttp(request, response) })
const io = new Server(http, { connectionStateRecovery: { maxDisconnectionDuration: 120_000 }, cors: { origin: true, credentials: true } })
if (redisUrl) {
  const pub = createClient({ url: redisUrl })
  const sub = pub.duplicate()
  await Promise.all([pub.connect(), sub.connect()])
  io.adapter(createAdapter(pub, sub))
}

io.use((socket, next) => {
  const auth: unknown = socket.handshake.auth
  const token = typeof auth === 'object' && auth !== null && 'token' in auth ? String(auth.token) : ''
  jwtVerify(token, key).then(({ payload }) => {
    if (typeof payload.sub !== 'string') throw new Error('no sub')
    socket.data = { sub: payload.sub }
    next()
  }).catch(() => next(new Error('unauthorized')))
})

io.on('connection', (socket: Socket) => {
  const sub = String((socket.data as { sub: string }).sub)
  stats.connects += 1
  if (socket.recovered) stats.recovered += 1
  bump(stats.users, sub, 1)
  socket.on('disconnect', () => bump(stats.users, sub, -1))
  socket.on('join', (topic: unknown, ack?: (reply: unknown) => void) => {
    if (typeof topic !== 'string') return ack?.({ error: 'the topic must be a string' })
    if (topic.startsWith('forbidden:')) return ack?.({ error: `${sub} may not join ${topic}` })
    void socket.join(topic)
    bump(stats.joins, topic, 1)
    ack?.({ ok: true })
  })
  socket.on('leave', (topic: unknown) => { if (typeof topic === 'string') void socket.leave(topic) })
  socket.onAny((event: string, topic: unknown, payload: unknown, ack?: unknown) => {
    if (event === 'join' || event === 'leave') return
    const reply = typeof ack === 'function' ? (ack as (reply: unknown) => void) : () => undefined
    if (typeof topic !== 'string' || !socket.rooms.has(topic)) return reply({ error: 'join the room first' })
    socket.to(topic).emit(event, topic, payload)
    if (event !== 'no-ack') reply({ ok: true })
  })
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
