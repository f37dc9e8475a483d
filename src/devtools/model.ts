/**
 * What the panel shows, kept between polls: the latest snapshot, the journal gathered so far
 * (bounded), and each topic's messages per second in and out over the last minute.
 */
import type { HubInspection, JournalEntry } from '../contract/inspect.ts'

/** Journal entries the panel keeps; older ones scroll away. */
export const KEPT_ENTRIES = 500

/** Samples per topic sparkline (one a poll: 500 ms → the last 30 s). */
export const SPARK_SAMPLES = 60

/**
 * What the panel needs of a tab client: `createRelay()` and `createSharedRealtime()` both have it.
 * @example
 * const client: Inspectable = createRelay({ transport, endpoint, worker })
 */
export interface Inspectable {
  inspect(since?: number): Promise<HubInspection>
  readonly isLeader: boolean
}

/** A topic's rates: messages per second in (from the server) and out (sent by tabs). */
export interface Rates {
  in: number[]
  out: number[]
}

/**
 * Polled state of one hub view.
 * @example
 * const model = new DevtoolsModel(relay); await model.poll(); model.snapshot?.tabs
 */
export class DevtoolsModel {
  readonly #client: Inspectable
  snapshot: HubInspection | null = null
  readonly journal: JournalEntry[] = []
  readonly rates = new Map<string, Rates>()
  /** The last failed poll, cleared by the next good one (an old worker has no `inspect`). */
  error: string | null = null
  #since = 0

  constructor(client: Inspectable) {
    this.#client = client
  }

  /** Asks the hub for what changed since the last poll. */
  async poll(): Promise<void> {
    try {
      const next = await this.#client.inspect(this.#since)
      this.#rate(this.snapshot, next)
      // A restarted worker numbers its journal from 1 again: start over, asking it for everything.
      const isNewWorker = this.snapshot !== null && next.workerId !== this.snapshot.workerId
      if (isNewWorker) this.journal.length = 0
      else this.journal.push(...next.journal)
      if (this.journal.length > KEPT_ENTRIES) this.journal.splice(0, this.journal.length - KEPT_ENTRIES)
      this.#since = isNewWorker ? 0 : next.seq
      this.snapshot = next
      this.error = null
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error)
    }
  }

  #rate(previous: HubInspection | null, next: HubInspection): void {
    const seconds = previous ? (next.now - previous.now) / 1000 : 0
    const seen = new Set<string>()
    for (const topic of next.topics) {
      seen.add(topic.topic)
      const before = previous?.topics.find((t) => t.topic === topic.topic)
      const rates = this.rates.get(topic.topic) ?? { in: [], out: [] }
      this.rates.set(topic.topic, rates)
      if (!before || seconds <= 0) continue
      push(rates.in, Math.max(0, topic.received - before.received) / seconds)
      push(rates.out, Math.max(0, topic.sent - before.sent) / seconds)
    }
    for (const topic of [...this.rates.keys()]) if (!seen.has(topic)) this.rates.delete(topic)
  }
}

function push(samples: number[], value: number): void {
  samples.push(value)
  if (samples.length > SPARK_SAMPLES) samples.shift()
}
