/**
 * Resume without loss on a server that replays (the Django inbox's `since`, test/servers/README.md):
 * each topic's cursor (the newest `message_id` seen) lives in the connection's `memory`, so it
 * outlives attempts; every (re)subscribe carries it; what the server replays is held until its
 * end-of-replay frame, then the channel reports SUBSCRIBED (continuous when the replay covered the
 * gap, so the hub sends no `resync`) and the held frames follow in order. Frames whose id was seen
 * already are dropped.
 */
import type { Json } from '../../../src/contract/protocol.ts'
import type { Routed } from './options.ts'

/**
 * How a server replays: the app's frames for it.
 * @example
 * const resume: ResumeOptions = { subscribe: (topic, since) => ({ type: 'subscribe', conversation_id: topic, since }), cursorOf, replayed }
 */
export interface ResumeOptions {
  /** The subscribe frame asking for what came after `since` (`null`: nothing seen yet). */
  subscribe(topic: string, since: number | null): Json | null
  /** The id of a frame routed to a topic (a message's `message_id`), or null when it has none. */
  cursorOf(frame: Json): number | null
  /** The server's end of a replay: its topic, whether it covered everything since the cursor, its newest id. */
  replayed(frame: Json): { topic: string; isComplete: boolean; last: number | null } | null
  /** How long to wait for the end of a replay before reporting SUBSCRIBED anyway (not continuous). Default 10 000. */
  timeoutMs?: number
}

/** Ids remembered per topic for deduplication; older ones are forgotten first. */
export const SEEN_IDS_MAX = 2_048
/** Frames held per topic while its replay runs (the Django server replays at most 500). */
export const HELD_FRAMES_MAX = 2_048

// Per connection (the memory Map is the same object on every attempt of one connection).
const seenByMemory = new WeakMap<Map<string, Json>, Map<string, Set<number>>>()
const cursorKey = (topic: string): string => `ws:since:${topic}`

/** A frame held during a replay, with its id. */
interface Held {
  id: number | null
  routed: Routed
}

/** What a topic waits for on one attempt: the end of its replay. */
interface Pending {
  since: number | null
  held: Held[]
  heldIds: Set<number>
  isOverflowed: boolean
}

/**
 * One attempt's view of the connection's cursors. A held frame's id counts as seen only once it
 * is delivered: an attempt that ends mid-replay leaves the cursor where it was.
 * @example
 * const resume = new ResumeState(options.memory, settings.resume)
 */
export class ResumeState {
  readonly #memory: Map<string, Json>
  readonly #options: ResumeOptions
  readonly #seen: Map<string, Set<number>>
  readonly #pending = new Map<string, Pending>()

  constructor(memory: Map<string, Json>, options: ResumeOptions) {
    this.#memory = memory
    this.#options = options
    const seen = seenByMemory.get(memory) ?? new Map<string, Set<number>>()
    seenByMemory.set(memory, seen)
    this.#seen = seen
  }

  /** The subscribe frame with the topic's cursor; the topic now waits for its replay's end. */
  subscribe(topic: string): Json | null {
    const stored = this.#memory.get(cursorKey(topic))
    const since = typeof stored === 'number' ? stored : null
    this.#pending.set(topic, { since, held: [], heldIds: new Set(), isOverflowed: false })
    return this.#options.subscribe(topic, since)
  }

  /** The topic left: its cursor and ids are forgotten (a later join starts afresh, as a new subscription). */
  forget(topic: string): void {
    this.#pending.delete(topic)
    this.#memory.delete(cursorKey(topic))
    this.#seen.delete(topic)
  }

  /** True: deliver now. False: seen already (dropped), or held until the topic's replay ends. */
  admit(frame: Json, routed: Routed & { topic: string }): boolean {
    const id = this.#options.cursorOf(frame)
    if (id !== null && this.#seen.get(routed.topic)?.has(id) === true) return false
    const pending = this.#pending.get(routed.topic)
    if (pending === undefined) {
      if (id !== null) this.#record(routed.topic, id)
      return true
    }
    if (id !== null && pending.heldIds.has(id)) return false
    // Over the bound: the held frames are dropped and the topic resyncs instead.
    if (pending.held.length >= HELD_FRAMES_MAX) pending.isOverflowed = true
    if (pending.isOverflowed) return false
    pending.held.push({ id, routed })
    if (id !== null) pending.heldIds.add(id)
    return false
  }

  /** The end-of-replay frame, if `frame` is one: the topic, continuity and the held frames to deliver now. */
  replayed(frame: Json): { topic: string; isContinuous: boolean; held: Routed[] } | null {
    const end = this.#options.replayed(frame)
    if (end === null) return null
    const pending = this.#pending.get(end.topic)
    if (pending === undefined) return { topic: end.topic, isContinuous: false, held: [] }
    const held = this.expire(end.topic)
    // Incomplete: the tabs resync (refetch), so the cursor jumps to the server's newest.
    const cursor = this.#memory.get(cursorKey(end.topic))
    if (end.last !== null && (!end.isComplete || typeof cursor !== 'number' || end.last > cursor)) this.#memory.set(cursorKey(end.topic), end.last)
    return { topic: end.topic, isContinuous: pending.since !== null && end.isComplete && !pending.isOverflowed, held }
  }

  /** The replay of `topic` ends (or no end came in time): the held frames to deliver, now recorded as seen. */
  expire(topic: string): Routed[] {
    const pending = this.#pending.get(topic)
    this.#pending.delete(topic)
    if (pending === undefined || pending.isOverflowed) return []
    for (const { id } of pending.held) if (id !== null) this.#record(topic, id)
    return pending.held.map(({ routed }) => routed)
  }

  #record(topic: string, id: number): void {
    const seen = this.#seen.get(topic) ?? new Set<number>()
    this.#seen.set(topic, seen)
    seen.add(id)
    if (seen.size > SEEN_IDS_MAX) seen.delete(seen.values().next().value ?? id)
    const cursor = this.#memory.get(cursorKey(topic))
    if (typeof cursor !== 'number' || id > cursor) this.#memory.set(cursorKey(topic), id)
  }
}
