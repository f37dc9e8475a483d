/**
 * A fleet: one contender's tabs in one browser context (a SharedWorker and a BroadcastChannel are
 * shared within a context only), oldest first, with helpers to stream at them and collect what
 * every tab received. Every wait is bounded.
 */
import type { Browser, BrowserContext } from 'playwright-core'
import { laneOf, nowMs, streamTopic, type Batching, type ContenderName, type Lane } from './app/contract.ts'
import { openTab, pageClockOffset, pageUrl, take, type Tab, type Target } from './browser.ts'
import type { ServerHandle, StreamDone, Via } from './server.ts'
import { maxGap, missing } from './stats.ts'

/** What one tab got from one stream, times in the sender's clock. */
export interface TabRecord {
  seqs: number[]
  recvAt: number[]
  latencies: number[]
  lost: number
  /** Longest silence between arrivals, including a missing tail up to the last send. */
  gapMs: number
}

const SETTLE_QUIET_MS = 250
const SETTLE_MAX_MS = 4_000

/**
 * Bounded sleep.
 * @example
 * await sleep(100)
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * How a fleet's tabs load: `lifetime: false` drops `extendedLifetime`; `batching` picks tabrelay's
 * hub; `topics` per tab (default 3); `token`, a user's JWT (tabrelay only; default anonymous);
 * `host: 'leader-tab'`, tabrelay without SharedWorker; `probe`, the tail probe's hop stamps (tail.ts);
 * `name`, an A/B lane's name (ab.ts), whose tabs subscribe to topics of that name; `floor`, the A/B
 * bench's floor lane instead of tabrelay (app/floor.ts).
 */
export interface FleetOptions { lifetime?: boolean; batching?: Batching; topics?: number; token?: string; host?: 'leader-tab'; probe?: boolean; name?: string; floor?: boolean; replay?: boolean }

/** One contender's context and tabs. */
export class Fleet {
  readonly contender: ContenderName
  readonly tabs: Tab[] = []
  #context: BrowserContext
  #target: Target
  #options: FleetOptions
  /** Page clock minus sender clock, measured once on the first tab (one machine, one clock). */
  skewMs = 0
  #seq = 0

  private constructor(contender: ContenderName, context: BrowserContext, target: Target, options: FleetOptions) {
    this.contender = contender
    this.#context = context
    this.#target = target
    this.#options = options
  }

  /**
   * A fresh context for `contender`; no tab yet.
   * @example
   * const fleet = await Fleet.open(browser, target, 'pertab')
   */
  static async open(browser: Browser, target: Target, contender: ContenderName, options: FleetOptions = {}): Promise<Fleet> {
    return new Fleet(contender, await browser.newContext(), target, options)
  }

  /** The contender, or tabrelay's per-message variant: what the tabs subscribe under. */
  get lane(): Lane {
    return laneOf(this.contender, this.#options.batching ?? 'task', this.#options.host)
  }

  get topic(): string {
    return streamTopic(this.#options.name ?? this.lane)
  }

  /** Sequence numbers never repeat within a fleet, so a late message of an old stream is never counted. */
  nextSeq(count: number): number {
    const first = this.#seq
    this.#seq += count + 1
    return first
  }

  /** Opens one more tab; `overrides` for this tab only (e.g. another user's token). */
  async add(overrides: FleetOptions = {}): Promise<Tab> {
    const tab = await openTab(this.#context, pageUrl(this.#target, this.contender, { ...this.#options, ...overrides }))
    this.tabs.push(tab)
    return tab
  }

  async measureSkew(server: ServerHandle): Promise<number> {
    const first = this.tabs[0]
    if (first === undefined) return 0
    this.skewMs = (await pageClockOffset(first.page)) - (await server.clockOffsetMs())
    return this.skewMs
  }

  async closeTab(tab: Tab): Promise<void> {
    const index = this.tabs.indexOf(tab)
    if (index >= 0) this.tabs.splice(index, 1)
    await tab.page.close()
  }

  /** The tab that holds the connection: the elected one for `leader`, else the oldest. */
  async owner(): Promise<{ tab: Tab; isLeader: boolean }> {
    for (const tab of this.tabs) {
      const isLeader = await tab.page.evaluate(() => window.bench?.isLeader() ?? false)
      if (this.contender !== 'leader' || isLeader) return { tab, isLeader }
    }
    const oldest = this.tabs[0]
    if (oldest === undefined) throw new Error('no tab open')
    return { tab: oldest, isLeader: false }
  }

  /** Waits until no tab's receive count moves for a while (bounded), i.e. every backlog drained. */
  async settle(maxMs = SETTLE_MAX_MS): Promise<void> {
    const stop = performance.now() + maxMs
    let last = -1
    let quietSince = performance.now()
    while (performance.now() < stop) {
      const counts = await Promise.all(this.tabs.map((t) => t.page.evaluate(() => window.bench?.count() ?? 0)))
      const total = counts.reduce((a, b) => a + b, 0)
      if (total !== last) { last = total; quietSince = performance.now() }
      else if (performance.now() - quietSince >= SETTLE_QUIET_MS) return
      await sleep(50)
    }
  }

  /** Drops whatever the tabs recorded so far. */
  async discard(): Promise<void> {
    await Promise.all(this.tabs.map((t) => take(t.page)))
  }

  /** Collects each tab's record of `done`, in the sender's clock. */
  async collect(done: StreamDone, tabs: readonly Tab[] = this.tabs): Promise<TabRecord[]> {
    const count = done.sentAt.length
    const lastSent = done.sentAt[count - 1] ?? 0
    return Promise.all(tabs.map(async (tab) => {
      const raw = await take(tab.page)
      const seqs: number[] = []
      const recvAt: number[] = []
      const latencies: number[] = []
      raw.seqs.forEach((seq, i) => {
        const sent = done.sentAt[seq - done.firstSeq]
        const at = raw.recvAt[i]
        if (sent === undefined || at === undefined) return
        seqs.push(seq)
        recvAt.push(at - this.skewMs)
        latencies.push(at - this.skewMs - sent)
      })
      const lost = missing(seqs, done.firstSeq, count)
      const tail = recvAt.length === 0 ? 0 : lastSent - Math.max(...recvAt)
      return { seqs, recvAt, latencies, lost, gapMs: Math.max(maxGap(recvAt), tail) }
    }))
  }

  /** Streams `rate` msg/s for `durationMs` at this fleet's topic (`via` the sender's REST route or its socket, server.ts), waits for the tabs, collects. */
  async stream(server: ServerHandle, rate: number, durationMs: number, during?: () => Promise<void>, via: Via = 'rest'): Promise<{ done: StreamDone; records: TabRecord[] }> {
    await this.discard()
    const firstSeq = this.nextSeq(Math.round((rate * durationMs) / 1000))
    const persist = this.#options.replay === true
    // A persisted stream needs the REST single-message route (stored for Broadcast Replay).
    const streaming = server.stream(this.topic, rate, durationMs, firstSeq, { persist, via: persist ? 'rest' : via })
    if (during) {
      // A failing action must not leave the stream's promise unobserved.
      await during().catch(async (error: unknown) => { await streaming.catch(() => undefined); throw error })
    }
    const done = await streaming
    if (done.error !== undefined) throw new Error(`sender: ${done.error}`)
    await this.settle()
    return { done, records: await this.collect(done) }
  }

  async close(): Promise<void> {
    await this.#context.close()
  }
}

/**
 * The sender's clock now (for stamps taken by the runner, e.g. when a reload starts).
 * @example
 * const reloadAt = senderNow()
 */
export const senderNow = nowMs
