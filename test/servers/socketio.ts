/**
 * Launchers for the Socket.IO test nodes (test/servers/socketio/server.ts: socket.io 4.8, and with
 * a Redis the `@socket.io/redis-adapter` 8.3), each its own Node process on a free 127.0.0.1 port,
 * stopped by PID; plus a TCP front that sends each new connection to the first node that accepts
 * it, as a load balancer in front of a cluster does (no sticky sessions: WebSocket only).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRedis, type RedisServer } from './django.ts'
import { freePort, spawnLogged, stopProcess, waitReady, type LoggedProcess } from './process.ts'

const SERVER = fileURLToPath(new URL('./socketio/server.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const READY_TIMEOUT_MS = 15_000

/**
 * What a node counts (its own sockets only).
 * @example
 * const stats: SocketIoStats = { sockets: 1, users: { alice: 1 }, joins: { room: 1 }, connects: 1, recovered: 0 }
 */
export interface SocketIoStats {
  sockets: number
  users: Record<string, number>
  joins: Record<string, number>
  connects: number
  recovered: number
}

/**
 * A running node.
 * @example
 * const node = await startSocketIoNode(); await node.emit('room', 'message', { n: 1 }); await node.stop()
 */
export interface SocketIoNode {
  /** `http://127.0.0.1:PORT`: the Socket.IO URL and its HTTP endpoints. */
  url: string
  port: number
  logPath: string
  stats(): Promise<SocketIoStats>
  /** Emits `(event, topic, payload)` to room `topic` on every node of the cluster. */
  emit(topic: string, event: string, payload: unknown): Promise<void>
  /** Closes every socket's transport here; the sessions stay recoverable. */
  drop(): Promise<void>
  /** Kills the process (its sockets drop without a close); `start()` brings it back on the same port. */
  kill(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts one node; with `redisUrl` it joins the cluster on that Redis (then without connection-state
 * recovery: the Redis adapter keeps no sessions).
 * @example
 * const node = await startSocketIoNode({ redisUrl: redis.url })
 */
export async function startSocketIoNode(options: { redisUrl?: string } = {}): Promise<SocketIoNode> {
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-socketio-'))
  const logPath = join(dir, 'node.log')
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let child: LoggedProcess | null = null
  const start = async (): Promise<void> => {
    const env = { SIO_PORT: String(port), ...(options.redisUrl ? { SIO_REDIS_URL: options.redisUrl } : {}) }
    const started = spawnLogged(process.execPath, ['--import', 'tsx', SERVER], { logPath, cwd: ROOT, env })
    await waitReady(started, () => fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false), READY_TIMEOUT_MS, `socket.io node on port ${port}`)
    child = started
  }
  const kill = async (): Promise<void> => {
    if (child) await stopProcess(child)
    child = null
  }
  const post = async (path: string, body: unknown = {}): Promise<void> => {
    const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) })
    if (!response.ok) throw new Error(`POST ${path}: ${response.status}`)
  }
  await start()
  return {
    url, port, logPath, start, kill,
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as SocketIoStats,
    emit: (topic, event, payload) => post('/emit', { topic, event, payload }),
    drop: () => post('/drop'),
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A TCP front for a cluster: each connection goes to the first upstream port that accepts it.
 * @example
 * const front = await startFront([one.port, two.port]); io(front.url)
 */
export async function startFront(ports: readonly number[]): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<Socket>()
  const track = (socket: Socket): void => { open.add(socket); socket.once('close', () => open.delete(socket)) }
  const server = createServer((client) => {
    track(client)
    client.pause()
    const tryPort = (index: number): void => {
      const port = ports[index]
      if (port === undefined) return void client.destroy()
      const upstream = connect({ host: '127.0.0.1', port })
      let isConnected = false
      upstream.once('error', () => { if (!isConnected) tryPort(index + 1) })
      upstream.once('connect', () => {
        isConnected = true
        track(upstream)
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
        upstream.once('close', () => client.destroy())
        client.once('close', () => upstream.destroy())
        client.pipe(upstream).pipe(client)
        client.resume()
      })
    }
    tryPort(0)
  })
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    resolve(typeof address === 'object' && address !== null ? address.port : 0)
  }))
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const socket of open) socket.destroy()
      server.close(() => resolve())
    }),
  }
}

/**
 * Two nodes on one Redis behind a front (node `one` first).
 * @example
 * const cluster = await startSocketIoCluster(); await cluster.one.kill() // new connections go to two
 */
export interface SocketIoCluster {
  redis: RedisServer
  one: SocketIoNode
  two: SocketIoNode
  /** The front's URL: what tabs connect to. */
  url: string
  /** Sockets of both nodes, per user and in all. */
  sockets(sub?: string): Promise<number>
  stop(): Promise<void>
}

/**
 * Starts Redis, two nodes on it and the front.
 * @example
 * const cluster = await startSocketIoCluster(); try { ... } finally { await cluster.stop() }
 */
export async function startSocketIoCluster(): Promise<SocketIoCluster> {
  const redis = await startRedis()
  const [one, two] = await Promise.all([startSocketIoNode({ redisUrl: redis.url }), startSocketIoNode({ redisUrl: redis.url })])
  const front = await startFront([one.port, two.port])
  const count = async (node: SocketIoNode, sub?: string): Promise<number> => {
    const stats = await node.stats().catch(() => null)
    if (stats === null) return 0
    return sub === undefined ? stats.sockets : stats.users[sub] ?? 0
  }
  return {
    redis, one, two, url: front.url,
    sockets: async (sub) => (await count(one, sub)) + (await count(two, sub)),
    stop: async () => {
      await front.close()
      await Promise.allSettled([one.stop(), two.stop()])
      await redis.stop()
    },
  }
}
