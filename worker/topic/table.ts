/**
 * The ref-counted topic table of one connection: many tabs and components on a topic are one
 * server join; the last one leaving triggers the leave only after a linger, so a reload or a quick
 * remount does not leave and rejoin (nanostores `STORE_UNMOUNT_DELAY`).
 */
import type { ChannelStatus, Json, PresenceState, Subscription, WireError } from '../../src/contract/protocol.ts'
import type { Clock } from '../../src/contract/clock.ts'
import type { Transport, TransportChannel } from '../transports/transport.ts'
import type { TabTrack } from './tracks.ts'
import type { TopicSub } from './listeners.ts'

/** One server topic with everything the hub knows about it. */
export interface TopicEntry {
  key: string
  /** The transport's server subscription for the topic (opaque here). */
  spec: unknown
  /** The topic name, as tabs gave it. */
  topic: string
  subs: Map<string, TopicSub>
  channel: TransportChannel | null
  status: ChannelStatus | 'joining'
  error?: WireError
  presence: PresenceState
  tracks: TabTrack[]
  /** The meta the server holds for this connection, `null` when untracked. */
  serverMeta: { [key: string]: Json } | null
  /** Time of the last event delivered on the topic, or of the first join when none was. */
  since: number | null
  wasSubscribed: boolean
  /** Server events routed to tabs (router) and sends written by tabs (connection), for `inspect()`. */
  received: number
  sent: number
  cancelLinger: (() => void) | null
}

/** What the table asks its owner to do on the server. */
export interface TopicHooks {
  open(entry: TopicEntry): void
  /** The union of bindings changed: the server channel must be joined again with `entry.spec`. */
  respec(entry: TopicEntry): void
  close(entry: TopicEntry): void
}

/** The part of a transport the table uses: how topics are keyed and subscriptions merged. */
export type TopicRules = Pick<Transport, 'key' | 'merge' | 'covers'>

/** Ref-counted table of topics; owners react through {@link TopicHooks}. */
export class TopicTable {
  readonly #entries = new Map<string, TopicEntry>()
  readonly #hooks: TopicHooks
  readonly #rules: TopicRules
  readonly #clock: Clock
  lingerMs: number

  constructor(hooks: TopicHooks, rules: TopicRules, clock: Clock, lingerMs: number) {
    this.#hooks = hooks
    this.#rules = rules
    this.#clock = clock
    this.lingerMs = lingerMs
  }

  /** Adds or updates a tab's subscription; opens the topic or re-specs it when needed. */
  add(tabId: string, sub: Subscription): TopicEntry {
    const key = this.#rules.key(sub)
    const existing = this.#entries.get(key)
    const entry = existing ?? this.#create(key, sub.topic)
    entry.subs.set(`${tabId}/${sub.subId}`, { tabId, sub })
    entry.cancelLinger?.()
    entry.cancelLinger = null
    if (!existing) {
      entry.spec = this.#rules.merge([sub], false)
      this.#hooks.open(entry)
    } else {
      this.#refresh(entry)
    }
    return entry
  }

  /** Removes one subscription; the topic is left after the linger when it was the last. */
  remove(tabId: string, subId: string): void {
    for (const entry of this.#entries.values()) {
      if (entry.subs.delete(`${tabId}/${subId}`)) this.#afterRemove(entry)
    }
  }

  /** Removes every subscription of a tab. */
  removeTab(tabId: string): void {
    for (const entry of [...this.#entries.values()]) {
      let removed = false
      for (const [id, item] of entry.subs) {
        if (item.tabId === tabId) { entry.subs.delete(id); removed = true }
      }
      if (removed) this.#afterRemove(entry)
    }
  }

  /** The entry holding a tab's subscription, if any. */
  find(tabId: string, subId: string): TopicEntry | undefined {
    for (const entry of this.#entries.values()) if (entry.subs.has(`${tabId}/${subId}`)) return entry
    return undefined
  }

  /** Recomputes the server spec (e.g. after a track enabled presence). */
  refresh(entry: TopicEntry): void {
    this.#refresh(entry)
  }

  /** Whether `entry` is still in the table (it may have lingered out). */
  has(entry: TopicEntry): boolean {
    return this.#entries.get(entry.key) === entry
  }

  /** Forgets every topic at once, without lingering (the connection is closing). */
  clear(): void {
    for (const entry of this.#entries.values()) entry.cancelLinger?.()
    this.#entries.clear()
  }

  entries(): IterableIterator<TopicEntry> {
    return this.#entries.values()
  }

  get size(): number {
    return this.#entries.size
  }

  #create(key: string, topic: string): TopicEntry {
    const entry: TopicEntry = {
      key, topic, spec: null, subs: new Map(), channel: null, status: 'joining', presence: {},
      tracks: [], serverMeta: null, since: null, wasSubscribed: false, received: 0, sent: 0, cancelLinger: null,
    }
    this.#entries.set(key, entry)
    return entry
  }

  #refresh(entry: TopicEntry): void {
    const subs = [...entry.subs.values()].map((item) => item.sub)
    const spec = this.#rules.merge(subs, entry.tracks.length > 0, entry.spec)
    // The transport decides what re-joins (Supabase: only growth; a shrinking union keeps serving
    // the extra bindings, filtered locally by each tab).
    if (this.#rules.covers(entry.spec, spec)) return
    entry.spec = spec
    this.#hooks.respec(entry)
  }

  #afterRemove(entry: TopicEntry): void {
    if (entry.subs.size > 0 || entry.cancelLinger) return
    entry.cancelLinger = this.#clock.setTimeout(() => {
      entry.cancelLinger = null
      if (entry.subs.size > 0) return
      this.#entries.delete(entry.key)
      this.#hooks.close(entry)
    }, this.lingerMs)
  }
}

