/**
 * A throw-away PostgreSQL 15 for tests: `initdb` into a temporary directory, `postgres` on a free
 * port of 127.0.0.1 (socket in the same directory), stopped by its PID and removed afterwards.
 * PostgreSQL refuses to run as root, and CI runs as root: then it runs as the `postgres` OS user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './process.ts'

/** Debian's PostgreSQL 15 binaries (`apt-get install postgresql`); `PG_BIN` overrides. */
export const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin'

/** A running test PostgreSQL. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`, for `DATABASE_URL`. */
  url: string
  /** Milliseconds `initdb` and the start took. */
  startupMs: number
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 15_000

/**
 * Starts a fresh cluster and resolves once it accepts connections.
 * @example
 * const postgres = await startPostgres(); startRealtimeServer({ databaseUrl: postgres.url }); await postgres.stop()
 */
export async function startPostgres(): Promise<TestPostgres> {
  const started = Date.now()
  if (!existsSync(join(PG_BIN, 'postgres'))) {
    throw new Error(`no PostgreSQL in ${PG_BIN}: apt-get install postgresql (.ci/run does), or set PG_BIN`)
  }
  const dir = await mkdtemp(join(tmpdir(), 'tabrelay-pg-'))
  const asUser = await runAsUser(dir)
  const data = join(dir, 'data')
  const init = spawnSync(...asUser(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), { encoding: 'utf8' })
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true })
    throw new Error(`initdb failed (${init.status}): ${init.stderr}`)
  }
  const port = await freePort()
  const server = spawn(...asUser(join(PG_BIN, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    // A test database: durability buys nothing and costs seconds.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
  ]), { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  server.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString('utf8') })
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()))
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const stop = async (): Promise<void> => {
    await stopServer(server, data, exited)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitReady(url, exited)
  } catch (error) {
    await stop()
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log}`)
  }
  return { url, startupMs: Date.now() - started, stop }
}

type Command = [string, string[]]

// As root, hand the directory to `postgres` and run through runuser; otherwise run as ourselves.
async function runAsUser(dir: string): Promise<(command: string, args: string[]) => Command> {
  if (process.getuid?.() !== 0) return (command, args) => [command, args]
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  await chown(dir, id('-u'), id('-g'))
  await chmod(dir, 0o700)
  return (command, args) => ['runuser', ['-u', 'postgres', '--', command, ...args]]
}


async function waitReady(url: string, exited: Promise<void>): Promise<void> {
  let hasExited = false
  void exited.then(() => { hasExited = true })
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (hasExited) throw new Error('postgres exited during start-up')
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      return
    } catch (error) {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline) throw new Error(`postgres not ready within ${READY_TIMEOUT_MS} ms: ${String(error)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// runuser's child is the postmaster: its PID is the first line of postmaster.pid. SIGINT is the
// "fast" shutdown: open sessions are ended, the cluster stops cleanly.
async function stopServer(server: ChildProcess, data: string, exited: Promise<void>): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return
  const pidFile = await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')
  const pid = Number(pidFile.split('\n')[0])
  if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT')
  else if (server.pid !== undefined) process.kill(server.pid, 'SIGINT')
  await exited
}
