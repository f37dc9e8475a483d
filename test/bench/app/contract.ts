/**
 * The contract between the bench runner (Node) and the bench page: what a contender implements and
 * what the page exposes as `window.bench`. Types and tiny pure helpers only, so both sides import it.
 */

/** The three contenders, as the page's `?contender=` takes them. */
export type ContenderName = 'tabrelay' | 'pertab' | 'leader'

export const CONTENDERS: readonly ContenderName[] = ['tabrelay', 'pertab', 'leader']

export const STREAM_EVENT = 'tick'

/**
 * How the tabrelay hub flushes a tab's deliveries: `task`, the default cross-task batching
 * (`nextTask`), or `microtask`, one Comlink call per socket message (`?batch=microtask`).
 */
export type Batching = 'task' | 'microtask'

/** tabrelay's hub flushing per message: a variant run in the latency and throughput scenarios only. */
export const PER_MESSAGE = 'tabrelay-microtask'

/** tabrelay without SharedWorker: the tabs elect a host tab whose dedicated Worker runs the hub (`?host=leader-tab`). */
export const TAB_HOST = 'tabrelay-tabhost'

/** A fleet's name: a contender, tabrelay flushing per message, or tabrelay on the tab host. */
export type Lane = ContenderName | typeof PER_MESSAGE | typeof TAB_HOST

/**
 * The lane of a contender run with a batching mode or host (only tabrelay has a choice).
 * @example
 * laneOf('tabrelay', 'microtask') // 'tabrelay-microtask'
 */
export function laneOf(contender: ContenderName, batching: Batching, host?: 'leader-tab'): Lane {
  if (contender !== 'tabrelay') return contender
  if (host === 'leader-tab') return TAB_HOST
  return batching === 'microtask' ? PER_MESSAGE : contender
}

/**
 * A lane's topics (a {@link Lane}, or an A/B lane's name such as `tabrelay@677b2e4`): each has its own, so every fleet can stay open side by side in one browser
 * and the sender streams to one at a time. The first topic carries the streams; the others only
 * cost joins.
 * @example
 * topicsOf('pertab', 3) // ['pertab:0', 'pertab:1', 'pertab:2']
 */
export function topicsOf(lane: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${lane}:${i}`)
}

/**
 * The topic streams go to.
 * @example
 * streamTopic('leader') // 'leader:0'
 */
export function streamTopic(lane: string): string {
  return `${lane}:0`
}

/** What the runner stamps into every streamed broadcast. */
export interface TickPayload {
  seq: number
  /** `performance.timeOrigin + performance.now()` in the sender, ms. */
  sentAt: number
}

/** What a contender gets from the page. */
export interface StartOptions {
  url: string
  apikey: string
  topics: string[]
  /** Whether to ask for the SharedWorker's `extendedLifetime` (tabrelay only). */
  isExtendedLifetime: boolean
  /** The user's access token (tabrelay only): tabs of different users get different connections. */
  token?: string
  /** Private channels, whose persisted stream the hub resumes through Broadcast Replay after a gap (tabrelay only). */
  isPrivate?: boolean
  onEvent(topic: string, payload: unknown): void
}

/** A contender running in one tab, subscribed to every topic once `start()` resolves. */
export interface Contender {
  /** Broadcast from this tab, resolves with supabase-js's result string. */
  send(topic: string, event: string, payload: Record<string, unknown>): Promise<string>
  /** Who holds the connection: the hub's leader tab (tabrelay), the elected tab (leader), always (pertab). */
  isLeader(): boolean
  /** The hub's counters (tabrelay only): deliveries and the Comlink calls that carried them. */
  stats?(): Promise<{ delivered: number; batches: number }>
  close(): Promise<void>
}

/** How long the page took from its first script line to every topic `SUBSCRIBED`, or why it failed. */
export interface ReadyInfo {
  readyMs: number
  /** Of which loading the contender's code (the dynamic import). */
  loadMs: number
  error: string | null
  /** Phases the contender marked on the way (`bench:<name>`), ms since the first script line. */
  marks?: Record<string, number>
}

/** Stream messages received since the last `take()`: parallel arrays, in arrival order. */
export interface Received {
  seqs: number[]
  recvAt: number[]
  /** Under the tail probe (`?probe=1`), each arrival's hop stamps (`probe.ts`), parallel to `seqs`. */
  hops?: Array<Record<string, number>>
}

/** `window.bench`, the uniform API the runner drives every contender through. */
export interface BenchApi {
  contender: ContenderName
  ready: Promise<ReadyInfo>
  take(): Received
  count(): number
  isLeader(): boolean
  send(topic: string, payload: Record<string, unknown>): Promise<string>
  /** High-resolution clock minus `Date.now()`, measured at a millisecond edge (see clock.ts). */
  clockOffsetMs(): number
  /** The hub's delivery counters, null for a contender without a hub. */
  hubStats(): Promise<{ delivered: number; batches: number } | null>
  close(): Promise<void>
}

declare global {
  interface Window {
    bench?: BenchApi
  }
}

/**
 * Whether a broadcast payload is one of the runner's stream ticks.
 * @example
 * isTick({ seq: 1, sentAt: 2 }) // true
 */
export function isTick(payload: unknown): payload is TickPayload {
  if (typeof payload !== 'object' || payload === null) return false
  const seq: unknown = 'seq' in payload ? payload.seq : undefined
  const sentAt: unknown = 'sentAt' in payload ? payload.sentAt : undefined
  return typeof seq === 'number' && typeof sentAt === 'number'
}

/**
 * The high-resolution wall clock both sides stamp with: one machine, one clock.
 * @example
 * const t = nowMs()
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * `nowMs() - Date.now()` sampled right after `Date.now()` ticks, the lowest of a few edges.
 * Node and Chromium derive `timeOrigin` independently, so the runner subtracts each side's offset
 * to compare stamps to well under a millisecond. Bounded: at most `budgetMs` of busy-waiting.
 * @example
 * const offset = clockOffset(30)
 */
export function clockOffset(budgetMs = 30): number {
  const stop = performance.now() + budgetMs
  let best = Number.POSITIVE_INFINITY
  let last = Date.now()
  while (performance.now() < stop) {
    const wall = Date.now()
    if (wall !== last) {
      best = Math.min(best, nowMs() - wall)
      last = wall
    }
  }
  return Number.isFinite(best) ? best : 0
}

/**
 * The console line a bench page prints once its `bench.ready` settled. The harness waits for it
 * instead of polling with `waitForFunction`, whose injected script (compiled and run in the page
 * on first use) took 10–15 ms of a new tab's main thread while the tab waited for its hub's answer.
 * @example
 * console.debug(READY_SIGNAL)
 */
export const READY_SIGNAL = 'bench:ready'
