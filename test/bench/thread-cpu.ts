/**
 * The CPU time one browser thread really ran, from Linux's per-thread scheduler statistics
 * (`/proc/<pid>/task/<tid>/schedstat`: ns on a core, ns runnable but waiting for a core, slices).
 * A sampling profile counts wall time on the sampled thread: when the shared cores are busy, the
 * worker's thread sits descheduled and the sampler charges that wait to whatever the thread was
 * doing, so the profile's "busy" grows with the machine's load, not the hub's work. `schedstat`
 * splits the two: `runNs` is the hub's own CPU, `waitNs` the time the machine kept it from a core.
 * Which thread is a given SharedWorker's is found once, by making that worker spin and seeing which
 * `SharedWorker thread` of the browser's renderers ran for it.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** One thread's cumulative times, ns. */
export interface ThreadTimes { runNs: number; waitNs: number }

/** A thread of a browser renderer, by process and thread id. */
export interface ThreadId { pid: number; tid: number }

/** Chromium names a SharedWorker's thread "SharedWorker thread"; `comm` keeps 15 bytes of it. */
const SHARED_WORKER_COMM = 'SharedWorker th'
/** How long the worker spins while its thread is being found, ms of wall time. */
const SPIN_MS = 250
/**
 * The spun thread must have run at least this long (ms: on 2 cores at load average 20 a 250 ms spin
 * gets ~25 ms of a core), and every other thread less than a third of what it ran.
 */
const MIN_RUN_MS = 8
const ATTEMPTS = 4

/**
 * Reads a `schedstat` line; null when it is not three numbers.
 * @example
 * parseSchedstat('38463811 26598761 88\n') // { runNs: 38463811, waitNs: 26598761 }
 */
export function parseSchedstat(text: string): ThreadTimes | null {
  const [run, wait] = text.trim().split(/\s+/).map(Number)
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait)) return null
  return { runNs: run, waitNs: wait }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    // The thread or process ended between the listing and the read.
    return null
  }
}

/**
 * A thread's times now; null once it is gone (or /proc has no schedstat).
 * @example
 * const before = threadTimes({ pid: 9004, tid: 9030 })
 */
export function threadTimes(thread: ThreadId): ThreadTimes | null {
  const text = readText(`/proc/${thread.pid}/task/${thread.tid}/schedstat`)
  return text === null ? null : parseSchedstat(text)
}

/**
 * Every SharedWorker thread of the given processes, with its times now.
 * @example
 * const threads = sharedWorkerThreads([9003, 9004])
 */
export function sharedWorkerThreads(pids: readonly number[]): Array<ThreadId & ThreadTimes> {
  const found: Array<ThreadId & ThreadTimes> = []
  for (const pid of pids) {
    let tids: string[]
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const tid of tids.map(Number)) {
      if (readText(`/proc/${pid}/task/${tid}/comm`)?.trim() !== SHARED_WORKER_COMM) continue
      const times = threadTimes({ pid, tid })
      if (times !== null) found.push({ pid, tid, ...times })
    }
  }
  return found
}

/**
 * Which thread ran for the spin: the one whose run time grew by at least `minRunMs` while every
 * other grew by less than a third of the winner's growth; null when no thread stands out.
 * @example
 * spunThread([{ pid: 1, tid: 2, runNs: 0, waitNs: 0 }], [{ pid: 1, tid: 2, runNs: 100e6, waitNs: 0 }], 8) // { pid: 1, tid: 2 }
 */
export function spunThread(before: ReadonlyArray<ThreadId & ThreadTimes>, after: ReadonlyArray<ThreadId & ThreadTimes>, minRunMs: number): ThreadId | null {
  const grown = after.flatMap((t) => {
    const was = before.find((b) => b.pid === t.pid && b.tid === t.tid)
    return was === undefined ? [] : [{ pid: t.pid, tid: t.tid, ns: t.runNs - was.runNs }]
  }).sort((x, y) => y.ns - x.ns)
  const [top, next] = grown
  if (top === undefined || top.ns < minRunMs * 1e6) return null
  if (next !== undefined && next.ns * 3 > top.ns) return null
  return { pid: top.pid, tid: top.tid }
}

/**
 * Finds the thread of the worker that `spin(ms)` keeps busy, among the SharedWorker threads of
 * `pids` (the browser's renderers); a few attempts, since a neighbour may be busy at that moment.
 * @example
 * const thread = await findWorkerThread(rendererPids, (ms) => evaluateInWorker(`spin(${ms})`))
 */
export async function findWorkerThread(pids: readonly number[], spin: (ms: number) => Promise<unknown>): Promise<ThreadId | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = sharedWorkerThreads(pids)
    if (before.length === 0) return null
    await spin(SPIN_MS)
    const thread = spunThread(before, sharedWorkerThreads(pids), MIN_RUN_MS)
    if (thread !== null) return thread
  }
  return null
}

/**
 * A thread's CPU between two readings, ms: on a core (`threadMs`) and runnable but off one
 * (`waitMs`); NaN for both when either reading is missing (no /proc, the thread gone).
 * @example
 * const before = threadTimes(thread); await work(); const { threadMs, waitMs } = threadDelta(before, threadTimes(thread))
 */
export function threadDelta(before: ThreadTimes | null, after: ThreadTimes | null): { threadMs: number; waitMs: number } {
  if (before === null || after === null) return { threadMs: Number.NaN, waitMs: Number.NaN }
  return { threadMs: (after.runNs - before.runNs) / 1e6, waitMs: (after.waitNs - before.waitNs) / 1e6 }
}
