/**
 * The tab's side of deploy skew (see `worker/deploys.ts`): when its hub hears of a newer deploy's
 * hub, the tab opens that SharedWorker, says hello there while the old hub still serves it, and
 * only then switches over; where it cannot (another protocol, no SharedWorker, the app said no,
 * the new hub refused it) it stays and the app hears `update-available` with `moved: false`.
 * An offer that is no same-origin http(s) script, or that the app's `acceptDeploy` refuses, is
 * not a deploy at all: the tab ignores it (no move, no hello, no report).
 */
import { RelayError } from '../contract/errors.ts'
import { isOfferFrom } from '../contract/offers.ts'
import { PROTOCOL_VERSION, type HubOffer } from '../contract/protocol.ts'
import type { HostStrategy } from '../hosts/strategy.ts'
import { linkTo, type HubLink, type HubWorker } from '../hosts/worker.ts'

/**
 * What `onUpdateAvailable` listeners receive: a newer deploy of the app runs in another tab.
 * `moved` says whether this tab's realtime now rides on the newer deploy's hub (one connection
 * again); either way this page's code is the older build, so an app may offer a reload.
 * @example
 * relay.onUpdateAvailable(({ moved }) => showBanner(moved ? 'New version available' : 'Reload to update'))
 */
export interface UpdateInfo {
  moved: boolean
  /** The newer hub's protocol version (this tab's is `PROTOCOL_VERSION`). */
  protocol: number
  /** Why the tab did not move, when it did not. */
  reason?: string
}

/**
 * How a tab constructs a newer deploy's SharedWorker; `null` keeps the tab on its current hub.
 * @example
 * deployWorker: (offer) => new SharedWorker(offer.url, { type: offer.type, name: offer.name, extendedLifetime: true })
 */
export type DeployWorker = (offer: HubOffer) => HubWorker | null

/**
 * The app's own rule for which worker scripts its tabs may move to (default: any same-origin
 * http(s) script its hub offers; the hub already keeps to its own directory and worker name).
 * Called with the offered script's absolute URL; `false` (or a throw) ignores the offer.
 * @example
 * acceptDeploy: (url) => url.pathname.startsWith('/assets/realtime.worker-')
 */
export type AcceptDeploy = (url: URL) => boolean

/** Where the browser has SharedWorker: a newer deploy's hub is joined by its URL and name. */
const sharedWorkerOf: DeployWorker = (offer) => {
  if (typeof SharedWorker !== 'function') return null
  // extendedLifetime (Chromium 148+) as the app's own worker() should pass; ignored elsewhere.
  return new SharedWorker(offer.url, { type: offer.type, name: offer.name, extendedLifetime: true } as WorkerOptions)
}

/**
 * Decides whether and where to move; remembers offers tried so a failed one is not retried.
 * @example
 * const mover = new DeployMover(settings.deployWorker, (info) => events.update(info))
 * const link = mover.open(offer, host.kind) // null: stay
 */
export class DeployMover {
  readonly #create: DeployWorker
  readonly #report: (info: UpdateInfo) => void
  readonly #accept: AcceptDeploy | undefined
  /** Offers whose hub did not take this tab (or this tab cannot use): never tried again. */
  readonly #refused = new Set<string>()
  /** Offers already tried as the other worker type. */
  readonly #otherType = new Set<string>()
  /** The offer being tried now. */
  #trying: string | null = null
  /** Once moved, recoveries reopen the newer hub, not the app's (older) worker URL. */
  #current: HubOffer | null = null

  constructor(create: DeployWorker | undefined, report: (info: UpdateInfo) => void, accept?: AcceptDeploy) {
    this.#create = create ?? sharedWorkerOf
    this.#report = report
    this.#accept = accept
  }

  /** A link to the offered hub, or `null` when this tab stays where it is (reported, unless the offer was refused). */
  open(offer: HubOffer, host: Exclude<HostStrategy, 'auto'>): HubLink | null {
    if (!this.#isAcceptable(offer)) return null
    const key = keyOf(offer)
    if (this.#refused.has(key) || this.#trying === key || (this.#current !== null && keyOf(this.#current) === key)) return null
    this.#trying = key
    if (offer.protocol !== PROTOCOL_VERSION) return this.#stay(offer, `it speaks protocol ${offer.protocol}, this tab ${PROTOCOL_VERSION}`)
    if (host !== 'shared-worker') return this.#stay(offer, `this tab's hub is not a SharedWorker (${host})`)
    try {
      const created = this.#create(offer)
      return created ? linkTo(created) : this.#stay(offer, 'no SharedWorker here, or deployWorker() returned null')
    } catch (error) {
      return this.#stay(offer, error instanceof Error ? error.message : String(error))
    }
  }

  /** The tab now rides on the offered hub. */
  moved(offer: HubOffer): void {
    // Adopting it may already have started a move on (its welcome named a newer hub still).
    if (this.#trying === keyOf(offer)) this.#trying = null
    this.#current = offer
    this.#report({ moved: true, protocol: offer.protocol })
  }

  /**
   * The offered hub did not take this tab (its hello failed). Returns the offer to try once more
   * when the worker failed to start as the type the hub guessed for itself (Firefox lets a module
   * worker call `importScripts()`, so a hub cannot always tell), else `null`: the tab stays.
   */
  failed(offer: HubOffer, error: unknown): HubOffer | null {
    const key = keyOf(offer)
    if (error instanceof RelayError && error.code === 'worker-failed' && !this.#otherType.has(key)) {
      this.#otherType.add(key)
      if (this.#trying === key) this.#trying = null
      return { ...offer, type: offer.type === 'module' ? 'classic' : 'module' }
    }
    this.#stay(offer, error instanceof Error ? error.message : String(error))
    return null
  }

  /** The move was given up for this tab's own reasons (it reconnected or closed): may be offered again. */
  dropped(offer: HubOffer): null {
    if (this.#trying === keyOf(offer)) this.#trying = null
    return null
  }

  /** After a move, where a recovery reconnects: the newer hub (`null` before any move). */
  reopen(): HubLink | null {
    const offer = this.#current
    if (!offer) return null
    const created = this.#create(offer)
    return created ? linkTo(created) : null
  }

  /** Untrusted until checked: it came from a hub that may have been lied to, or a forged sink call. */
  #isAcceptable(offer: HubOffer): boolean {
    try {
      return isOfferFrom(offer, String(globalThis.location?.href), false) && (this.#accept?.(new URL(offer.url)) ?? true)
    } catch {
      return false
    }
  }

  #stay(offer: HubOffer, reason: string): null {
    const key = keyOf(offer)
    if (this.#trying === key) this.#trying = null
    this.#refused.add(key)
    this.#report({ moved: false, protocol: offer.protocol, reason })
    return null
  }
}

function keyOf(offer: HubOffer): string {
  return `${offer.url}\n${offer.name}`
}
