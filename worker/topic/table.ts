/**
 * The ref-counted topic table of one connection: many tabs and components on a topic are one
 * server join; the last one leaving triggers the leave only after a linger, so a reload or a quick
 * remount does not leave and rejoin (nanostores `STORE_UNMOUNT_DELAY`).
 */
import type { Subscription } from '../../src/contract/protocol.ts'
import type { Clock } from '../../src/contract/clock.ts'
import type { Transport } from '../transports/transport.ts'
import { Topic } from './topic.ts'

/**
 * What the table asks its owner to do on the server.
 * @example
 * const hooks: TopicHooks = { open: (topic) => join(topic), respec: (topic) => rejoin(topic), close: (topic) => leave(topic) }
 */
export interface TopicHooks {
  open(topic: Topic): void
  /** The union of bindings changed: the server channel must be joined again with `topic.spec`. */
  respec(topic: Topic): void
  close(topic: Topic): void
}

/**
 * The part of a transport the table uses: how topics are keyed and subscriptions merged.
 * @example
 * const rules: TopicRules = supabaseTransport()
 */
export type TopicRules = Pick<Transport, 'key' | 'merge' | 'covers'>

/**
 * Ref-counted table of topics; owners react through {@link TopicHooks}.
 * @example
 * const topics = new TopicTable({ open, respec, close }, transport, clock, () => 1_000)
 * topics.add('tab-1', { subId: 's1', topic: 'room', config: {}, bindings: [] }) // opens 'room'
 * topics.remove('tab-1', 's1') // closes it after the linger
 */
export class TopicTable {
  readonly #entries = new Map<string, Topic>()
  readonly #hooks: TopicHooks
  readonly #rules: TopicRules
  readonly #clock: Clock
  readonly #lingerMs: () => number

  /** `lingerMs` is read when a topic's last subscription goes: the connection's rule over its tabs. */
  constructor(hooks: TopicHooks, rules: TopicRules, clock: Clock, lingerMs: () => number) {
    this.#hooks = hooks
    this.#rules = rules
    this.#clock = clock
    this.#lingerMs = lingerMs
  }

  /** Adds or updates a tab's subscription; opens the topic or re-specs it when needed. */
  add(tabId: string, sub: Subscription): Topic {
    const key = this.#rules.key(sub)
    const existing = this.#entries.get(key)
    const topic = existing ?? new Topic(key, sub.topic)
    if (!existing) this.#entries.set(key, topic)
    topic.add(tabId, sub)
    if (!existing) {
      topic.respec(this.#rules.merge([sub], false))
      this.#hooks.open(topic)
    } else {
      this.#refresh(topic)
    }
    return topic
  }

  /** Removes one subscription; the topic is left after the linger when it was the last. */
  remove(tabId: string, subId: string): void {
    for (const topic of this.#entries.values()) {
      if (topic.remove(tabId, subId)) this.#afterRemove(topic)
    }
  }

  /** Removes every subscription of a tab. */
  removeTab(tabId: string): void {
    for (const topic of [...this.#entries.values()]) {
      if (topic.removeTab(tabId)) this.#afterRemove(topic)
    }
  }

  /** The topic holding a tab's subscription, if any. */
  find(tabId: string, subId: string): Topic | undefined {
    for (const topic of this.#entries.values()) if (topic.has(tabId, subId)) return topic
    return undefined
  }

  /** A tab's subscription by id, if one of the topics holds it. */
  subOf(tabId: string, subId: string): Subscription | undefined {
    return this.find(tabId, subId)?.subOf(tabId, subId)
  }

  /** A tab's subscriptions by id: a view over the topics, which are their one owner. */
  subsOf(tabId: string): Map<string, Subscription> {
    const subs = new Map<string, Subscription>()
    for (const topic of this.#entries.values()) {
      for (const item of topic.subs.values()) if (item.tabId === tabId) subs.set(item.sub.subId, item.sub)
    }
    return subs
  }

  /** Recomputes the server spec (e.g. after a track enabled presence). */
  refresh(topic: Topic): void {
    this.#refresh(topic)
  }

  /** Whether `topic` is still in the table (it may have lingered out). */
  has(topic: Topic): boolean {
    return this.#entries.get(topic.key) === topic
  }

  /** Forgets every topic at once, without lingering (the connection is closing). */
  clear(): void {
    for (const topic of this.#entries.values()) topic.stopLinger()
    this.#entries.clear()
  }

  entries(): IterableIterator<Topic> {
    return this.#entries.values()
  }

  get size(): number {
    return this.#entries.size
  }

  #refresh(topic: Topic): void {
    const subs = [...topic.subs.values()].map((item) => item.sub)
    const spec = this.#rules.merge(subs, topic.tracks.length > 0, topic.spec)
    // The transport decides what re-joins (Supabase: only growth; a shrinking union keeps serving
    // the extra bindings, filtered locally by each tab).
    if (this.#rules.covers(topic.spec, spec)) return
    topic.respec(spec)
    this.#hooks.respec(topic)
  }

  #afterRemove(topic: Topic): void {
    topic.linger(this.#clock, this.#lingerMs(), () => {
      this.#entries.delete(topic.key)
      this.#hooks.close(topic)
    })
  }
}
