/**
 * The subscriptions that rejoined this hub from another one (a restarted worker, a tab-host
 * handover, a deploy move) with their {@link ResumeCursor}: each is owed what it missed meanwhile,
 * exactly once and in order, and nothing it already had. The server replays from the oldest cursor
 * among them (one replay for the topic), so what the replay returns is sorted per subscription here:
 * replayed messages run oldest to newest, so once one of a subscription's own ids comes back
 * (covered), whatever follows that it lacks is new to it; until then what arrives is held, since
 * it may be older than anything it remembers (a replay stretched back by another tab's older cursor).
 */
import type { Json, ResumeCursor } from '../../src/contract/protocol.ts'

/**
 * A server message as the cursor keeps it for resuming subscriptions.
 * @example
 * const kept: Kept = { id: '5f0c', event: 'message', payload: { text: 'hi' }, meta: { id: '5f0c' } }
 */
export interface Kept {
  id: string | undefined
  event: string
  payload: Json
  meta: Json | undefined
}

/**
 * The key of one tab's subscription, as the cursor names it.
 * @example
 * subKey('tab-1', 's3') // 'tab-1/s3'
 */
export function subKey(tabId: string, subId: string): string {
  return `${tabId}/${subId}`
}

/** How many messages a resuming subscription may hold before its replay counts as a gap. */
const MAX_HELD = 1_024

/**
 * One resuming subscription and where the replay stands for it.
 * @example
 * const resumer = new Resumer('tab-1/s3', { since, ids: ['a', 'b'] }, clock.now())
 * resumer.take(kept) // true: deliver it to that subscription now
 */
export class Resumer {
  readonly key: string
  /** When it got its newest message, never later than when it arrived here (a forged future is clamped). */
  readonly since: number
  readonly #ids: ReadonlySet<string>
  #isCovered = false
  #held: Kept[] = []

  constructor(key: string, cursor: ResumeCursor, now: number) {
    this.key = key
    this.since = Math.min(cursor.since, now)
    this.#ids = new Set(cursor.ids)
  }

  /** Whether the replay reached back to one of its messages (nothing before that is new to it). */
  get isCovered(): boolean { return this.#isCovered }

  /** Whether the replay can ever cover it: without an id it gave no position to find. */
  get hasIds(): boolean { return this.#ids.size > 0 }

  /**
   * A message the hub takes: whether it is due to this subscription now. One it had is dropped and
   * covers it (what it held is older: dropped too); before that, everything is held, live messages
   * as well, so that their order is kept if the held ones turn out to be due after all.
   */
  take(kept: Kept): boolean {
    if (this.#cover(kept.id)) return false
    if (this.#isCovered) return true
    this.#held.push(kept)
    if (this.#held.length > MAX_HELD) this.#held.shift()
    return false
  }

  /** A message the hub drops as a duplicate: one of its ids still tells where it stands. */
  see(id: string | undefined): void {
    this.#cover(id)
  }

  /**
   * Arrived after the replay started: covered when one of its ids is among `recent` (the newest
   * messages the hub got, oldest first); returns what came after that and is new to it, or `null`.
   */
  catchUp(recent: readonly Kept[]): Kept[] | null {
    let index = recent.length - 1
    while (index >= 0 && !this.#has(recent[index]?.id)) index -= 1
    if (index < 0) return null
    this.#isCovered = true
    return recent.slice(index + 1).filter((kept) => !this.#has(kept.id))
  }

  #has(id: string | undefined): boolean { return id !== undefined && this.#ids.has(id) }

  #cover(id: string | undefined): boolean {
    if (!this.#has(id)) return false
    if (!this.#isCovered) this.#held = []
    this.#isCovered = true
    return true
  }

  /** The replay ended without covering it: what it held is due to it after all (then its resync). */
  release(): Kept[] {
    const held = this.#held
    this.#held = []
    return held
  }
}

