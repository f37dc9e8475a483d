/**
 * Deploy skew. A deploy that changes the worker script gives new tabs another SharedWorker than
 * the tabs still open on the old build (browsers share one by script URL and name, and a bundler
 * puts a content hash in the URL): two connections for one user until every old tab reloads.
 *
 * Hubs of one app (one worker name, any URL) meet on a BroadcastChannel. A hub is as new as the
 * newest page that said hello to it (`loadedAt`): every page of a later deploy loaded after every
 * page of the earlier one, even when the old worker was restarted later (WebKit bug 318873). Each
 * hub tells the others when it gets newer, answers an older one with the newest it knows, and a hub
 * that hears of a newer one offers it to its tabs; they move there when they speak its protocol.
 * Any page of the origin can post on that channel: a notice counts only when its offer is a script
 * in this worker's directory under this worker's name base, with a generation no later than now.
 */
import { isOfferFrom, isSaneGeneration, nameBase } from '../src/contract/offers.ts'
import type { HubOffer } from '../src/contract/protocol.ts'
import type { DeployOptions } from './options.ts'

/** What hubs post on the deploy channel. */
interface HubNotice {
  kind: 'tabrelay-hub'
  hubId: string
  generation: number
  offer: HubOffer
}

const MAX_HUB_ID_LENGTH = 128

/** A well-formed notice of a hub of this app: its script sits beside ours, under our name base. */
function isNoticeFor(self: HubOffer, data: unknown, now: number): data is HubNotice {
  if (typeof data !== 'object' || data === null) return false
  const notice = data as Partial<HubNotice>
  if (notice.kind !== 'tabrelay-hub' || typeof notice.hubId !== 'string' || notice.hubId.length > MAX_HUB_ID_LENGTH) return false
  return isSaneGeneration(notice.generation, now) && isOfferFrom(notice.offer, self.url, true) && nameBase(notice.offer.name) === nameBase(self.name)
}

/** Newer: a later page loaded into it; on a tie (same page load, unlikely) the larger id wins. */
function isNewer(a: HubNotice, b: HubNotice): boolean {
  return a.generation > b.generation || (a.generation === b.generation && a.hubId > b.hubId)
}

/**
 * One hub's view of the other deploys' hubs.
 * @example
 * const watch = new DeployWatch(options.deploys, hub.workerId, (offer) => tellTabs(offer))
 * watch.saw(hello.loadedAt)
 */
export class DeployWatch {
  readonly #channel: DeployOptions['channel']
  readonly #self: HubNotice
  readonly #superseded: (offer: HubOffer) => void
  /** Wall-clock time (generations are page load times), not the hub's injected clock. */
  readonly #now: () => number
  #newest: HubNotice | null = null

  /** `superseded` runs each time a newer hub than any known before is heard of. */
  constructor(options: DeployOptions, hubId: string, superseded: (offer: HubOffer) => void, now: () => number = Date.now) {
    this.#channel = options.channel
    this.#self = { kind: 'tabrelay-hub', hubId, generation: 0, offer: options.offer }
    this.#superseded = superseded
    this.#now = now
    this.#channel.addEventListener('message', (event) => this.#heard(event.data))
  }

  /** The newest hub's offer once a newer one than this is known, else `null`. */
  get offer(): HubOffer | null {
    return this.#newest?.offer ?? null
  }

  /** A page loaded at `loadedAt` said hello: this hub is at least that new; tell the others. */
  saw(loadedAt: number): void {
    // A hello from any page of the origin: a load time in the future would outrank every deploy.
    if (!isSaneGeneration(loadedAt, this.#now()) || loadedAt <= this.#self.generation) return
    this.#self.generation = loadedAt
    const newest = this.#newest
    // A page newer than the hub we deferred to came here (e.g. that hub's URL was not moved to by
    // the browser): we are the newest again, as far as anyone knows.
    if (newest && !isNewer(newest, this.#self)) this.#newest = null
    this.#post(this.#self)
  }

  #heard(data: unknown): void {
    // A hub no page said hello to yet has no tabs to move and no age to compare.
    if (this.#self.generation === 0 || !isNoticeFor(this.#self.offer, data, this.#now()) || data.hubId === this.#self.hubId) return
    // Our own script under another id (this worker restarted, WebKit bug 318873): never defer to
    // ourselves, whose tabs would move to the hub they are on; we are at least as new as it was.
    if (data.offer.url === this.#self.offer.url && data.offer.name === this.#self.offer.name) {
      this.#self.generation = Math.max(this.#self.generation, data.generation)
      return
    }
    const best = this.#newest ?? this.#self
    if (isNewer(data, best)) {
      const isSameHub = this.#newest?.hubId === data.hubId
      this.#newest = data
      // The newest hub got newer still: its tabs were told already.
      if (!isSameHub) this.#superseded(data.offer)
    } else if (best.hubId !== data.hubId) {
      // An older hub (a restarted one, or one that started after us): tell it who is newest.
      this.#post(best)
    }
  }

  #post(notice: HubNotice): void {
    try {
      this.#channel.postMessage(notice)
    } catch {
      // A closed channel (the worker shutting down) has nobody left to tell.
    }
  }
}
