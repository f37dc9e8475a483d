/**
 * The 'leader-tab' host strategy: where SharedWorker is missing, the tabs of an origin elect one
 * host with a Web Lock (queued, so the next tab takes over tens of ms after the host closes,
 * crashes or navigates away); the host runs the hub in a dedicated Worker, and every tab reaches
 * it over one BroadcastChannel on an address of its own. A tab learns of the host's end from the
 * host's liveness lock or from a new host's announcement, and recovers at once; a hidden host
 * hands the role to a visible tab that asks for it.
 */
import { releaseProxy, wrap } from 'comlink'
import { RelayError } from '../contract/errors.ts'
import { randomId } from '../contract/ids.ts'
import { relayErrorsOn } from '../contract/replies.ts'
import { PROTOCOL_VERSION, type HubApi } from '../contract/protocol.ts'
import { addressedEndpoint, isHostMessage, type AddressedEndpoint, type ChannelLike, type Control, type HostAnnouncement } from './broadcast.ts'
import { aliveLock, startHosting, type Hosting, type HostLocks } from './hosting.ts'
import { createWorker, terminate, type HubLink, type HubWorker } from './worker.ts'

/** The page's visibility as the tab host reads it (a fake in tests). */
export interface PageSignal {
  isHidden(): boolean
  onChange(listener: () => void): () => void
}

/** What the tab host runs on; the browser's Web Locks, BroadcastChannel and document by default. */
export interface HostEnv {
  locks?: HostLocks
  channel?: (name: string) => ChannelLike
  page?: PageSignal
}

/** How long one handover offer stands before the host answers another claim. */
const HANDOVER_OFFER_MS = 1_000

/** The channel and election lock name of this protocol version. */
export const HOST_NAME = `tabrelay-host-v${PROTOCOL_VERSION}`

// Hosts known to be gone; their late announcements (a worker not yet terminated) are ignored.
const MAX_DEAD = 64

interface LinkState {
  endpoint: AddressedEndpoint
  lose(error: RelayError): void
}

/**
 * The tab host of one tab client; `open()` gives a link to the current host.
 * @example
 * const host = new TabHost(() => new Worker(url, { type: 'module' })); const { hub } = host.open()
 */
export class TabHost {
  readonly #factory: () => HubWorker
  readonly #locks: HostLocks
  readonly #channel: ChannelLike
  readonly #page: PageSignal
  readonly #id = randomId()
  readonly #links = new Set<LinkState>()
  readonly #dead: string[] = []
  readonly #stopPage: () => void
  #current: HostAnnouncement | null = null
  #hosting: Hosting | null = null
  #endTenure = (): void => {}
  #election = new AbortController()
  #watch = new AbortController()
  #watched: string | null = null
  #seq = 0
  /** Bumped when a tenure ends: a tenure that ended while its worker was starting stops it. */
  #tenure = 0
  /**
   * Until when a handover offered to a claiming tab is still expected to be taken (epoch ms). The
   * claimer may be hidden again by the time the offer arrives and ignore it; a lasting flag would
   * then refuse every later claim and keep a hidden host for good.
   */
  #handingOverUntil = 0
  #offeredTo: string | null = null
  #isClosed = false
  /**
   * A loaded but idle hub Worker (no socket until a host order and a hello), kept by every tab
   * that is not host: a handover then skips the worker's start (script fetch, parse, module
   * graph), the largest part of the gap after the lock grant.
   */
  #spare: HubWorker | null = null

  constructor(factory: () => HubWorker, env: HostEnv = {}) {
    const locks = env.locks ?? globalThis.navigator?.locks
    const open = env.channel ?? (typeof BroadcastChannel === 'function' ? (name: string) => new BroadcastChannel(name) : undefined)
    if (!locks || !open) throw new RelayError('unsupported', "host 'leader-tab' needs Web Locks and BroadcastChannel; use host 'dedicated' here")
    this.#factory = factory
    this.#locks = locks
    this.#channel = open(HOST_NAME)
    this.#page = env.page ?? documentSignal()
    this.#channel.addEventListener('message', this.#onMessage)
    this.#stopPage = this.#page.onChange(() => this.#onVisibility())
    this.#post({ tabrelay: 'who' })
    this.#elect(false)
  }

