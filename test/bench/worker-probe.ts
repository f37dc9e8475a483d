/**
 * A DevTools session on the browser's one SharedWorker (the hub): its heap after a forced GC, and
 * the CPU it spends over a stretch of work, two ways: from a sampling profile (busy = every sample
 * that is not `(idle)`; JavaScript = neither `(idle)` nor `(program)`), which counts wall time on
 * the thread, and from the thread's scheduler statistics (thread-cpu.ts), which count only the time
 * it ran on a core. The worker gets no page of its own, so this goes through the browser session
 * with `flatten: false`, as `sharedWorkerHeap` in browser.ts does.
 */
import type { Browser, CDPSession } from 'playwright-core'
import { findWorkerThread, threadDelta, threadTimes, type ThreadId } from './thread-cpu.ts'

const CALL_TIMEOUT_MS = 10_000
/** Sampling interval, µs: fine enough for a 1–2 s stream, coarse enough not to load the worker. */
const SAMPLE_US = 200

interface Reply { id?: number; result?: Record<string, unknown>; error?: { message: string } }
/** A node of a sampling profile: a function at a place in the call tree. */
export interface ProfileNode { id: number; callFrame: { functionName: string; url?: string; lineNumber?: number; columnNumber?: number }; children?: number[] }

/**
 * DevTools' `Profiler.Profile`, the parts the bench reads.
 * @example
 * const profile: Profile = { nodes: [{ id: 1, callFrame: { functionName: '(idle)' } }], samples: [1], timeDeltas: [200] }
 */
export interface Profile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }

/**
 * Whether a CDP answer is a profile.
 * @example
 * isProfile({ nodes: [] }) // true
 */
export function isProfile(value: unknown): value is Profile {
  return typeof value === 'object' && value !== null && 'nodes' in value && Array.isArray(value.nodes)
}

/**
 * Busy time in a sampling profile, ms: the time of every sample outside the `skip` nodes (`(idle)`;
 * add `(program)` for JavaScript and GC only).
 * @example
 * busyMs({ nodes: [{ id: 1, callFrame: { functionName: '(idle)' } }], samples: [1], timeDeltas: [500] }) // 0
 */
export function busyMs(profile: Profile, skip: readonly string[] = ['(idle)']): number {
  const idle = new Set(profile.nodes.filter((n) => skip.includes(n.callFrame.functionName)).map((n) => n.id))
  let busy = 0
  const samples = profile.samples ?? []
  // timeDeltas[i] is the time since the sample before i; it counts towards sample i.
  samples.forEach((node, i) => { if (!idle.has(node)) busy += profile.timeDeltas?.[i] ?? 0 })
  return busy / 1000
}

/**
 * What `cpuDuring` measured, ms: `cpuMs`/`jsMs` from the sampling profile (NaN when not sampled),
 * `threadMs` the worker thread's own CPU time and `waitMs` its time runnable but off a core (NaN
 * where /proc has no schedstat or the thread was not found).
 * @example
 * const { threadMs, waitMs } = await probe.cpuDuring(work, { sample: false })
 */
export interface CpuFigures<T> { cpuMs: number; jsMs: number; threadMs: number; waitMs: number; value: T }

/**
 * One attached SharedWorker.
 * @example
 * const probe = await WorkerProbe.attach(browser)
 * try { const { cpuMs } = await probe.cpuDuring(() => fleet.stream(server, 100, 1000)) } finally { await probe.detach() }
 */
export class WorkerProbe {
  readonly #cdp: CDPSession
  readonly #sessionId: string
  #nextId = 1
  /** The worker's thread, once found by a `cpuDuring` (null or undefined: not found yet). */
  #thread: ThreadId | null | undefined

  private constructor(cdp: CDPSession, sessionId: string) {
    this.#cdp = cdp
    this.#sessionId = sessionId
  }

