/**
 * The hidden host's side of a handover: a hidden host offers the role to the first visible tab
 * that claims it, one offer at a time, so two visible tabs claiming at once do not steal from each
 * other; the tab it went to may claim again at once (it ignored the offer while hidden).
 */

/** How long one handover offer stands before the host answers another claim. */
const HANDOVER_OFFER_MS = 1_000

/**
 * The offers of one host.
 * @example
 * if (offers.shouldOffer(claim.from)) post({ tabrelay: 'handover', to: claim.from, hostId })
 */
export class HandoverOffers {
  /**
   * Until when the offer is still expected to be taken (epoch ms). The claimer may be hidden
   * again by the time the offer arrives and ignore it; a lasting flag would then refuse every
   * later claim and keep a hidden host for good.
   */
  #until = 0
  #offeredTo: string | null = null

  /** Whether to offer the role to `from` now; if so, the offer stands for a while. */
  shouldOffer(from: string, now = Date.now()): boolean {
    if (from !== this.#offeredTo && now < this.#until) return false
    this.#offeredTo = from
    this.#until = now + HANDOVER_OFFER_MS
    return true
  }

  /** The host is visible again, or its tenure ended: no offer stands. */
  reset(): void {
    this.#until = 0
  }
}
