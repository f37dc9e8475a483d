/**
 * This tab's registration with the hub, shared by every adapter: the hub session, the connection
 * status and leader flag with their listeners, and the members (channels, topics) that deliveries
 * are routed to and that rejoin after a worker restart.
 */
import { systemClock, type Clock } from '../contract/clock.ts'
import { RelayError } from '../contract/errors.ts'
import type { ConnectionStatus, Delivery, HubInspection, HubStats, StatusEvent, TransportInfo } from '../contract/protocol.ts'
import type { Invoke, MemberHost } from './membership.ts'
import { closedError, type Settings } from './options.ts'
import { HubSession } from './session.ts'
import type { UpdateInfo } from './deploy.ts'
import { checkCallback, safely } from './safely.ts'

/**
 * A channel or topic of this tab, as the client routes to it.
 * @example
 * client.add({ subId: '1', receive, rejoin, forgetStatus })
 */
export interface Member {
  readonly subId: string
  receive(delivery: Delivery): void
  rejoin(call: Invoke): void
  forgetStatus(): void
}

/**
 * The adapter-neutral tab client; adapters hold one and add their members.
 * @example
 * const client = new HubClient(settings, 'createRelay'); client.add(topic)
 */
export class HubClient implements MemberHost {
  /** `null` while server-rendering: a client made there stays inert (see {@link isServerSide}). */
  readonly #session: HubSession | null
  readonly #settings: Settings
  readonly #factory: string
  readonly #members = new Set<Member>()
  readonly #statusListeners = new Set<(status: ConnectionStatus, detail: StatusEvent) => void>()
  readonly #leaderListeners = new Set<(isLeader: boolean) => void>()
  readonly #updateListeners = new Set<(info: UpdateInfo) => void>()
  #update: UpdateInfo | null = null
  #subSeq = 0
  #status: ConnectionStatus = 'connecting'
  #isLeader = false
  #isClosed = false

