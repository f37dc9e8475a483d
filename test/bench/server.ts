/**
 * The runner's handle on the server child process (server-proc.ts): start it, stream ticks,
 * read `/stats`, stop it. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Stats } from '../../demo/server/index.ts'

/**
 * How the sender reaches the server: `rest`, a POST of each tick's batch to the REST broadcast
 * route; `socket`, a vsn-1 WebSocket pushing the tick's broadcasts in one write (sender.ts). The
 * tabs get the same text frames either way; `socket` costs the sender far less CPU.
 * @example
 * await server.stream(topic, 8_000, 800, firstSeq, { via: 'socket' })
 */
export type Via = 'rest' | 'socket'

/**
 * A stream the parent asks the server child for; `persist`: each message on its own to the private
 * topic (REST only), stored for Broadcast Replay.
 * @example
 * child.send({ kind: 'stream', id: 1, topic: 'tabrelay:0', rate: 100, durationMs: 1_000, firstSeq: 0 } satisfies StreamRequest)
 */
export interface StreamRequest { kind: 'stream'; id: number; topic: string; rate: number; durationMs: number; firstSeq: number; persist?: boolean; via?: Via }
/**
 * The child's answer to a stream: each message's send stamp, how long it took, the sender's CPU.
 * @example
 * const { sentAt, elapsedMs } = await server.stream(topic, 100, 1_000, 0)
 */
export interface StreamDone { kind: 'streamed'; id: number; firstSeq: number; sentAt: number[]; elapsedMs: number; sender?: SenderCpu; error?: string }

/**
 * What the sender child spent on one stream, ms: `cpuMs` the whole process (user + system, every
 * thread), `threadMs` its main thread on a core and `waitMs` runnable but off one (schedstat; NaN
 * without /proc), `posts` the batches it sent (REST requests or socket writes), `nice` its main
 * thread's nice value. The main thread runs the sender AND the server's fan-out, so `threadMs`
 * near the stream's elapsed time means the child itself had no time to spare, and a large
 * `waitMs` that the machine's other threads kept it from a core.
 * @example
 * const { threadMs, waitMs } = done.sender ?? { threadMs: Number.NaN, waitMs: Number.NaN }
 */
export interface SenderCpu { cpuMs: number; threadMs: number; waitMs: number; posts: number; nice: number }
export type ToChild = StreamRequest | { kind: 'offset'; id: number } | { kind: 'stop' }
export type ToParent = { kind: 'started'; url: string; proxyUrl: string; proxyDelayMs: number; anonKey: string } | StreamDone | { kind: 'offset'; id: number; value: number }

/** A running server child. */
export interface ServerHandle {
  url: string
  /** The same server behind a proxy that delays each direction by `proxyDelayMs`. */
  proxyUrl: string
  proxyDelayMs: number
  anonKey: string
  /** Sends `rate` msg/s for `durationMs` starting at `firstSeq`; resolves with each message's send stamp. */
  stream(topic: string, rate: number, durationMs: number, firstSeq: number, how?: { persist?: boolean; via?: Via }): Promise<StreamDone>
  /** The child's `nowMs() - Date.now()`. */
  clockOffsetMs(): Promise<number>
  stats(): Promise<Stats>
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 20_000

/**
 * Forks the server child with tsx and waits for it to listen.
 * @example
 * const server = await startServer(); await server.stream('tabrelay:0', 100, 1000, 0)
 */
export async function startServer(): Promise<ServerHandle> {
  const child = fork(fileURLToPath(new URL('./server-proc.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiters = new Map<number, (message: ToParent) => void>()
  let nextId = 1
  const started = new Promise<Extract<ToParent, { kind: 'started' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server child did not start within 20 s')), START_TIMEOUT_MS)
    child.on('message', (message: ToParent) => {
      if (message.kind === 'started') { clearTimeout(timer); resolve(message) }
      else waiters.get(message.id)?.(message)
    })
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)))
  })
  const { url, proxyUrl, proxyDelayMs, anonKey } = await started
  const ask = (message: ToChild & { id: number }, timeoutMs: number): Promise<ToParent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiters.delete(message.id); reject(new Error(`server child: no answer to ${message.kind} in ${timeoutMs} ms`)) }, timeoutMs)
      waiters.set(message.id, (answer) => { clearTimeout(timer); waiters.delete(message.id); resolve(answer) })
      child.send(message)
    })
  return {
    url,
    proxyUrl,
    proxyDelayMs,
    anonKey,
    async stream(topic, rate, durationMs, firstSeq, how = {}) {
      const answer = await ask({ kind: 'stream', id: nextId++, topic, rate, durationMs, firstSeq, ...how }, 3 * durationMs + 15_000)
      if (answer.kind !== 'streamed') throw new Error('server child: unexpected answer to stream')
      return answer
    },
    async clockOffsetMs() {
      const answer = await ask({ kind: 'offset', id: nextId++ }, 5_000)
      return answer.kind === 'offset' ? answer.value : 0
    },
    async stats() {
      const response = await fetch(`${url}/stats`)
      return (await response.json()) as Stats
    },
    stop: () => stopChild(child),
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve() }, 5_000)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.send({ kind: 'stop' } satisfies ToChild)
  })
}
