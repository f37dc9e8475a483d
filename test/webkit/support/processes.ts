/**
 * The native processes of the WebKit suite: a private Xvfb display and WebKitWebDriver, each
 * started on what is free (`-displayfd`, a free port on 127.0.0.1) and stopped by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { waitFor } from '../../e2e/support/wait.ts'

/** A started child process and how to stop it. */
export interface Running {
  /** What to tell `DISPLAY` (Xvfb) or where the driver listens. */
  address: string
  /** The child's process id: the browsers a driver starts are its descendants. */
  pid: number
  stop(): Promise<void>
}

/** The child's pid, or an error when the spawn did not produce a process. */
function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error(`${child.spawnfile} did not start`)
  return child.pid
}

/** Stops `child` by its own PID: SIGTERM, then SIGKILL if it lingers. */
function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(timer)
  }
}

/** The last lines a child wrote, for the error when it fails to start. */
function tail(child: ChildProcess): () => string {
  let text = ''
  const keep = (chunk: Buffer): void => { text = (text + chunk.toString()).slice(-2_000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return () => text.trim()
}

/**
 * Starts `Xvfb -nolisten tcp` on the first free display; `address` is e.g. `:99`.
 * @example
 * const xvfb = await startXvfb(); process.env.DISPLAY = xvfb.address
 */
export async function startXvfb(): Promise<Running> {
  // Xvfb picks a free display itself and writes its number to fd 3 once clients may connect.
  const child = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  const output = tail(child)
  const fd3 = child.stdio[3]
  const display = await new Promise<string>((resolve, reject) => {
    let text = ''
    fd3?.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes('\n')) resolve(`:${text.trim()}`)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it was ready: ${output()}`)))
    setTimeout(() => reject(new Error(`Xvfb did not report a display within 10 s: ${output()}`)), 10_000).unref()
  })
  return { address: display, pid: pidOf(child), stop: stopper(child) }
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago.
 * @example
 * const port = await freePort()
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * Starts `WebKitWebDriver` on 127.0.0.1 at a free port, on `display`; `address` is its URL.
 * @example
 * const driver = await startDriver(xvfb.address) // driver.address === 'http://127.0.0.1:41234'
 */
export async function startDriver(display: string, binary = 'WebKitWebDriver'): Promise<Running> {
  // The port was free a moment ago; another process may take it before the driver binds it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDriverOn(await freePort(), display, binary)
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

async function startDriverOn(port: number, display: string, binary: string): Promise<Running> {
  const child = spawn(binary, [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: display },
  })
  const output = tail(child)
  const address = `http://127.0.0.1:${port}`
  let failure: Error | null = null
  child.once('error', (error) => { failure = error })
  child.once('exit', (code) => { failure = new Error(`${binary} exited with ${code}: ${output()}`) })
  await waitFor(async () => {
    if (failure) throw failure
    const response = await fetch(`${address}/status`)
    return response.ok
  }, { what: `${binary} to answer /status on ${address}`, timeoutMs: 10_000 }).catch(async (error: unknown) => {
    await stopper(child)()
    throw failure ?? error
  })
  return { address, pid: pidOf(child), stop: stopper(child) }
}

/** The parent pid from `/proc/<pid>/stat` (the field after the parenthesised name), or 0. */
async function parentOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0) || 0
}

/** Whether `pid` descends from `ancestor` (the ppid chain reaches it). */
async function descendsFrom(pid: number, ancestor: number): Promise<boolean> {
  let current = await parentOf(pid)
  for (let depth = 0; current > 1 && depth < 64; depth++) {
    if (current === ancestor) return true
    current = await parentOf(current)
  }
  return false
}

/**
 * The ids of the running WebKitWebProcess processes that descend from `ancestor` (this run's
 * WebKitWebDriver): MiniBrowser gives each window its own. Another run's browsers on the same
 * machine are not ours to count, or to kill.
 * @example
 * const before = await webProcesses(webkitEnv().driverPid)
 */
export async function webProcesses(ancestor: number): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0')[0]?.endsWith('/WebKitWebProcess') && await descendsFrom(Number(entry), ancestor)) pids.push(Number(entry))
  }
  return pids
}
