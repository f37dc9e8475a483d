/**
 * Child processes for test servers (Redis, daphne): free ports, a log file per process, readiness
 * with a deadline, and a stop that kills the whole process group by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * A started child: its PID (also its process group id), the log it writes and whether it has exited.
 *
 * @example
 * const child = spawnLogged('redis-server', ['--port', '6390'], { logPath: '/tmp/x/redis.log' })
 * child.hasExited() // false while it runs
 */
export interface LoggedProcess {
  readonly pid: number
  readonly logPath: string
  hasExited(): boolean
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>
}

/**
 * Options of `spawnLogged`; `env` is added to the parent's environment.
 *
 * @example
 * const options: SpawnOptions = { logPath: '/tmp/x/daphne.log', cwd: 'test/servers/django', env: { A: '1' } }
 */
export interface SpawnOptions {
  logPath: string
  cwd?: string
  env?: Record<string, string>
}

/**
 * A port the OS reports free on 127.0.0.1 right now. Another process may take it before it is used,
 * so callers retry a start that fails with "address in use".
 *
 * @example
 * const port = await freePort()
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port reported'))))
    })
  })
}

/**
 * Start `command` in its own process group with stdout and stderr appended to `logPath`.
 *
 * @example
 * const child = spawnLogged('/usr/bin/redis-server', ['--port', '6390'], { logPath: `${dir}/redis.log` })
 */
export function spawnLogged(command: string, args: string[], options: SpawnOptions): LoggedProcess {
  const fd = openSync(options.logPath, 'a')
  let child: ChildProcess
  try {
    // detached: a new process group, so stop() reaches every process the command forks.
    child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    })
  } finally {
    closeSync(fd)
  }
  const { pid } = child
  if (pid === undefined) throw new Error(`could not start ${command}: no PID (is it installed?)`)
  let hasExited = false
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true
      resolve(code ?? signal ?? 'unknown')
    })
    child.once('error', () => {
      hasExited = true
      resolve('spawn error')
    })
  })
  return { pid, logPath: options.logPath, hasExited: () => hasExited, exited }
}

/**
 * SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process has exited.
 *
 * @example
 * await stopProcess(child)
 */
export async function stopProcess(child: LoggedProcess, graceMs = 3_000): Promise<void> {
  if (child.hasExited()) return
  signalGroup(child.pid, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs)
  try {
    await child.exited
  } finally {
    clearTimeout(timer)
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is already gone.
  }
}

/**
 * The last `lines` lines of a log file ('' when it cannot be read), for startup error messages.
 *
 * @example
 * throw new Error(`daphne did not start:\n${logTail(child.logPath)}`)
 */
export function logTail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/**
 * Poll `isReady` every 50 ms until it resolves true; fail early when the child exits and after
 * `timeoutMs` otherwise, both with the log tail in the message.
 *
 * @example
 * await waitReady(child, () => fetch(url).then((r) => r.ok, () => false), 15_000, 'daphne')
 */
export async function waitReady(child: LoggedProcess, isReady: () => Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await isReady()) return
    if (child.hasExited()) throw new Error(`${label} exited before it was ready; log ${child.logPath}:\n${logTail(child.logPath)}`)
    if (Date.now() > deadline) {
      await stopProcess(child)
      throw new Error(`${label} not ready after ${timeoutMs} ms; log ${child.logPath}:\n${logTail(child.logPath)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
