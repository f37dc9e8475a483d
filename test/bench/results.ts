/**
 * The shape of bench/results.json: every scenario, per contender, either a value or
 * `failed: <reason>`, so one broken contender never hides the others' figures.
 */
import type { ContenderName } from './app/contract.ts'
import type { BundleSize } from './build.ts'
import type { ScaleResult } from './scenarios/scale.ts'
import type { BundleRow } from './sizes.ts'
import type { SseResult } from './scenarios/sse.ts'
import type { WsResult } from './scenarios/websocket.ts'
import type { Spread } from './stats.ts'
import type { AbResult } from './ab.ts'
import type { SenderCpu } from './server.ts'

/** A scenario's result for one contender. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failed: string }

/** One value per contender. */
export type PerContender<T> = Record<ContenderName, Outcome<T>>

/** `/stats` after N tabs of one contender are subscribed (the other contenders' share subtracted). */
export interface ConnectionsRow { tabs: number; connections: number; channels: number; readyFailures: number }

/** Fan-out latency pooled over every tab, one figure per round. */
export interface LatencyResult {
  /** Each round's p50, in round order: rounds are interleaved across contenders, so index i pairs up. */
  p50Rounds: number[]
  /** Each round's p99, in round order (optional: older results.json lack it). */
  p99Rounds?: number[]
  p50: Spread; p95: Spread; p99: Spread; samples: number; lost: number; rateMsgS: number; durationMs: number }

/** One throughput step: what was sent, what the worst tab got, how far behind it ended. */
export interface ThroughputStep {
  rateMsgS: number
  sent: number
  achievedMsgS: number
  /** Fewest messages any tab received within the drain window. */
  minDelivered: number
  /** Messages lost, summed over tabs. */
  lost: number
  /** Median latency of the last 10 % of messages sent, worst tab: a growing backlog shows here. */
  endLagMs: number
  p50Ms: number
  /** For a majority step: sustained when most of its trials were. */
  isSustained: boolean
  /** Trials run at this rate, and how many of them were sustained (majority steps only). */
  trials?: number
  sustainedTrials?: number
  /** The sender sent under 90 % of the rate while busy itself (ladder.ts `isSenderBound`): the trial did not offer the lane the rate. */
  isSenderShort?: boolean
  /** For a majority step: not held, and most of its trials were short at the sender; no miss (ladder.ts). */
  isSenderLimited?: boolean
  /** Trials run again at this rate because the sender fell short (majority steps only). */
  senderReruns?: number
  /** The sender child's CPU over the trial and how long it took to send (optional: older results.json lack it). */
  sender?: SenderCpu & { elapsedMs: number }
}

export interface ThroughputResult {
  /** One step per rate tried, ascending: the median trial, held by majority (ladder.ts). */
  steps: ThroughputStep[]
  /** The ceiling's lower end: the highest rate held by majority (0: not even the lowest tried). */
  maxSustainedMsgS: number
  /** Its upper end: the lowest rate missed by majority; null when every rate up to the top held (optional: older results.json lack it). */
  missedMsgS?: number | null
  /** The lowest rate the sender could not offer by majority (a sender-limited step), null when none (optional: older results.json lack it). */
  senderLimitedMsgS?: number | null
}

/**
 * Time from page script start to every topic SUBSCRIBED (`newTab`), and the part of it after the
 * contender's code loaded (`newTabSubscribe`: connect and join, or ask the hub/leader).
 */
export interface NewTabResult {
  firstTab: Spread; newTab: Spread; newTabSubscribe: Spread; rttMs: number
  /** New tabs' phases, ms from script start: `load` (code), the contender's marks, `subscribed`. */
  phases?: Record<string, Spread>
  /** Code loaded → SUBSCRIBED of each new tab in round order: round i pairs across interleaved lanes. */
  fromLoadRounds?: number[]
}

export interface OwnerCloseRound { closedWasLeader: boolean; sent: number; lostTotal: number; lostWorstTab: number; gapMs: number }
export interface OwnerCloseResult { rounds: OwnerCloseRound[]; lostWorstTab: Spread; gapMs: Spread }

