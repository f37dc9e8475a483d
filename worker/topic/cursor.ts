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
 *
 * A new hub (a restarted worker, a tab-host handover, a deploy move) knows nothing of the topic, but
 * the tabs that rejoin it do: their subscriptions bring a {@link ResumeCursor}, and the replay starts
 * from the oldest of them. What it returns is sorted per subscription (resumers.ts): each gets what
 * it lacks, once, in order; each that it could not cover gets its own `resync`. Subscriptions that
 * came without a cursor get no replayed message (it happened before they joined). One arriving
 * after the replay was asked for is caught up from the newest messages the hub keeps, else by one
 * re-join of the topic with a replay from its own cursor (also when the running replay passed it).
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { Json, ResumeCursor, ResyncReason } from '../../src/contract/protocol.ts'
import { OwnSends } from './own-sends.ts'
import { Resumer, type Kept } from './resumers.ts'

/**
 * Tuning of a cursor; `onGap` is told when a replay did not cover the gap.
 * @example
 * const options: CursorOptions = { clock, onGap: (reason) => resync(reason) }
 */
export interface CursorOptions {
  clock: Clock
  /**
   * `since`: the last delivery before the gap, where the app's backfill must start; `only`: the
   * one subscription (resumers.ts `subKey`) it concerns, absent for all.
   */
  onGap(reason: ResyncReason, since: number, only?: string): void
  /** Messages that were held for one resuming subscription are due to it now, in order. */
  onRelease?(key: string, messages: readonly Kept[]): void
  /** Newest messages with ids kept for subscriptions that rejoin late. Default 128. */
  maxRecent?: number
  /**
   * A subscription rejoined later than the kept messages reach back: join the topic again, so that
   * the next `resume()` asks the server for a replay from its cursor. At most once per replay (a
   * running replay takes later ones along), so no tab can make the hub re-join faster than that.
   */
  onReplay?(): void
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

/**
 * A tab's subscription that rejoined with its cursor (see {@link Subscription.resume}).
 * @example
 * const rejoined: Rejoined = { key: subKey(tabId, sub.subId), cursor: sub.resume }
 */
export interface Rejoined {
  key: string
  cursor: ResumeCursor
}

/**
 * For one message: whether the hub takes it at all, and if so which subscriptions get it (`true`:
 * every one that listens).
 * @example
 * const route = cursor.receive(meta, event, payload)
 * if (route !== false) deliverTo((key) => route === true || route(key))
 */
export type Route = boolean | ((key: string) => boolean)

interface Watch {
  /** The last delivery before the gap; `null` when only resumers are owed (a new hub). */
  from: number | null
  limit: number
  count: number
  /** The replay reached back to a message this hub delivered. */
  isCovered: boolean
  cancel: () => void
}

/**
 * The cursor of one topic (pure apart from its injected clock).
 * @example
 * const cursor = new TopicCursor({ clock, onGap: (reason) => resync(reason) })
 * const route = cursor.receive(meta, event, payload)   // false: a duplicate; a function: per subscription
 * const plan = cursor.resume(25, rejoined)   // on a (re-)join: { since, limit } or { reason }
 */
export class TopicCursor {
  readonly #options: CursorOptions
  readonly #maxIds: number
  /** When the server last sent a message new here (or the first join): a replay reaches back to it. */
  #lastReceivedAt: number | null = null
  readonly #ids = new Set<string>()
  readonly #own = new OwnSends()
  #hasUnkeyed = false
  #watch: Watch | null = null
  /** What the last `resume()` answered; `undefined` before the transport ever asked. */
  #plan: ResumePlan | null | undefined = undefined
  readonly #resumers = new Map<string, Resumer>()
  /** Cursors already taken: a re-join of the same subscription must not resume it twice. */
  readonly #taken = new WeakSet<ResumeCursor>()
  /** Resumers owed a `resync` at the next `SUBSCRIBED`, with its reason. */
  #owed: Array<{ resumer: Resumer; reason: ResyncReason }> = []
  #recent: Kept[] = []
  /** Resumers that joined a running replay after it may have passed them: each gets one re-join. */
  #joinedLate = new Set<string>()
  /** Why the transport said its last join could not be replayed, when it said so without asking. */
  #joinReason: ResyncReason | undefined
  /** A watch is open (resumers wait in one) or resyncs are owed at the next join: a gap may yet be told. */
  get isReplaying(): boolean { return this.#watch !== null || this.#owed.length > 0 }

  constructor(options: CursorOptions) {
    this.#options = options
    this.#maxIds = options.maxIds ?? 1024
  }

  /**
   * The topic's channel is joined: the cursor starts here when nothing was delivered yet; resumers
   * the replay cannot serve get their `resync` now, and `rejoined` ones nobody asked about are judged
   * (`reason`: why the transport cannot replay the topic, as its `SUBSCRIBED` said).
   */
  joined(rejoined: readonly Rejoined[] = [], reason?: ResyncReason): void {
    this.#lastReceivedAt ??= this.#options.clock.now()
    this.#joinReason = reason
    const owed = this.#owed
    this.#owed = []
    for (const { resumer, reason } of owed) this.#options.onGap(reason, resumer.since, resumer.key)
    for (const item of rejoined) this.late(item)
    const watch = this.#watch
    if (watch === null) return
    watch.cancel()
    watch.cancel = this.#options.clock.setTimeout(() => this.#end(watch), this.#options.settleMs ?? 3_000)
  }

  /**
   * On a (re-)join: replay from the cursor, or the oldest of the `rejoined` subscriptions' cursors
   * (and watch that the replay reaches back), or why not. `null` on the hub's first join of a topic
   * nobody brought a cursor for (the first join is no gap).
   */
  resume(limit: number, rejoined: readonly Rejoined[] = []): ResumePlan | null {
    this.#watch?.cancel()
    this.#watch = null
    for (const item of rejoined) {
      const resumer = this.#take(item)
      if (resumer) this.#resumers.set(resumer.key, resumer)
    }
    const plan = this.#plan = this.#planFor(limit)
    if (plan === null || 'reason' in plan) {
      for (const resumer of this.#resumers.values()) this.#owed.push({ resumer, reason: plan?.reason ?? 'new-hub' })
      this.#resumers.clear()
    } else {
      this.#watch = { from: this.#lastReceivedAt, limit, count: 0, isCovered: false, cancel: () => undefined }
    }
    return plan
  }

  /**
   * A subscription rejoined while the topic is joined: caught up from the newest messages the hub
   * got when one of its ids is among them, else watched in the running replay, else its `resync`.
   */
  late(item: Rejoined): void {
    const resumer = this.#take(item)
    if (!resumer) return
    const missed = resumer.catchUp(this.#recent)
    if (missed !== null && missed.length > 0) this.#options.onRelease?.(resumer.key, missed)
    const plan = this.#plan
    const isReplayed = plan !== undefined && !(plan && 'reason' in plan)
    if (this.#watch !== null || (missed === null && isReplayed && resumer.hasIds && this.#options.onReplay)) {
      this.#resumers.set(resumer.key, resumer)
      // The running replay may already have passed its place: one re-join for it if it ends so.
      if (this.#watch !== null && missed === null) this.#joinedLate.add(resumer.key)
      if (this.#watch === null) {
        // A watch until the re-join asks again: one more late tab joins it rather than re-join twice.
        this.#watch = { from: null, limit: Infinity, count: 0, isCovered: false, cancel: () => undefined }
        this.#options.onReplay?.()
      }
    } else if (missed === null) {
      const reason = plan && 'reason' in plan ? plan.reason : plan === undefined ? this.#joinReason ?? 'new-hub' : resumer.hasIds ? 'replay-gap' : 'not-persisted'
      this.#options.onGap(reason, resumer.since, resumer.key)
    }
  }

  /**
   * A message from the server (`meta` as the server sent it): `false` for one delivered before
   * (same id) or the replayed copy of this hub's own persisted send; else who gets it ({@link Route}).
   */
  receive(meta: Json | undefined, event: string, payload: Json): Route {
    const fields = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta : {}
    const id = typeof fields['id'] === 'string' ? fields['id'] : undefined
    const isReplayed = fields['replayed'] === true
    const watch = isReplayed ? this.#watch : null
    if (watch) watch.count += 1
    const isKnown = id !== undefined && this.#ids.has(id)
    const isOwn = !isKnown && isReplayed && this.#own.take(event, payload)
    const isDuplicate = isKnown || isOwn
    const kept: Kept = { id, event, payload, meta }
    // Each resumer sees every message: one of its own ids covers it, and one the hub delivered
    // before this tab came is still due to it (but not the copy of a send it had from the hub).
    const due = new Map<string, boolean>()
    for (const resumer of this.#resumers.values()) {
      if (isOwn) resumer.see(id)
      else due.set(resumer.key, resumer.take(kept))
    }
    if (watch && isDuplicate) watch.isCovered = true
    if (watch && (watch.count >= watch.limit || (watch.isCovered && this.#resumers.size === 0))) this.#end(watch)
    if (isDuplicate) return [...due.values()].includes(true) ? (key) => due.get(key) === true : false
    this.#lastReceivedAt = this.#options.clock.now()
    if (id !== undefined) this.#keep(kept)
    else if (!isReplayed) this.#hasUnkeyed = true
    // A new hub's replay is owed to the resumers only: the others joined after those messages.
    const others = !isReplayed || watch === null || watch.from !== null
    if (due.size === 0 && others) return true
    return (key) => due.get(key) ?? others
  }

  /**
   * This hub sent a persisted broadcast and handed it to its own tabs itself (the server does not
   * echo to the sender): its replayed copy must not reach them again.
   */
  sent(event: string, payload: Json): void {
    this.#own.add(event, payload, this.#options.clock.now())
  }

  #planFor(limit: number): ResumePlan | null {
    const resumers = [...this.#resumers.values()]
    if (this.#lastReceivedAt === null && resumers.length === 0) return null
    const oldest = Math.min(this.#lastReceivedAt ?? Infinity, ...resumers.map((resumer) => resumer.since))
    // Never before the epoch: a forged `since: 0` must not make the server refuse the join for all.
    const since = Math.max(0, oldest - (this.#options.skewMs ?? 5_000))
    this.#own.keepFrom(since)
    // Only stored messages are replayed: one delivered without an id means the gap may hold more,
    // and a topic with no stored message yet gives no evidence that its messages are stored.
    const isOwnReplayable = this.#lastReceivedAt === null || (!this.#hasUnkeyed && (this.#ids.size > 0 || !this.#own.isEmpty))
    if (!isOwnReplayable || !resumers.every((resumer) => resumer.hasIds)) {
      // A resumer without ids cannot be placed in any replay; the others can still be served.
      for (const resumer of resumers) {
        if (isOwnReplayable && resumer.hasIds) continue
        this.#owed.push({ resumer, reason: 'not-persisted' })
        this.#resumers.delete(resumer.key)
      }
      if (!isOwnReplayable || this.#resumers.size === 0) return { reason: 'not-persisted' }
      return this.#planFor(limit)
    }
    return { since, limit }
  }

  #take(item: Rejoined): Resumer | null {
    if (this.#taken.has(item.cursor) || this.#resumers.has(item.key)) return null
    this.#taken.add(item.cursor)
    return new Resumer(item.key, item.cursor, this.#options.clock.now())
  }

  #keep(kept: Kept): void {
    const id = kept.id
    if (id === undefined) return
    this.#ids.add(id)
    // A Set iterates in insertion order: the first is the oldest.
    if (this.#ids.size > this.#maxIds) for (const old of this.#ids) { this.#ids.delete(old); break }
    this.#recent.push(kept)
    if (this.#recent.length > (this.#options.maxRecent ?? 128)) this.#recent.shift()
  }

  /** The replay is over (its limit reached, or settled): who it did not cover gets a `resync`. */
  #end(watch: Watch): void {
    if (this.#watch !== watch) return
    watch.cancel()
    this.#watch = null
    const resumers = [...this.#resumers.values()]
    const late = this.#joinedLate
    this.#resumers.clear()
    this.#joinedLate = new Set()
    const again: Resumer[] = []
    for (const resumer of resumers) {
      if (resumer.isCovered) continue
      // It came while the replay ran, and the hub's newest messages no longer held its place.
      if (late.has(resumer.key) && this.#options.onReplay) { again.push(resumer); continue }
      const held = resumer.release()
      if (held.length > 0) this.#options.onRelease?.(resumer.key, held)
      this.#options.onGap('replay-gap', resumer.since, resumer.key)
    }
    if (watch.from !== null && !watch.isCovered) this.#options.onGap('replay-gap', watch.from)
    if (again.length === 0) return
    for (const resumer of again) this.#resumers.set(resumer.key, resumer)
    this.#watch = { from: null, limit: Infinity, count: 0, isCovered: false, cancel: () => undefined }
    this.#options.onReplay?.()
  }
}