  /**
   * Attaches to the only SharedWorker in the browser, or the only one whose script URL `matches`
   * (the A/B bench serves each lane from its own origin); throws when there is none or more than one.
   * @example
   * const probe = await WorkerProbe.attach(browser); try { await probe.heapBytes() } finally { await probe.detach() }
   */
  static async attach(browser: Browser, matches: (url: string) => boolean = () => true): Promise<WorkerProbe> {
    const cdp = await browser.newBrowserCDPSession()
    const { targetInfos } = await cdp.send('Target.getTargets')
    const workers = targetInfos.filter((t) => t.type === 'shared_worker' && matches(t.url))
    const only = workers[0]
    if (only === undefined || workers.length > 1) {
      await cdp.detach()
      throw new Error(`expected 1 SharedWorker, CDP lists ${workers.length}`)
    }
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: only.targetId, flatten: false })
    return new WorkerProbe(cdp, sessionId)
  }

  /** JS heap in use after a forced GC, bytes. */
  async heapBytes(): Promise<number> {
    await this.#call('HeapProfiler.collectGarbage')
    const usage = await this.#call('Runtime.getHeapUsage')
    return typeof usage['usedSize'] === 'number' ? usage['usedSize'] : Number.NaN
  }

  /**
   * The worker's CPU time while `work` runs, ms: its thread's own time always, the sampling
   * profile's busy time unless `sample` is false (the sampler's signals cost the thread time too).
   * @example
   * const { cpuMs, threadMs } = await probe.cpuDuring(() => fleet.stream(server, 100, 1000))
   */
  async cpuDuring<T>(work: () => Promise<T>, options: { sample?: boolean } = {}): Promise<CpuFigures<T>> {
    const thread = await this.#workerThread()
    const read = () => (thread === null ? null : threadTimes(thread))
    if (options.sample === false) {
      const before = read()
      const value = await work()
      return { cpuMs: Number.NaN, jsMs: Number.NaN, ...threadDelta(before, read()), value }
    }
    let before: ReturnType<typeof read> = null
    const { profile, value } = await this.profileDuring(async () => {
      before = read()
      return await work()
    })
    const own = threadDelta(before, read())
    if (profile === null) return { cpuMs: Number.NaN, jsMs: Number.NaN, ...own, value }
    return { cpuMs: busyMs(profile), jsMs: busyMs(profile, ['(idle)', '(program)']), ...own, value }
  }

  /**
   * The worker's thread (thread-cpu.ts), for reading its CPU around work of the caller's own; null when not found.
   * @example
   * const thread = await probe.thread(); const before = thread === null ? null : threadTimes(thread)
   */
  thread(): Promise<ThreadId | null> {
    return this.#workerThread()
  }

  /**
   * The worker's thread among the browser's renderers, found by making the worker spin; not found
   * (a busy neighbour, a machine too loaded to run the spin) is tried again on the next call.
   */
  async #workerThread(): Promise<ThreadId | null> {
    if (this.#thread !== undefined && this.#thread !== null) return this.#thread
    const info = await this.#cdp.send('SystemInfo.getProcessInfo').catch(() => ({ processInfo: [] }))
    const pids = info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id)
    const spin = (ms: number) => this.#call('Runtime.evaluate', { expression: `{ const end = performance.now() + ${ms}; while (performance.now() < end) {} }` })
    this.#thread = await findWorkerThread(pids, spin)
    return this.#thread
  }

  /**
   * The worker's sampling profile (DevTools' `.cpuprofile` form) while `work` runs; null when the
   * answer was no profile.
   * @example
   * const { profile } = await probe.profileDuring(() => fleet.stream(server, 1000, 2000))
   */
  async profileDuring<T>(work: () => Promise<T>, intervalUs = SAMPLE_US): Promise<{ profile: Profile | null; value: T }> {
    await this.#call('Profiler.enable')
    await this.#call('Profiler.setSamplingInterval', { interval: intervalUs })
    await this.#call('Profiler.start')
    let value: T
    try {
      value = await work()
    } catch (error) {
      await this.#call('Profiler.stop').catch(() => undefined)
      throw error
    }
    const stopped = await this.#call('Profiler.stop')
    const profile = stopped['profile']
    return { profile: isProfile(profile) ? profile : null, value }
  }

  async detach(): Promise<void> {
    await this.#cdp.send('Target.detachFromTarget', { sessionId: this.#sessionId }).catch(() => undefined)
    await this.#cdp.detach()
  }

  #call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.#cdp.off('Target.receivedMessageFromTarget', onMessage); reject(new Error(`${method}: no answer in ${CALL_TIMEOUT_MS} ms`)) }, CALL_TIMEOUT_MS)
      const onMessage = (event: { sessionId: string; message: string }): void => {
        const reply = JSON.parse(event.message) as Reply
        if (event.sessionId !== this.#sessionId || reply.id !== id) return
        clearTimeout(timer)
        this.#cdp.off('Target.receivedMessageFromTarget', onMessage)
        if (reply.error !== undefined) reject(new Error(`${method}: ${reply.error.message}`))
        else resolve(reply.result ?? {})
      }
      this.#cdp.on('Target.receivedMessageFromTarget', onMessage)
      void this.#cdp.send('Target.sendMessageToTarget', { sessionId: this.#sessionId, message: JSON.stringify({ id, method, params }) })
    })
  }
}
