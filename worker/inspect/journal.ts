/**
 * The hub's event journal for `inspect()`: a fixed-size ring of what matters (status changes, tabs
 * coming and going, leaders, joins, overflows, typed errors), each entry tagged with the
 * identity it belongs to, so one user's panel never sees another's. Only rare events are recorded
 * (never a message), a small object each; a hub built without devtools keeps none.
 */
import type { JournalEntry, JournalEvent } from '../../src/contract/inspect.ts'

/** Entries a hub keeps by default: enough for minutes of a flapping connection. */
export const JOURNAL_SIZE = 500

interface Slot {
  identity: string
  entry: JournalEntry
}

/**
 * A bounded ring of journal entries; the oldest are overwritten.
 * @example
 * const journal = new Journal()
 * journal.add(identity, { kind: 'leader', tabId: 'tab-1' }, Date.now())
 * journal.since(identity, 0) // [{ kind: 'leader', tabId: 'tab-1', seq: 1, at: … }]
 */
export class Journal {
  readonly #size: number
  readonly #ring: Slot[] = []
  #seq = 0

  constructor(size = JOURNAL_SIZE) {
    this.#size = Math.max(1, Math.floor(size))
  }

  /** Highest `seq` handed out so far (0 before the first entry). */
  get seq(): number {
    return this.#seq
  }

  /** Records one event of `identity` that happened at `at` (epoch ms). */
  add(identity: string, event: JournalEvent, at: number): void {
    const slot: Slot = { identity, entry: { ...event, seq: ++this.#seq, at } }
    if (this.#ring.length < this.#size) this.#ring.push(slot)
    else this.#ring[(this.#seq - 1) % this.#size] = slot
  }

  /** The entries of `identity` with a `seq` above `since`, oldest first. */
  since(identity: string, since: number): JournalEntry[] {
    const out: JournalEntry[] = []
    // The slot after the newest holds the oldest once the ring is full.
    const start = this.#ring.length < this.#size ? 0 : this.#seq % this.#size
    for (let i = 0; i < this.#ring.length; i++) {
      const slot = this.#ring[(start + i) % this.#ring.length]
      if (slot && slot.identity === identity && slot.entry.seq > since) out.push(slot.entry)
    }
    return out
  }
}
