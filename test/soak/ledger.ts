/**
 * What one tab received on one topic, counted by the sequence number in each payload. A message
 * counts as lost only where the tab was promised it: between two messages it received with no
 * `resync` in between (a resync says "events after `since` may be missing; backfill them", which
 * is how tabrelay announces a gap it cannot fill: a socket drop, a dropped backlog). Messages before
 * a tab's first one, after its last one, or across an announced gap are not expected of it; the
 * runner's tail check (a final message every open tab must get) catches a tab that silently
 * stopped receiving.
 */

/**
 * One tab × topic. Memory is fixed at construction (one bit per expected sequence number), so the
 * soak's own bookkeeping does not show up as heap growth.
 * @example
 * const ledger = new Ledger(1_000)
 * ledger.receive(0); ledger.receive(2) // 1 is a hole
 * ledger.close().lost // 1
 */
export class Ledger {
  #seen: Uint8Array
  #first: number | null = null
  #last = -1
  received = 0
  duplicates = 0
  outOfOrder = 0
  lost = 0
  resyncs = 0

  constructor(expected: number) {
    this.#seen = new Uint8Array(Math.ceil(Math.max(1, expected) / 8))
  }

  /** The highest sequence number received, or -1. */
  get last(): number {
    return this.#last
  }

  /** Whether `seq` was received. */
  has(seq: number): boolean {
    return ((this.#seen[seq >> 3] ?? 0) & (1 << (seq & 7))) !== 0
  }

  receive(seq: number): void {
    if (this.has(seq)) {
      this.duplicates += 1
      return
    }
    this.#mark(seq)
    this.received += 1
    if (this.#first === null) this.#first = seq
    if (seq < this.#last) this.outOfOrder += 1
    this.#last = Math.max(this.#last, seq)
  }

  /** An announced gap: holes so far are counted, and the next message starts a new stretch. */
  resync(): void {
    this.resyncs += 1
    this.#closeStretch()
  }

  /** The tab closed or the run ended: counts the holes of the last stretch. */
  close(): this {
    this.#closeStretch()
    return this
  }

  #closeStretch(): void {
    if (this.#first === null) return
    for (let seq = this.#first; seq <= this.#last; seq += 1) if (!this.has(seq)) this.lost += 1
    this.#first = null
  }

  #mark(seq: number): void {
    if (seq >> 3 >= this.#seen.length) {
      // More messages than planned (a slow publisher caught up): grow once, rarely.
      const grown = new Uint8Array(Math.max(this.#seen.length * 2, (seq >> 3) + 1))
      grown.set(this.#seen)
      this.#seen = grown
    }
    this.#seen[seq >> 3] = (this.#seen[seq >> 3] ?? 0) | (1 << (seq & 7))
  }
}