  /** Whether this tab hosts the hub now. */
  get isHosting(): boolean {
    return this.#hosting !== null
  }

  /**
   * A link to the current host (its messages wait until one is announced). After a timeout on
   * a host that still holds its lock — frozen, not gone — this tab steals the role.
   */
  open(reason?: unknown): HubLink {
    const endpoint = addressedEndpoint(this.#channel, `${this.#id}:${++this.#seq}`, null)
    const hub = wrap<HubApi>(relayErrorsOn(endpoint))
    let lose = (_error: RelayError): void => {}
    const lost = new Promise<RelayError>((resolve) => { lose = resolve })
    const state: LinkState = { endpoint, lose }
    this.#links.add(state)
    const current = this.#current
    if (current) endpoint.connect(current.hostId)
    else this.#post({ tabrelay: 'who' })
    if (reason instanceof RelayError && reason.code === 'timeout' && current && this.#hosting?.hostId !== current.hostId) this.#elect(true)
    let isReleased = false
    return {
      hub, endpoint, lost,
      release: () => {
        if (isReleased) return
        isReleased = true
        // Comlink's RELEASE tells the host to drop this address; then nothing more goes out.
        hub[releaseProxy]()
        endpoint.close()
        this.#links.delete(state)
      },
    }
  }

  /** Stops hosting (the next tab in the queue takes over) and leaves the channel. */
  close(): void {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#election.abort()
    this.#watch.abort()
    this.#endHosting()
    if (this.#spare) terminate(this.#spare)
    this.#spare = null
    this.#stopPage()
    this.#channel.removeEventListener('message', this.#onMessage)
    this.#channel.close()
  }

  /** Queues on the election lock, or with `steal` takes it from a frozen or hidden host. */
  #elect(steal: boolean): void {
    if (this.#isClosed || (steal && this.#hosting)) return
    this.#election.abort()
    const election = new AbortController()
    this.#election = election
    // `signal` and `steal` cannot be combined (Web Locks spec): a steal is never withdrawn.
    const options = steal ? { steal: true } : { signal: election.signal }
    this.#locks.request(HOST_NAME, options, () => this.#host()).then(
      () => this.#endHosting(),
      () => {
        // Aborted by this tab (a steal replaced the queued request), or stolen by another tab.
        this.#endHosting()
        if (!election.signal.aborted && !this.#isClosed) this.#elect(false)
      },
    )
  }

  async #host(): Promise<void> {
    if (this.#isClosed) return
    const held = new Promise<void>((end) => { this.#endTenure = end })
    const tenure = this.#tenure
    try {
      const hosting = await startHosting({ locks: this.#locks, name: HOST_NAME, hostId: randomId(), factory: () => this.#takeSpare(), isHidden: this.#page.isHidden() })
      // Stolen (or closed) while the worker started: this tab no longer holds the lock.
      if (tenure !== this.#tenure || this.#isClosed) return hosting.stop()
      this.#hosting = hosting
    } catch (error) {
      // This tab cannot host (the factory is wrong for it): say so, and let another tab try.
      const failure = error instanceof RelayError ? error : new RelayError('unsupported', String(error))
      for (const link of this.#links) link.lose(failure)
      this.#election.abort()
      return
    }
    await held
  }

  #endHosting(): void {
    this.#tenure++
    this.#handingOverUntil = 0
    this.#hosting?.stop()
    this.#hosting = null
    this.#endTenure()
  }

  readonly #onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (!isHostMessage(message) || message.tabrelay === 'msg' || message.tabrelay === 'who') return
    if (message.tabrelay === 'host') this.#announced(message)
    else if (message.tabrelay === 'claim') this.#claimed(message.from, message.hostId)
    else if (message.to === this.#id && message.hostId === this.#current?.hostId && !this.#page.isHidden()) this.#elect(true)
  }

  #announced(host: HostAnnouncement): void {
    if (this.#dead.includes(host.hostId)) return
    const previous = this.#current
    this.#current = host
    if (previous?.hostId !== host.hostId) {
      for (const link of this.#links) {
        if (link.endpoint.peer === null) link.endpoint.connect(host.hostId)
        else if (link.endpoint.peer !== host.hostId) link.lose(new RelayError('transport', 'another tab took over as tab host; reconnecting this tab'))
      }
      this.#watchHost(host.hostId)
    }
    this.#onVisibility()
    this.#prepareSpare()
  }

  // Another tab hosts: get a worker ready for the day this tab takes over (a later task, so it
  // never delays this tab's own first hello).
  #prepareSpare(): void {
    if (this.#spare || this.#hosting || this.#isClosed) return
    setTimeout(() => {
      if (this.#spare || this.#hosting || this.#isClosed) return
      try {
        this.#spare = createWorker(this.#factory)
      } catch {
        // Made again from the factory at election time, which reports the failure.
      }
    }, 0)
  }

  #takeSpare(): HubWorker {
    const spare = this.#spare
    this.#spare = null
    return spare ?? this.#factory()
  }

  /** Queues on the host's liveness lock: granted the moment the host closes, crashes or navigates. */
  #watchHost(hostId: string): void {
    if (this.#watched === hostId) return
    this.#watch.abort()
    const watch = new AbortController()
    this.#watch = watch
    this.#watched = hostId
    this.#locks.request(aliveLock(HOST_NAME, hostId), { signal: watch.signal }, () => {
      this.#dead.push(hostId)
      if (this.#dead.length > MAX_DEAD) this.#dead.shift()
      if (this.#current?.hostId === hostId) this.#current = null
      for (const link of this.#links) {
        if (link.endpoint.peer === hostId) link.lose(new RelayError('transport', 'the tab host closed; reconnecting this tab to the next one'))
      }
      this.#post({ tabrelay: 'who' })
    }).catch(() => undefined)
  }

  /** A hidden host is replaced by the first visible tab that asks; the host keeps the role otherwise. */
  #onVisibility(): void {
    const isHidden = this.#page.isHidden()
    if (!isHidden) this.#handingOverUntil = 0
    this.#hosting?.setHidden(isHidden)
    const current = this.#current
    if (!isHidden && current?.isHidden && this.#hosting?.hostId !== current.hostId) {
      this.#post({ tabrelay: 'claim', from: this.#id, hostId: current.hostId })
    }
  }

  #claimed(from: string, hostId: string): void {
    // One offer at a time (two visible tabs claiming at once must not steal from each other), but
    // the tab it went to may claim again at once (it ignored the offer while hidden).
    if (this.#hosting?.hostId !== hostId || !this.#page.isHidden()) return
    if (from !== this.#offeredTo && Date.now() < this.#handingOverUntil) return
    this.#offeredTo = from
    this.#handingOverUntil = Date.now() + HANDOVER_OFFER_MS
    this.#post({ tabrelay: 'handover', to: from, hostId })
  }

  #post(message: Control): void {
    if (!this.#isClosed) this.#channel.postMessage(message)
  }
}

/**
 * The document's visibility; always visible where there is no document.
 * @example
 * const page = documentSignal(); page.isHidden()
 */
export function documentSignal(): PageSignal {
  const doc = typeof document === 'undefined' ? undefined : document
  return {
    isHidden: () => doc?.visibilityState === 'hidden',
    onChange(listener) {
      doc?.addEventListener('visibilitychange', listener)
      return () => doc?.removeEventListener('visibilitychange', listener)
    },
  }
}
