/**
 * Launchers for the Django inbox test project (test/servers/django) and the throw-away Redis its
 * channel layer needs. Both bind 127.0.0.1 only, write their logs to a temp dir, wait for readiness
 * with a deadline and are stopped by PID (process group). The servers started on one Redis are one
 * deployment: one SQLite database (migrated once, by the first) and one SECRET_KEY, so sessions,
 * SimpleJWT tokens and message ids are valid on every one of them.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { djangoApi, type DjangoApi } from './django-api.ts'
import { freePort, logTail, spawnLogged, stopProcess, waitReady, type LoggedProcess } from './process.ts'

export type { DjangoApi, DjangoUser, StoredMessage, TokenPair } from './django-api.ts'

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
  ['/usr/lib/python3/dist-packages/rest_framework', 'python3-djangorestframework'],
  ['/usr/lib/python3/dist-packages/rest_framework_simplejwt', 'python3-djangorestframework-simplejwt'],
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
export interface InboxServer extends DjangoApi {
  /** `ws://127.0.0.1:PORT/ws/inbox/` (add `?token=<JWT>`, or send the session cookie). */
  url: string
  /** `http://127.0.0.1:PORT`: `/health`, `/stats`, `/api/…` (test/servers/README.md). */
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
  /** HS256 secret of an outside issuer's `?token=` (Supabase-style `sub`); default the demo's `DEV_JWT_SECRET`. */
  jwtSecret?: string
  /** SimpleJWT access-token lifetime; default 300 (SimpleJWT's 5 minutes). */
  accessTokenS?: number
}

/** One app deployment: the database and SECRET_KEY every server on one Redis shares. */
interface Deployment {
  dir: string
  secretKey: string
  migrated: Promise<void>
  servers: number
}

const deployments = new Map<string, Deployment>()

// `manage.py migrate` once per deployment (it also creates the test users, migration 0002).
function deploymentOf(redisUrl: string): Deployment {
  const known = deployments.get(redisUrl)
  if (known) return known
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-django-'))
  const secretKey = randomBytes(32).toString('hex')
  const logPath = join(dir, 'migrate.log')
  const child = spawnLogged(PYTHON, ['manage.py', 'migrate', '-v0'], { logPath, cwd: APP_DIR, env: { INBOX_DATA_DIR: dir, INBOX_SECRET_KEY: secretKey } })
  const migrated = child.exited.then((code) => {
    if (code !== 0) throw new Error(`manage.py migrate exited with ${code}; log ${logPath}:\n${logTail(logPath)}`)
  })
  const deployment = { dir, secretKey, migrated, servers: 0 }
  deployments.set(redisUrl, deployment)
  // A failed migrate is not kept: the next start tries again.
  migrated.catch(() => deployments.delete(redisUrl))
  return deployment
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
  const deployment = deploymentOf(options.redisUrl)
  deployment.servers++
  try {
    await deployment.migrated
  } catch (error) {
    deployment.servers--
    throw error
  }
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-daphne-'))
  const logPath = join(dir, 'daphne.log')
  const env = {
    INBOX_REDIS_URL: options.redisUrl, INBOX_DATA_DIR: deployment.dir, INBOX_SECRET_KEY: deployment.secretKey,
    ...(options.jwtSecret ? { INBOX_JWT_SECRET: options.jwtSecret } : {}),
    ...(options.accessTokenS !== undefined ? { INBOX_ACCESS_TOKEN_S: String(options.accessTokenS) } : {}),
  }
  const launch = async (port: number): Promise<LoggedProcess> => {
    const args = ['-m', 'daphne', '-b', '127.0.0.1', '-p', String(port), 'inbox_project.asgi:application']
    const child = spawnLogged(PYTHON, args, { logPath, cwd: APP_DIR, env: { ...env, PYTHONPATH: APP_DIR } })
    await waitReady(child, () => answersHealth(port), READY_TIMEOUT_MS, `daphne on port ${port}`)
    return child
  }
  const first = await onFreePort(launch).catch((error: unknown) => {
    deployment.servers--
    throw error
  })
  let isStopped = false
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
    ...djangoApi(`http://127.0.0.1:${port}`),
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
      if (isStopped) return
      isStopped = true
      if (--deployment.servers > 0) return
      deployments.delete(options.redisUrl)
      rmSync(deployment.dir, { recursive: true, force: true })
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