export interface ReloadRound { newConnections: number; flowMs: number }
export interface ReloadResult { rounds: ReloadRound[]; newConnections: Spread; flowMs: Spread }

export interface MemoryResult { tabs: number; tabsBytes: number; workerBytes: number; totalBytes: number; perTabBytes: Spread }

/**
 * tabrelay's hub with another `schedule` (STYLE.md §3: keep both numbers of the batching trade-off),
 * run in the latency and throughput scenarios only, interleaved with / right after tabrelay's own.
 */
export interface VariantResult {
  /** As the table shows it, e.g. `tabrelay (per-message)`. */
  name: string
  /** Its fleet's lane (`contract.ts`), e.g. `tabrelay-microtask`. */
  lane: string
  /** The hub's `schedule` option, as source. */
  schedule: string
  latency: Outcome<LatencyResult>
  throughput: Outcome<ThroughputResult>
}

/** A goal of issue 6, measured: where tabrelay stands and by how much it misses, if it does. */
export interface Goal { goal: string; measured: string; status: 'met' | 'missed' | 'undecided'; note: string }

export interface Results {
  meta: {
    startedAt: string
    durationS: number
    command: string
    node: string
    chromium: string
    cpus: number
    /** A fixed CPU loop timed through the run, ms: the machine's noise. */
    yardstickMs: Spread
    /** Page clocks minus the sender's clock after edge correction, ms, for the record. */
    clockSkewMs: Spread
    crossOriginIsolated: boolean
  }
  bundles: BundleSize[]
  connections: PerContender<ConnectionsRow[]>
  memory: PerContender<MemoryResult>
  latency: PerContender<LatencyResult>
  newTab: PerContender<NewTabResult>
  /** The same through a proxy that adds a network round trip (see server-proc.ts). */
  newTabRtt: PerContender<NewTabResult>
  /** The floor lane's new tabs in the same interleaved rounds (a bare SharedWorker: connect, one answer); absent in older runs. */
  newTabRttFloor?: Outcome<NewTabResult>
  ownerClose: PerContender<OwnerCloseResult>
  throughput: PerContender<ThroughputResult>
  /** The CPU yardstick after each interleaved throughput trial round (`step` round, `trial` in it), ms. */
  throughputYardsticks?: Array<{ step: number; trial: number; ms: number; isRerun?: boolean }>
  /** Keys: the contenders, plus `tabrelay-no-extended-lifetime`. */
  reload: Record<string, Outcome<ReloadResult>>
  /** `npm run size`: tab entries and one worker per transport, gzip (optional: older results.json lack it). */
  sizes?: Outcome<BundleRow[]>
  /** tabrelay without SharedWorker (a host tab's dedicated Worker), 10 tabs, interleaved with the contenders. */
  tabHost?: { connections: Outcome<ConnectionsRow>; latency: Outcome<LatencyResult>; ownerClose: Outcome<OwnerCloseResult> }
  /** SSE over HTTP/1.1, 8 tabs on one origin: tabrelay vs an EventSource per tab. */
  sse?: Outcome<SseResult>
  /** Plain WebSocket (the demo inbox), 1/5/10 tabs of one user: tabrelay vs a WebSocket per tab. */
  websocket?: Outcome<WsResult>
  /** tabrelay with many tabs, topics and users (optional: older results.json lack it). */
  scale?: Outcome<ScaleResult>
  /** Optional: results.json files from before the variants lack it. */
  variants?: VariantResult[]
  /** The last `--against` run's A/B table (ab.ts), added to the file a full run wrote; a full run writes none. */
  ab?: AbResult
  goals: Goal[]
}

/**
 * Runs one scenario step, turning a throw into `failed: <reason>`.
 * @example
 * const outcome = await attempt(() => measureLatency(fleet))
 */
export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { ok: false, failed: `failed: ${reason.split('\n')[0] ?? reason}` }
  }
}
