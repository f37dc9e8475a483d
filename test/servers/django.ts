/**
 * Launchers for the Django Channels inbox test server (test/servers/django) and the throw-away Redis
 * its channel layer needs. Both bind 127.0.0.1 only, write their logs to a temp dir, wait for
 * readiness with a deadline and are stopped by PID (process group).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, spawnLogged, stopProcess, waitReady, type LoggedProcess } from './process.ts'

/** Debian's interpreter: the `python3` first on PATH may not see Debian's Django packages. */
const PYTHON = '/usr/bin/python3'
const REDIS = '/usr/bin/redis-server'
const APP_DIR = fileURLToPath(new URL('./django/', import.meta.url))
const READY_TIMEOUT_MS = 15_000
// The Debian packages the servers need, by a file each installs (the same list as .ci/run).
const PACKAGES: ReadonlyArray<[path: string, pkg: string]> = [
  ['/usr/bin/daphne', 'daphne'],
  ['/usr/lib/python3/dist-packages/channels', 'python3-django-channels'],
  ['/usr/lib/python3/dist-packages/channels_redis', 'python3-channels-redis'],
  [REDIS, 'redis-server'],
]
const PORT_ATTEMPTS = 3

/**
 * A running Redis; `url` is what `startInboxServer` takes.
 *
 * @example
 * const redis = await startRedis(); console.log(redis.url); await redis.stop()
 */
export interface RedisServer {
  port: number
  /** `redis://127.0.0.1:PORT/0` */
  url: string
  logPath: string
  stop(): Promise<void>
}

/**
 * A running daphne serving the inbox consumer.
 *
 * @example
 * const inbox = await startInboxServer({ redisUrl: redis.url }); new WebSocket(`${inbox.url}?token=${jwt}`)
 */
export interface InboxServer {
  /** `ws://127.0.0.1:PORT/ws/inbox/` (add `?token=<JWT>`). */
  url: string
  /** `http://127.0.0.1:PORT`: `/health`, `/stats`. */
  httpUrl: string
  port: number
  logPath: string
  /** Kill the process (its sockets drop); `start()` brings it back on the same port. */
  kill(): Promise<void>
  /** Start again on the same port after `kill()`; resolves once `/health` answers 200. */
  start(): Promise<void>
  /** `kill()` then `start()`. */
  restart(): Promise<void>
  /** Kill the process and remove its temp dir. */
  stop(): Promise<void>
}

/**
 * Options of `startInboxServer`.
 *
 * @example
 * const options: InboxServerOptions = { redisUrl: 'redis://127.0.0.1:6390/0', jwtSecret: DEV_JWT_SECRET }
 */
export interface InboxServerOptions {
  redisUrl: string
  /** HS256 secret of `?token=`; default the demo's `DEV_JWT_SECRET`. */
  jwtSecret?: string
}

/**
 * Start `redis-server` on a free port with no persistence, data and log in a temp dir.
 *
 * @example
 * const redis = await startRedis()
 */
export async function startRedis(): Promise<RedisServer> {
  requirePackages()
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-redis-'))
  const logPath = join(dir, 'redis.log')
  const { child, port } = await onFreePort(async (port) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', logPath]
    const child = spawnLogged(REDIS, args, { logPath, cwd: dir })
    await waitReady(child, () => answersPing(port), READY_TIMEOUT_MS, `redis-server on port ${port}`)
    return child
  })
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    logPath,
    stop: async () => {
      await stopProcess(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Start daphne with the inbox consumer on a free port; resolves once `/health` answers 200 (daphne
 * listens and reaches Redis). Several servers on one Redis share groups, like an app behind a load
 * balancer.
 *
 * @example
 * const [a, b] = await Promise.all([startInboxServer({ redisUrl }), startInboxServer({ redisUrl })])
 */
export async function startInboxServer(options: InboxServerOptions): Promise<InboxServer> {
  requirePackages()
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-daphne-'))
  const logPath = join(dir, 'daphne.log')
  const env = { INBOX_REDIS_URL: options.redisUrl, ...(options.jwtSecret ? { INBOX_JWT_SECRET: options.jwtSecret } : {}) }
  const launch = async (port: number): Promise<LoggedProcess> => {
    const args = ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), 'inbox_server:application']
    const child = spawnLogged(PYTHON, args, { logPath, cwd: APP_DIR, env: { ...env, PYTHONPATH: APP_DIR } })
    await waitReady(child, () => answersHealth(port), READY_TIMEOUT_MS, `daphne on port ${port}`)
    return child
  }
  const first = await onFreePort(launch)
  let child: LoggedProcess | null = first.child
  const { port } = first
  const kill = async (): Promise<void> => {
    if (child !== null) await stopProcess(child)
    child = null
  }
  const start = async (): Promise<void> => {
    if (child !== null) throw new Error(`daphne on port ${port} is running: kill() it first`)
    child = await launch(port)
  }
  return {
    url: `ws://127.0.0.1:${port}/ws/inbox/`,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    logPath,
    kill,
    start,
    restart: async () => {
      await kill()
      await start()
    },
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// Fail with the fix rather than with a Python traceback in a log.
function requirePackages(): void {
  const missing = PACKAGES.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg)
  if (missing.length > 0) {
    throw new Error(`missing Debian packages for the Django inbox server: apt-get install -y --no-install-recommends ${missing.join(' ')}`)
  }
}

// Another process can take a free port between the probe and the bind: try a few ports.
async function onFreePort(launch: (port: number) => Promise<LoggedProcess>): Promise<{ child: LoggedProcess; port: number }> {
  let lastError: unknown = null
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort()
    try {
      return { child: await launch(port), port }
    } catch (error) {
      lastError = error
      if (!/address already in use/i.test(String(error))) throw error
    }
  }
  throw new Error(`no free port after ${PORT_ATTEMPTS} attempts: ${String(lastError)}`)
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })
    return response.status === 200
  } catch {
    return false
  }
}

// RESP inline command: `PING` is answered `+PONG` once Redis accepts commands.
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (isReady: boolean): void => {
      socket.destroy()
      resolve(isReady)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}
