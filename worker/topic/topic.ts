/**
 * One server topic of a connection and everything the hub knows about it: the subscriptions of
 * its tabs, the server channel and what it reported (status, error, presence), the tabs' tracks
 * and the meta the server holds, the time of its last event (`since`, the `resync` cursor), the
 * callers waiting for its join, its linger. The one owner of that state: the table, the router,
 * the presence keeper and the connection call its methods.
 */
import type { TopicCursor } from './cursor.ts'
import type { ChannelStatus, Delivery, Json, PresenceState, SendResult, Subscription, WireError } from '../../src/contract/protocol.ts'
import type { Clock } from '../../src/contract/clock.ts'
import { isEventKind } from '../../src/contract/events.ts'
import type { TransportChannel } from '../transports/transport.ts'
import { effectiveMeta, sameMeta, withoutTab, withTrack, type TabTrack } from './tracks.ts'
import type { TopicSub } from './listeners.ts'

type Meta = { [key: string]: Json }
type Waiter = (channel: TransportChannel | null) => void

/**
 * What a topic's join changed: whether it was joined before (a rejoin), the `since` of its last
 * event before this join, and the subscriptions owed a `resync` since their tab moved here.
 * @example
 * const { wasSubscribed, since, owed } = topic.joined(clock.now())
 */
export interface Joined {
  wasSubscribed: boolean
  since: number | null
  owed: ReadonlySet<TopicSub>
}

/**
 * One topic and its state, behind methods.
 * @example
 * const topic = new Topic('realtime:room', 'room')
 * topic.add('tab-1', sub)
 * topic.attach(channel) // joining
 * topic.report('SUBSCRIBED'); topic.joined(clock.now())
 */
export class Topic {
  readonly key: string
  /** The topic name, as tabs gave it. */
  readonly topic: string
  readonly #subs = new Map<string, TopicSub>()
  readonly #waiters = new Set<Waiter>()
  #spec: unknown = null
  #channel: TransportChannel | null = null
  #status: ChannelStatus | 'joining' = 'joining'
  #error: WireError | undefined = undefined
  #presence: PresenceState = {}
  #tracks: TabTrack[] = []
  #trackSeq = 0
  /** The meta the server holds for this connection, `null` when untracked. */
  #serverMeta: Meta | null = null
  #joinTrack: { channel: TransportChannel; result: Promise<SendResult> } | null = null
  #since: number | null = null
  #wasSubscribed = false
  #received = 0
  #sent = 0
  #cancelLinger: (() => void) | null = null
  #cursor: TopicCursor | null = null

  constructor(key: string, topic: string) {
    this.key = key
    this.topic = topic
  }

