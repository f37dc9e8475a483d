/**
 * Start a private nginx + nchan on a free 127.0.0.1 port for a test: its own prefix directory,
 * `daemon off;` so the child we spawn IS the master, stopped by its PID. Nothing else on the machine
 * is touched.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nchanConf, type NchanConfOptions } from './nchan-conf.ts'
import { freePort } from './process.ts'

const NGINX = '/usr/sbin/nginx'
const READY_DEADLINE_MS = 10_000
const STOP_DEADLINE_MS = 5_000

/**
 * Knobs of {@link startNchan}; all optional.
 *
 * @example
 * await startNchan({ subscriberTimeoutS: 2, bufferLength: 50 })
 */
export interface NchanOptions {
  /** Close each stream after this many seconds (0 = never). Default 0. */
  subscriberTimeoutS?: number
  /** Messages kept per channel. Default 100. */
  bufferLength?: number
  /** `:ping` comment interval in seconds (0 = none). Default 15. */
  pingIntervalS?: number
  /** 413 above this many body bytes. Default 65536. */
  maxBodyBytes?: number
  /** Use this Redis (`redis://127.0.0.1:6379`) as the store, so nginx instances share channels. */
  redisUrl?: string
  /** Serve this directory at `/` as well (one origin for a page and its streams). */
  staticRoot?: string
}

/**
 * A running nginx + nchan: `/sub/<id>[,<id>…]` (EventSource), `/pub/<id>` (POST), `/nchan_status`.
 *
 * @example
 * const nchan = await startNchan(); await fetch(`${nchan.url}/pub/room`, { method: 'POST', body: 'hi' }); await nchan.stop()
 */
export interface NchanServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  port: number
  /** Stop nginx (SIGTERM to the master, SIGKILL past a deadline) and remove its directory. */
  stop(): Promise<void>
  /** Stop and start again on the same port; the in-memory store (without Redis) starts empty. */
  restart(): Promise<void>
}

/**
 * Start nginx + nchan; resolves once `/nchan_status` answers 200.
 *
 * @example
 * const nchan = await startNchan({ subscriberTimeoutS: 2 })
 * try { … } finally { await nchan.stop() }
 */
export async function startNchan(options: NchanOptions = {}): Promise<NchanServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tabrelay-nchan-'))
  const port = await freePort()
  const conf: NchanConfOptions = {
    dir,
    port,
    bufferLength: options.bufferLength ?? 100,
    subscriberTimeoutS: options.subscriberTimeoutS ?? 0,
    pingIntervalS: options.pingIntervalS ?? 15,
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    ...(options.staticRoot === undefined ? {} : { staticRoot: options.staticRoot }),
  }
  const confPath = join(dir, 'nginx.conf')
  writeFileSync(confPath, nchanConf(conf))
  const url = `http://127.0.0.1:${port}`
  let child = await launch(dir, confPath, url)
  return {
    url,
    port,
    stop: async () => {
      await kill(child)
      rmSync(dir, { recursive: true, force: true })
    },
    restart: async () => {
      await kill(child)
      child = await launch(dir, confPath, url)
    },
  }
}

async function launch(dir: string, confPath: string, url: string): Promise<ChildProcess> {
  const child = spawn(NGINX, ['-p', dir, '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  // If the test process dies first, do not leave an nginx behind.
  const reap = (): void => void child.kill('SIGKILL')
  process.once('exit', reap)
  child.once('exit', () => process.removeListener('exit', reap))
  try {
    await waitReady(child, url)
    return child
  } catch (error) {
    await kill(child)
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`nginx + nchan did not start (${reason}). Log tail:\n${logTail(dir, output)}`)
  }
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nginx exited with ${child.exitCode ?? child.signalCode}`)
    const isUp = await fetch(`${url}/nchan_status`).then(
      (r) => r.ok,
      () => false,
    )
    if (isUp) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`${url}/nchan_status did not answer within ${READY_DEADLINE_MS} ms`)
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // SIGTERM is nginx's fast shutdown: open streams are cut, which is what a test wants.
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS)
  await exited
  clearTimeout(timer)
}

function logTail(dir: string, stderr: string): string {
  let log = ''
  try {
    log = readFileSync(join(dir, 'error.log'), 'utf8')
  } catch {
    // nginx failed before it opened its log; stderr has the reason.
  }
  return `${stderr}${log}`.split('\n').slice(-20).join('\n')
}

