/**
 * A Socket.IO chat server (socket.io 4.8) for the demo's `?transport=socketio` and, with a few
 * test hooks, for the suites (test/servers/socketio/server.ts): JWT auth, rooms joined and left by
 * events, every other event forwarded to the rest of its room with the server's ack, and
 * connection-state recovery on.
 *
 * | client emits | server does |
 * |---|---|
 * | `join (topic, ack)` | joins room `topic`; acks `{ ok: true }`, or `{ error }` when `canJoin` refuses |
 * | `leave (topic)` | leaves it |
 * | `EVENT (topic, payload, ack?)` | `socket.to(topic).emit(EVENT, topic, payload)` (not back to the sender), acks `{ ok: true }`; `{ error }` when not in the room |
 */
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtVerify } from 'jose'
import { Server, type Socket } from 'socket.io'
import { DEV_JWT_SECRET } from './tokens.ts'

/**
 * What a room server counts on this node.
 * @example
 * const stats = serveRooms(io, { jwtSecret }); stats.users.get('alice') // 1
 */
export interface RoomStats {
  users: Map<string, number>
  joins: Map<string, number>
  connects: number
  recovered: number
}

/**
 * Options of {@link serveRooms}.
 * @example
 * serveRooms(io, { jwtSecret: DEV_JWT_SECRET, canJoin: (sub, topic) => (topic.startsWith('admin:') ? 'admins only' : null) })
 */
export interface RoomOptions {
  jwtSecret: string
  /** Why `sub` may not join `topic` (`null`: it may). Default: everyone may join everything. */
  canJoin?(sub: string, topic: string): string | null
  /** Whether an event is acked. Default: all are. */
  isAcked?(event: string): boolean
}

/**
 * Installs the auth middleware and the room events on `io`; returns the live counters.
 * @example
 * const io = new Server(http, { connectionStateRecovery: {} }); const stats = serveRooms(io, { jwtSecret })
 */
export function serveRooms(io: Server, options: RoomOptions): RoomStats {
  const key = new TextEncoder().encode(options.jwtSecret)
  const stats: RoomStats = { users: new Map(), joins: new Map(), connects: 0, recovered: 0 }
  const bump = (map: Map<string, number>, name: string, by: number): void => { map.set(name, (map.get(name) ?? 0) + by) }
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
      const refusal = options.canJoin?.(sub, topic) ?? null
      if (refusal !== null) return ack?.({ error: refusal })
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
      if (options.isAcked?.(event) ?? true) reply({ ok: true })
    })
  })
  return stats
}

/**
 * A running demo chat server.
 * @example
 * const chat = await startSocketIoChat({ port: 0 }); chat.url // 'http://127.0.0.1:PORT'
 */
export interface SocketIoChat {
  url: string
  stats: RoomStats
  close(): Promise<void>
}

/**
 * Starts the chat server on 127.0.0.1 (its own port: the Realtime server's upgrades stay its own).
 * @example
 * const chat = await startSocketIoChat({ port: 0 })
 */
export async function startSocketIoChat(options: { port: number; jwtSecret?: string }): Promise<SocketIoChat> {
  const http: HttpServer = createServer((_request, response) => { response.writeHead(404).end() })
  const io = new Server(http, { connectionStateRecovery: { maxDisconnectionDuration: 120_000 }, cors: { origin: true } })
  const stats = serveRooms(io, { jwtSecret: options.jwtSecret ?? DEV_JWT_SECRET })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise((resolve) => { void io.close(() => resolve()) }),
  }
}