  /** The transport's server subscription for the topic (opaque here). */
  get spec(): unknown { return this.#spec }
  get subs(): ReadonlyMap<string, TopicSub> { return this.#subs }
  get channel(): TransportChannel | null { return this.#channel }
  get status(): ChannelStatus | 'joining' { return this.#status }
  /** The error the current channel last reported with its status. */
  get error(): WireError | undefined { return this.#error }
  get presence(): PresenceState { return this.#presence }
  get tracks(): readonly TabTrack[] { return this.#tracks }
  /**
   * Time of the last event delivered on the topic (the server's, a tab's echoed broadcast), or of
   * the first join when none was: where a rejoin's `resync` tells the app to backfill from. Not
   * where a replay starts (cursor.ts `#lastReceivedAt`, the server's last new message): a replay
   * asked from an echo or a database change would not reach back to a message the hub delivered.
   */
  get since(): number | null { return this.#since }
  /** Server events routed to tabs and sends written by tabs, for `inspect()`. */
  get received(): number { return this.#received }
  get sent(): number { return this.#sent }
  get isJoined(): boolean { return this.#status === 'SUBSCRIBED' && this.#channel !== null }
  /** The cursor still judges a replay or owes a `resync` (cursor.ts `isReplaying`), for `inspect()`. */
  get isReplaying(): boolean { return this.#cursor?.isReplaying === true }

  /** Adds or replaces a tab's subscription; a pending linger is cancelled. */
  add(tabId: string, sub: Subscription): void {
    this.#subs.set(`${tabId}/${sub.subId}`, { tabId, sub })
    this.#cancelLinger?.()
    this.#cancelLinger = null
  }

  /** Removes one subscription; whether it was here. */
  remove(tabId: string, subId: string): boolean {
    return this.#subs.delete(`${tabId}/${subId}`)
  }

  /** Removes every subscription of a tab; whether it had any. */
  removeTab(tabId: string): boolean {
    let removed = false
    for (const [id, item] of this.#subs) {
      if (item.tabId === tabId) { this.#subs.delete(id); removed = true }
    }
    return removed
  }

  has(tabId: string, subId: string): boolean { return this.#subs.has(`${tabId}/${subId}`) }
  subOf(tabId: string, subId: string): Subscription | undefined { return this.#subs.get(`${tabId}/${subId}`)?.sub }
  hasTab(tabId: string): boolean { return [...this.#subs.values()].some((item) => item.tabId === tabId) }

  /** A tab switched user onto this topic while it joins: its subscriptions get a `resync` at `SUBSCRIBED`. */
  oweResync(tabId: string): void {
    for (const item of this.#subs.values()) if (item.tabId === tabId) item.owesResync = true
  }

  /** Runs `close` after `ms` unless a subscription arrives first; once per quiet spell. */
  linger(clock: Clock, ms: number, close: () => void): void {
    if (this.#subs.size > 0 || this.#cancelLinger) return
    this.#cancelLinger = clock.setTimeout(() => {
      this.#cancelLinger = null
      if (this.#subs.size === 0) close()
    }, ms)
  }

  /** Forgets a pending linger (the connection is closing). */
  stopLinger(): void {
    this.#cancelLinger?.()
    this.#cancelLinger = null
  }

  /** The server subscription changed (the union of the bindings grew). */
  respec(spec: unknown): void { this.#spec = spec }

  /** A new server channel for the topic: it is joining, and nothing its predecessor said holds. */
  attach(channel: TransportChannel): void {
    this.#channel = channel
    this.#status = 'joining'
    this.#error = undefined
  }

  /** The channel is gone (dropped, or its attempt ended); returns it for closing. */
  detach(): TransportChannel | null {
    const channel = this.#channel
    this.#channel = null
    this.#status = 'joining'
    // A stale error would make the next join look refused (auth's reopen, a late tab's snapshot).
    this.#error = undefined
    return channel
  }

  /** Whether `channel` is the topic's current one (events of a replaced channel are dropped). */
  isCurrent(channel: TransportChannel | null): boolean { return channel !== null && this.#channel === channel }

  /** The channel's status, with its error when it failed. */
  report(status: ChannelStatus, error?: WireError): void {
    this.#status = status
    this.#error = error
  }

  /** The channel is joined: returns what the join changed, clears owed resyncs, wakes the waiters. */
  joined(now: number): Joined {
    const owed = new Set([...this.#subs.values()].filter((item) => item.owesResync === true))
    for (const item of owed) delete item.owesResync
    const joined: Joined = { wasSubscribed: this.#wasSubscribed, since: this.#since, owed }
    this.#wasSubscribed = true
    this.#since ??= now
    const waiters = [...this.#waiters]
    this.#waiters.clear()
    for (const waiter of waiters) waiter(this.#channel)
    return joined
  }

  /** Resolves with the channel once the topic is joined, or `null` after `ms`. */
  whenJoined(clock: Clock, ms: number): Promise<TransportChannel | null> {
    if (this.isJoined) return Promise.resolve(this.#channel)
    return new Promise((resolve) => {
      const cancel = clock.setTimeout(() => { this.#waiters.delete(waiter); resolve(null) }, ms)
      const waiter: Waiter = (channel) => { cancel(); resolve(channel) }
      this.#waiters.add(waiter)
    })
  }

  /**
   * The server's message of `kind` reached the tabs at `now`. The one place the rule of what moves
   * `since` is applied: events alone (src/contract/events.ts), which `received` counts.
   */
  arrived(kind: Delivery['kind'], now: number): void {
    if (!isEventKind(kind)) return
    this.#received += 1
    this.#since = now
  }

  /** A tab's broadcast went out at `now` and the other tabs got its echo: an event, not the server's. */
  echoed(now: number): void {
    this.#since = now
  }

  /** The replay cursor (cursor.ts), made by `make` on first use and kept for the topic's life. */
  cursor(make: () => TopicCursor): TopicCursor {
    this.#cursor ??= make()
    return this.#cursor
  }

  /** A send was written to the channel. */
  countSent(): void { this.#sent += 1 }

  setPresence(state: PresenceState): void { this.#presence = state }

  /** Records a tab's track; the newest track of any tab is what the server should hold. */
  track(tabId: string, meta: Meta): void {
    this.#tracks = withTrack(this.#tracks, { tabId, meta, seq: ++this.#trackSeq })
  }

  /** Forgets a tab's track; whether it had one. */
  untrack(tabId: string): boolean {
    const had = this.#tracks.some((t) => t.tabId === tabId)
    this.#tracks = withoutTab(this.#tracks, tabId)
    return had
  }

  /** The merged meta when it differs from what the server holds (it becomes that), else `undefined`. */
  claimMeta(): { meta: Meta | null } | undefined {
    const meta = effectiveMeta(this.#tracks)
    if (sameMeta(meta, this.#serverMeta)) return undefined
    this.#serverMeta = meta
    return { meta }
  }

  /** Whether `meta` is still what the server should hold (no newer track superseded it). */
  holds(meta: Meta | null): boolean { return sameMeta(meta, this.#serverMeta) }

  /** The server lost this connection's presence with the old channel: track it again on the new one. */
  retrack(): void {
    const channel = this.#channel
    if (this.#serverMeta && channel?.track) this.#joinTrack = { channel, result: channel.track(this.#serverMeta).catch(() => 'error' as const) }
  }

  /** The track sent on `channel`'s join, so a track waiting for that join reuses it. */
  joinTrackOf(channel: TransportChannel): Promise<SendResult> | undefined {
    return this.#joinTrack?.channel === channel ? this.#joinTrack.result : undefined
  }
}
