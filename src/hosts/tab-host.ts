/**
 * The 'leader-tab' host strategy: where SharedWorker is missing, the tabs of an app (the same
 * worker script URL and name, as for a SharedWorker) elect one host with a Web Lock (queued, so
 * the next tab takes over tens of ms after the host closes, crashes or navigates away); the host
 * runs the hub in a dedicated Worker, and every tab reaches it over the app's BroadcastChannel on
 * an address of its own, its traffic sealed for that host (src/contract/seal.ts). A tab believes an
 * announcement only from the holder of the election lock, whose liveness lock names the key's
 * fingerprint. A tab learns of the host's end from the host's liveness lock or from a new host's
 * announcement, and recovers at once; a hidden host hands the role to a visible tab that asks.
 */
import { releaseProxy, wrap } from 'comlink'
import { RelayError } from '../contract/errors.ts'
import { randomId } from '../contract/ids.ts'
import { relayErrorsOn } from '../contract/replies.ts'
import type { HubApi } from '../contract/protocol.ts'
import { addressedEndpoint, isHostMessage, type AddressedEndpoint, type ChannelLike, type Control, type HostAnnouncement } from '../contract/broadcast.ts'
import { documentSignal, type PageSignal } from './page-signal.ts'
import { HandoverOffers } from './handover.ts'
import { HostWatch, startHosting, type Hosting, type HostLocks } from './hosting.ts'
import { Spare } from './spare.ts'
import { canSeal, linkCipher, makeKeyPair, sharedSecret, type KeyPair } from '../contract/seal.ts'
import { hostName, isElected } from './trust.ts'
import type { HubLink, HubWorker } from './worker.ts'

export type { PageSignal } from './page-signal.ts'

/** What the tab host runs on; the browser's Web Locks, BroadcastChannel and document by default. */
export interface HostEnv {
  locks?: HostLocks
  channel?: (name: string) => ChannelLike
  page?: PageSignal
}

interface LinkState {
  endpoint: AddressedEndpoint
  /** The host this link was given to (set before its keys are ready). */
  hostId: string | null
  lose(error: RelayError): void
}

/** The host this tab believes in, and the secret it shares with it. */
interface KnownHost {
  hostId: string
  isHidden: boolean
  secret: Promise<CryptoKey>
}

/** The app's channel, once the first worker said which app it serves. */
interface Scope { name: string; channel: ChannelLike }

/**
 * The tab host of one tab client; `open()` gives a link to the current host.
 * @example
 * const host = new TabHost(() => new Worker(url, { type: 'module' })); const { hub } = host.open()
 */
export class TabHost {
  readonly #locks: HostLocks
  readonly #openChannel: (name: string) => ChannelLike
  readonly #page: PageSignal
  readonly #spare: Spare
  /** This tab's key pair: its addresses start with the fingerprint. */
  readonly #keys: Promise<KeyPair>
  /** This tab's name in claims, which a handover offer names (not an address of any link). */
  readonly #id = randomId()
  readonly #links = new Set<LinkState>()
  readonly #watch: HostWatch
  readonly #offers = new HandoverOffers()
  #scope: Scope | null = null
  #ready: Promise<Scope>
  #stopPage = (): void => {}
  #current: KnownHost | null = null
  #hosting: Hosting | null = null
  #endTenure = (): void => {}
  #election = new AbortController()
  #dropped = 0
  #refused = 0
  /** Bumped when a tenure ends: a tenure that ended while its worker was starting stops it. */
  #tenure = 0
  #isClosed = false

  constructor(factory: () => HubWorker, env: HostEnv = {}, timeoutMs = 10_000) {
    const locks = env.locks ?? globalThis.navigator?.locks
    const open = env.channel ?? (typeof BroadcastChannel === 'function' ? (name: string) => new BroadcastChannel(name) : undefined)
    if (!locks || !open || !canSeal()) throw new RelayError('unsupported', "host 'leader-tab' needs Web Locks, BroadcastChannel and WebCrypto (https or localhost); use host 'dedicated' here")
    this.#locks = locks
    this.#watch = new HostWatch(locks)
    this.#openChannel = open
    this.#page = env.page ?? documentSignal()
    this.#spare = new Spare(factory, timeoutMs)
    this.#keys = makeKeyPair()
    this.#ready = this.#begin()
  }