  /** `factory` names the adapter's entry point in errors ("create a new client with …"). */
  constructor(settings: Settings, factory: string) {
    this.#settings = settings
    this.#factory = factory
    this.#session = openSession(settings, {
      deliver: (batch) => this.#deliver(batch),
      status: (event) => this.#setStatus(event),
      leader: (isLeader) => this.#setLeader(isLeader),
      rejoin: (call) => { for (const member of this.#members) member.rejoin(call) },
      problem: (error) => { for (const listener of [...this.#statusListeners]) safely(() => listener(this.#status, { status: this.#status, error }), undefined) },
      update: (info) => {
        this.#update = info
        for (const listener of [...this.#updateListeners]) safely(() => listener(info), undefined)
      },
    })
  }

  get status(): ConnectionStatus { return this.#status }
  get isLeader(): boolean { return this.#isLeader }
  get workerId(): string { return this.#session?.workerId ?? '' }
  /** Set once a newer deploy of the app runs (see `onUpdateAvailable`), else `null`. */
  get updateAvailable(): UpdateInfo | null { return this.#update }
  /** Whether sends ask for the hub's persisted outbox (the `outbox: 'persist'` option). */
  get persists(): boolean { return this.#settings.outbox === 'persist' }
  /** The transport's capabilities once the hub answered, else `null`. */
  get transport(): TransportInfo | null { return this.#session?.transport ?? null }

  readonly call: Invoke = (what, fn, timeoutMs) => {
    if (this.#isClosed) return Promise.reject(closedError(what, this.#factory))
    if (!this.#session) return Promise.reject(new RelayError('unsupported', `${what}(): this client was created during server rendering, where no worker runs; tabrelay connects in the browser`))
    return this.#session.calls.run(what, fn, undefined, timeoutMs)
  }

  /** The client's clock (tests inject a manual one). */
  get clock(): Clock {
    return this.#settings.clock ?? systemClock
  }

  nextSubId(): string {
    return `${++this.#subSeq}`
  }

  isClosed(): boolean {
    return this.#isClosed
  }

  now(): number {
    return this.clock.now()
  }

  add(member: Member): void {
    this.#members.add(member)
  }

  remove(member: Member): void {
    this.#members.delete(member)
  }

  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void {
    checkCallback(listener, 'onStatus(listener)')
    this.#statusListeners.add(listener)
    return () => { this.#statusListeners.delete(listener) }
  }

  onLeaderChange(listener: (isLeader: boolean) => void): () => void {
    checkCallback(listener, 'onLeaderChange(listener)')
    this.#leaderListeners.add(listener)
    return () => { this.#leaderListeners.delete(listener) }
  }

  /** `update-available`: a newer deploy of the app runs; a listener added later hears of it at once. */
  onUpdateAvailable(listener: (info: UpdateInfo) => void): () => void {
    checkCallback(listener, 'onUpdateAvailable(listener)')
    this.#updateListeners.add(listener)
    const known = this.#update
    if (known) queueMicrotask(() => { if (this.#updateListeners.has(listener)) safely(() => listener(known), undefined) })
    return () => { this.#updateListeners.delete(listener) }
  }

  /** Asks `accessToken()` again (or takes the last token) and gives it to the hub. */
  async refreshAuth(): Promise<void> {
    if (this.#isClosed) throw closedError('setAuth', this.#factory)
    return this.setAuth(await (this.#session?.freshToken() ?? Promise.resolve(null)))
  }

  /** A new token (and, with cookie auth, maybe a new identity) for this tab. */
  async setAuth(token: string | null, identity?: string | null): Promise<void> {
    if (token !== null && typeof token !== 'string') throw new RelayError('bad-input', 'setAuth() takes a token string, or null for anonymous')
    if (identity !== undefined && identity !== null && (typeof identity !== 'string' || identity === '')) {
      throw new RelayError('bad-input', 'setAuth(token, identity): identity must be a non-empty string, or null')
    }
    if (!this.#isClosed) this.#session?.setAuth(token, identity)
    return this.call('setAuth', (hub) => (identity === undefined ? hub.setAuth(token) : hub.setAuth(token, identity)))
  }

  async reconnect(): Promise<void> {
    return this.call('reconnect', (hub) => hub.reconnect())
  }

  async stats(): Promise<HubStats> {
    return this.call('stats', (hub) => hub.stats())
  }

  inspect(since?: number): Promise<HubInspection> {
    return this.call('inspect', (hub) => hub.inspect(since))
  }

  /** Leaves `subIds`, says bye, and fails every later call with `closed`. */
  async close(subIds: string[]): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#members.clear()
    this.#setStatus({ status: 'closed' })
    await this.#session?.close(subIds)
  }

  #deliver(batch: Delivery[]): void {
    // One lookup per listed subscription instead of scanning every member for every delivery:
    // a burst of N deliveries to a tab with M channels was N x M `includes` calls.
    const bySubId = new Map<string, Member>()
    for (const member of this.#members) if (member.subId !== '') bySubId.set(member.subId, member)
    for (const delivery of batch) {
      for (const subId of delivery.subIds) {
        const member = bySubId.get(subId)
        // A listener may leave a channel mid-batch; it gets nothing after that, as before.
        if (member?.subId === subId) member.receive(delivery)
      }
    }
  }


  #setStatus(event: StatusEvent): void {
    const isNew = event.status !== this.#status || event.status === 'reconnecting'
    this.#status = event.status
    // Once the connection drops, the next SUBSCRIBED is a new transition, as in supabase-js.
    if (event.status !== 'open') for (const member of this.#members) member.forgetStatus()
    if (isNew) for (const listener of [...this.#statusListeners]) safely(() => listener(event.status, event), undefined)
  }

  #setLeader(isLeader: boolean): void {
    if (isLeader === this.#isLeader) return
    this.#isLeader = isLeader
    for (const listener of [...this.#leaderListeners]) safely(() => listener(isLeader), undefined)
  }
}

/**
 * Whether this code runs where no page is (server rendering: Next.js, Remix, Astro). There a
 * client created at module scope must not throw, and must not start timers that keep the server
 * process alive; the same module creates the real client again in the browser.
 */
function isServerSide(): boolean {
  const scope = globalThis as { document?: unknown; window?: unknown; WorkerGlobalScope?: unknown }
  return scope.document === undefined && scope.window === undefined && scope.WorkerGlobalScope === undefined
}

function openSession(settings: Settings, events: ConstructorParameters<typeof HubSession>[1]): HubSession | null {
  try {
    return new HubSession(settings, events)
  } catch (error) {
    // The worker factory failed (`SharedWorker is not defined`) because there is no browser here.
    if (error instanceof RelayError && error.code === 'unsupported' && isServerSide()) return null
    throw error
  }
}

