/**
 * A topic's cursor: where the stream the hub delivered stands, so that after a gap (reconnect,
 * pause/resume, a re-join with new bindings) the transport can ask the server to replay from
 * there, and what the replay returns reaches the tabs once, in order, or a `resync` says it could not.
 *
 * The server's replay (Supabase Broadcast Replay) returns the newest `limit` stored messages
 * inserted at or after `since`, by the server's clock, with their ids; the hub knows only its own
 * clock and the ids it delivered. So it asks from its last delivery minus `skewMs`, drops what it
 * delivered already, and calls the gap covered only when the replay reaches back to a message it
 * delivered: replayed messages are the newest ones and contiguous, so from that one on nothing is
 * missing. When the replay fills its `limit` without reaching back, or nothing reaches back within
 * `settleMs` (messages expired, a server without replay), `onGap('replay-gap', since)` fires once,
 * `since` being the last delivery before the gap (the replayed messages are newer than the hole).
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { Json, ResyncReason } from '../../src/contract/protocol.ts'

/**
 * Tuning of a cursor; `onGap` is told when a replay did not cover the gap.
 * @example
 * const options: CursorOptions = { clock, onGap: (reason) => resync(reason) }
 */
export interface CursorOptions {
  clock: Clock
  /** `since`: the last delivery before the gap, where the app's backfill must start. */
  onGap(reason: ResyncReason, since: number): void
  /** Ids of delivered messages remembered for de-duplication. Default 1024. */
  maxIds?: number
  /** How far before the last delivery a replay starts (hub vs server clock, latency). Default 5000. */
  skewMs?: number
  /** How long after a re-join a replay may take to reach back to a delivered message. Default 3000. */
  settleMs?: number
}

/**
 * What a re-join should ask the server for, or why the gap cannot be replayed.
 * @example
 * const plan: ResumePlan = { since: 1_700_000_000_000, limit: 25 }
 */
export type ResumePlan = { since: number; limit: number } | { reason: ResyncReason }

interface Watch {
  /** The last delivery before the gap. */
  from: number
  limit: number
  count: number
  cancel: () => void
}

/** How many own persisted sends are remembered until their replayed copy comes back. */
const MAX_OWN = 256

/**
 * The cursor of one topic (pure apart from its injected clock).
 * @example
 * const cursor = new TopicCursor({ clock, onGap: (reason) => resync(reason) })
 * if (cursor.receive(meta, event, payload)) deliver(event, payload)   // false: a duplicate
 * const plan = cursor.resume(25)   // on a re-join: { since, limit } or { reason }
 */
export class TopicCursor {
  readonly #options: CursorOptions
  readonly #maxIds: number
  #lastAt: number | null = null
  readonly #ids = new Set<string>()
  #own: Array<{ at: number; print: string }> = []
  #hasUnkeyed = false
  #watch: Watch | null = null

  constructor(options: CursorOptions) {
    this.#options = options
    this.#maxIds = options.maxIds ?? 1024
  }

  /** The topic's channel is joined: the cursor starts here when nothing was delivered yet. */
  joined(): void {
    this.#lastAt ??= this.#options.clock.now()
    const watch = this.#watch
    if (watch === null) return
    watch.cancel()
    watch.cancel = this.#options.clock.setTimeout(() => this.#gap(watch), this.#options.settleMs ?? 3_000)
  }

  /**
   * On a re-join: replay from the cursor (and watch that the replay reaches back), or why not.
   * `null` before the topic was ever joined (the first join is no gap).
   */
  resume(limit: number): ResumePlan | null {
    if (this.#lastAt === null) return null
    this.#watch?.cancel()
    this.#watch = null
    const since = this.#lastAt - (this.#options.skewMs ?? 5_000)
    this.#own = this.#own.filter((own) => own.at >= since)
    // Only stored messages are replayed: one delivered without an id means the gap may hold more,
    // and a topic with no stored message yet gives no evidence that its messages are stored.
    if (this.#hasUnkeyed || (this.#ids.size === 0 && this.#own.length === 0)) return { reason: 'not-persisted' }
    this.#watch = { from: this.#lastAt, limit, count: 0, cancel: () => undefined }
    return { since, limit }
  }

  /**
   * A message from the server (`meta` as the server sent it): whether to deliver it. False for a
   * message delivered before (same id), or the replayed copy of this hub's own persisted send.
   */
  receive(meta: Json | undefined, event: string, payload: Json): boolean {
    const fields = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta : {}
    const id = typeof fields['id'] === 'string' ? fields['id'] : undefined
    const isReplayed = fields['replayed'] === true
    const watch = isReplayed ? this.#watch : null
    if (watch) watch.count += 1
    const isDuplicate = (id !== undefined && this.#ids.has(id)) || (isReplayed && this.#takeOwn(event, payload))
    if (watch && isDuplicate) {
      // Reached back to a delivered message: from there on the replay is complete.
      watch.cancel()
      this.#watch = null
    } else if (watch && watch.count >= watch.limit) {
      this.#gap(watch)
    }
    if (isDuplicate) return false
    this.#lastAt = this.#options.clock.now()
    if (id !== undefined) this.#remember(id)
    else if (!isReplayed) this.#hasUnkeyed = true
    return true
  }

  /**
   * This hub sent a persisted broadcast and handed it to its own tabs itself (the server does not
   * echo to the sender): its replayed copy must not reach them again.
   */
  sent(event: string, payload: Json): void {
    this.#own.push({ at: this.#options.clock.now(), print: print(event, payload) })
    if (this.#own.length > MAX_OWN) this.#own.shift()
  }

  #takeOwn(event: string, payload: Json): boolean {
    if (this.#own.length === 0) return false
    const wanted = print(event, payload)
    const index = this.#own.findIndex((own) => own.print === wanted)
    if (index < 0) return false
    this.#own.splice(index, 1)
    return true
  }

  #remember(id: string): void {
    this.#ids.add(id)
    // A Set iterates in insertion order: the first is the oldest.
    if (this.#ids.size > this.#maxIds) for (const old of this.#ids) { this.#ids.delete(old); break }
  }

  #gap(watch: Watch): void {
    if (this.#watch !== watch) return
    watch.cancel()
    this.#watch = null
    this.#options.onGap('replay-gap', watch.from)
  }
}

function print(event: string, payload: Json): string {
  return `${event}\n${JSON.stringify(payload)}`
}