  /** Whether this tab hosts the hub now. */
  get isHosting(): boolean {
    return this.#hosting !== null
  }

  /** Frames to this tab dropped as forged, corrupt or replayed, and host announcements not believed. */
  get refused(): { frames: number; announcements: number } {
    return { frames: this.#dropped, announcements: this.#refused }
  }

  /**
   * A link to the current host (its messages wait until one is announced). After a timeout on
   * a host that still holds its lock — frozen, not gone — this tab steals the role.
   */
  open(reason?: unknown): HubLink {
    const endpoint = addressedEndpoint({ onDrop: () => { this.#dropped++ } })
    const hub = wrap<HubApi>(relayErrorsOn(endpoint))
    let lose = (_error: RelayError): void => {}
    const lost = new Promise<RelayError>((resolve) => { lose = resolve })
    const state: LinkState = { endpoint, hostId: null, lose }
    this.#links.add(state)
    const current = this.#current
    if (current) this.#connect(state, current)
    else this.#post({ tabrelay: 'who' })
    if (reason instanceof RelayError && reason.code === 'timeout' && current && this.#hosting?.hostId !== current.hostId) this.#elect(true)
    // A worker that never said which app it serves: retry with a new one (a fatal error stays).
    const ready = this.#ready
    const failed = ready.then(() => new Promise<never>(() => {}))
    failed.catch(() => undefined)
    ready.catch((error: unknown) => { if (ready === this.#ready && error instanceof RelayError && error.code === 'timeout') this.#ready = this.#begin() })
    let isReleased = false
    return {
      hub, endpoint, lost, failed,
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
    this.#watch.stop()
    this.#endHosting()
    this.#spare.close()
    this.#stopPage()
    this.#scope?.channel.removeEventListener('message', this.#onMessage)
    this.#scope?.channel.close()
  }

  /** A first worker says which app this is; then the tab joins the app's channel and election. */
  #begin(): Promise<Scope> {
    return this.#spare.start().then(({ app }) => {
      if (this.#scope) return this.#scope
      const name = hostName(app)
      const scope = { name, channel: this.#openChannel(name) }
      this.#scope = scope
      if (this.#isClosed) {
        // Closed while the worker described itself: close() found no channel to close.
        scope.channel.close()
        return scope
      }
      scope.channel.addEventListener('message', this.#onMessage)
      this.#stopPage = this.#page.onChange(() => this.#onVisibility())
      this.#post({ tabrelay: 'who' })
      this.#elect(false)
      return scope
    })
  }

  /** Gives the link to `host` once this tab's keys and the host's secret are ready. */
  #connect(state: LinkState, host: KnownHost): void {
    state.hostId = host.hostId
    const scope = this.#scope
    if (!scope) return
    void Promise.all([this.#keys, host.secret]).then(([pair, secret]) => {
      // Unguessable, so no page can spoil a link's first frame by posting one for it before.
      const self = `${pair.fingerprint}:${randomId()}`
      const cipher = linkCipher(secret, host.hostId, self, 'tab')
      state.endpoint.connect({ channel: scope.channel, self, peer: host.hostId, cipher, key: pair.publicKey })
    }, () => state.lose(new RelayError('transport', 'no keys could be agreed with the tab host; reconnecting this tab')))
  }

  /** Queues on the election lock, or with `steal` takes it from a frozen or hidden host. */
  #elect(steal: boolean): void {
    const scope = this.#scope
    if (this.#isClosed || !scope || (steal && this.#hosting)) return
    this.#election.abort()
    const election = new AbortController()
    this.#election = election
    // `signal` and `steal` cannot be combined (Web Locks spec): a steal is never withdrawn.
    const options = steal ? { steal: true } : { signal: election.signal }
    this.#locks.request(scope.name, options, () => this.#host(scope)).then(
      () => this.#endHosting(),
      () => {
        // Aborted by this tab (a steal replaced the queued request), or stolen by another tab.
        this.#endHosting()
        if (!election.signal.aborted && !this.#isClosed) this.#elect(false)
      },
    )
  }

  async #host(scope: Scope): Promise<void> {
    if (this.#isClosed) return
    const held = new Promise<void>((end) => { this.#endTenure = end })
    const tenure = this.#tenure
    try {
      const described = await this.#spare.take()
      const hosting = await startHosting({ locks: this.#locks, name: scope.name, described, isHidden: this.#page.isHidden() })
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
    const ended = this.#hosting
    this.#tenure++
    this.#offers.reset()
    ended?.stop()
    this.#hosting = null
    this.#endTenure()
    // Known now, not a task later when the watch fires: a retry after a timeout meanwhile would
    // take this tab's own ended host for a frozen one and steal the role back from its new host.
    if (ended && !this.#isClosed && this.#current?.hostId === ended.hostId) this.#hostGone(ended.hostId)
  }

  readonly #onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (!isHostMessage(message) || message.tabrelay === 'msg' || message.tabrelay === 'who') return
    if (message.tabrelay === 'host') void this.#announced(message)
    else if (message.tabrelay === 'claim') this.#claimed(message.from, message.hostId)
    else if (message.to === this.#id && message.hostId === this.#current?.hostId && !this.#page.isHidden()) this.#elect(true)
  }

  async #announced(host: HostAnnouncement): Promise<void> {
    const scope = this.#scope
    if (!scope || this.#watch.isDead(host.hostId)) return
    const current = this.#current
    if (current?.hostId === host.hostId) {
      current.isHidden = host.isHidden
      return this.#onVisibility()
    }
    // Agreed while the announcement is checked: after a handover every tab waits for both.
    const secret = this.#keys.then((pair) => sharedSecret(pair, host.key))
    secret.catch(() => undefined)
    if (!(await isElected(this.#locks, scope.name, host))) {
      this.#refused++
      return
    }
    // Another announcement of the same host may have been believed while this one was checked.
    if (this.#watch.isDead(host.hostId) || this.#current?.hostId === host.hostId || this.#isClosed) return
    const known: KnownHost = { hostId: host.hostId, isHidden: host.isHidden, secret }
    this.#current = known
    for (const link of this.#links) {
      if (link.hostId === null) this.#connect(link, known)
      else if (link.hostId !== host.hostId) link.lose(new RelayError('transport', 'another tab took over as tab host; reconnecting this tab'))
    }
    this.#watch.follow(scope.name, host.hostId, () => this.#hostGone(host.hostId))
    this.#onVisibility()
    // Another tab hosts: get a worker ready for the day this tab takes over.
    if (!this.#hosting) this.#spare.prepare(() => !this.#hosting)
  }

  /** The host's liveness lock was granted: it closed, crashed or navigated away. */
  #hostGone(hostId: string): void {
    this.#watch.forget(hostId)
    if (this.#current?.hostId === hostId) this.#current = null
    for (const link of this.#links) {
      if (link.hostId === hostId) link.lose(new RelayError('transport', 'the tab host closed; reconnecting this tab to the next one'))
    }
    this.#post({ tabrelay: 'who' })
  }

  /** A hidden host is replaced by the first visible tab that asks; the host keeps the role otherwise. */
  #onVisibility(): void {
    const isHidden = this.#page.isHidden()
    if (!isHidden) this.#offers.reset()
    this.#hosting?.setHidden(isHidden)
    const current = this.#current
    if (!isHidden && current?.isHidden && this.#hosting?.hostId !== current.hostId) {
      this.#post({ tabrelay: 'claim', from: this.#id, hostId: current.hostId })
    }
  }

  #claimed(from: string, hostId: string): void {
    if (this.#hosting?.hostId === hostId && this.#page.isHidden() && this.#offers.shouldOffer(from)) this.#post({ tabrelay: 'handover', to: from, hostId })
  }

  #post(message: Control): void {
    if (!this.#isClosed) this.#scope?.channel.postMessage(message)
  }
}
