/**
 * One subscription's life with the hub, the same for every adapter's channel or topic: its
 * `subId`, the join (and the re-join when listeners change), the status transitions with their
 * de-duplication, the cursor a rejoin on a new hub resumes from, and waiting for the join before a send.
 */
import { RelayError, toWire } from '../contract/errors.ts'
import type { ChannelSnapshot, ChannelStatus, Delivery, HubApi, Json, ResumeCursor, ResyncReason, Subscription, WireError } from '../contract/protocol.ts'
import { MAX_RESUME_IDS, MAX_RESUME_ID_CHARS } from '../contract/delivery.ts'
import { isEvent } from '../contract/events.ts'

/**
 * Runs one call against the hub with the client's timeout (or `timeoutMs`) and error mapping.
 * @example
 * const snapshot = await call('join', (hub) => hub.join(sub))
 */
export type Invoke = <T>(what: string, fn: (hub: HubApi) => Promise<T>, timeoutMs?: number) => Promise<T>

/**
 * A subscription's life in this tab, as supabase-js's `channel.state`.
 * @example
 * if (room.state === 'joined') await room.send(message)
 */
export type ChannelState = 'closed' | 'joining' | 'joined' | 'errored'

/**
 * What a membership needs from the client that made it.
 * @example
 * new Membership(host, owner)
 */
export interface MemberHost {
  call: Invoke
  nextSubId(): string
  isClosed(): boolean
  /** The client's clock, for a rejoin's resync `since`. */
  now(): number
  /** Sends ask for the hub's persisted outbox (`outbox: 'persist'`). */
  readonly persists?: boolean
}

/**
 * What a membership tells the channel or topic it serves.
 * @example
 * const owner: MemberOwner = { subscription: () => ({ topic, config: {}, bindings }), status, resync, seed }
 */
export interface MemberOwner {
  /** The subscription as it is now (its listeners' bindings); the subId is added here. */
  subscription(): Omit<Subscription, 'subId'>
  /** A new status, already de-duplicated. */
  status(status: ChannelStatus, error?: WireError): void
  /** Rejoined (on a new hub, or by the hub after a reconnect): events since `since` may be missing. */
  resync(since: number | null, reason: ResyncReason): void
  /** The hub's state of the topic at join (presence a late tab should know at once). */
  seed(snapshot: ChannelSnapshot): void
}

const STATE_OF: Record<ChannelStatus, ChannelState> = {
  SUBSCRIBED: 'joined', CHANNEL_ERROR: 'errored', TIMED_OUT: 'errored', CLOSED: 'closed',
}

/**
 * The hub side of one channel or topic of this tab.
 * @example
 * const member = new Membership(client, { subscription: () => sub, status: render, resync: (since) => refetch(since), seed })
 * if (!member.receive(delivery)) routeToListeners(delivery)
 */
export class Membership {
  readonly #host: MemberHost
  readonly #owner: MemberOwner
  #state: ChannelState = 'closed'
  #subId = ''
  #joinSeq = 0
  #joined: Promise<void> = Promise.resolve()
  #isUpdateQueued = false
  #lastStatus: ChannelStatus | undefined
  /** When this subscription last got an event (or first subscribed); `null` before it ever did. */
  #since: number | null = null
  /**
   * The server ids of its newest broadcasts, oldest first, and when the newest came; `null` once a
   * broadcast came without one (the server did not store it: no replay can cover a gap).
   */
  #ids: string[] | null = []
  #idAt = 0

  constructor(host: MemberHost, owner: MemberOwner) {
    this.#host = host
    this.#owner = owner
  }

  get state(): ChannelState {
    return this.#state
  }

  /** The id the hub knows this subscription by, `''` while not subscribed. */
  get subId(): string {
    return this.#subId
  }

  /** Joins (or re-joins with the current listeners) through `call`. */
  join(call: Invoke = this.#host.call, resume?: ResumeCursor): void {
    if (!this.#subId) this.#subId = this.#host.nextSubId()
    if (this.#state !== 'joined') this.#state = 'joining'
    const seq = ++this.#joinSeq
    const sub: Subscription = { subId: this.#subId, ...this.#owner.subscription(), ...(resume ? { resume } : {}) }
    this.#joined = call('join', (hub) => hub.join(sub)).then(
      (snapshot) => { if (seq === this.#joinSeq) this.#seed(snapshot) },
      (error: unknown) => { if (seq === this.#joinSeq) this.#failed(error) },
    )
  }

  /** Listeners changed: several in one chain send one updated join, not one each. */
  update(): void {
    if (this.#state === 'closed' || this.#isUpdateQueued) return
    this.#isUpdateQueued = true
    queueMicrotask(() => {
      this.#isUpdateQueued = false
      if (this.#state !== 'closed' && !this.#host.isClosed()) this.join()
    })
  }

  /** Leaves locally at once (status `CLOSED`) and returns the subId the hub should forget. */
  drop(): string {
    const subId = this.#subId
    if (!subId) return ''
    this.#joinSeq++
    this.#subId = ''
    this.setStatus('CLOSED')
    return subId
  }

  /** Joins again on a fresh hub connection; `SUBSCRIBED` is reported again, as supabase-js does. */
  rejoin(call: Invoke): boolean {
    if (this.#state === 'closed') return false
    this.#lastStatus = undefined
    // A new hub connection (often a restarted worker, WebKit bug 318873) starts with fresh topics:
    // the cursor tells it where this channel stands, so it resumes through the server's replay or
    // sends the `resync` with the reason it could not.
    const since = this.#since
    const ids = this.#ids ?? []
    this.join(call, since === null ? undefined : { since: ids.length > 0 ? this.#idAt : since, ids: ids.slice() })
    return true
  }

  /** The connection dropped: the next `SUBSCRIBED` is a new transition worth reporting. */
  forgetStatus(): void {
    this.#lastStatus = undefined
  }

  /**
   * Notes a delivery: events move `since`; a channel status is applied; the hub's own `resync`
   * (a rejoin after a reconnect or resume, `since` = the topic's last event) goes to the owner as
   * the one after a new hub does. Returns whether the delivery was handled here.
   */
  receive(delivery: Delivery): boolean {
    if (isEvent(delivery)) this.#since = this.#host.now()
    if (delivery.kind === 'broadcast') this.#noteId(delivery.meta)
    if (delivery.kind === 'system' && delivery.event === 'resync') {
      const { payload } = delivery
      const fields = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {}
      const since = typeof fields['since'] === 'number' ? fields['since'] : null
      // The hub's own value (protocol.ts RESYNC_REASONS); a hub of an older build sends none.
      const reason = typeof fields['reason'] === 'string' ? (fields['reason'] as ResyncReason) : 'not-replayable'
      this.#owner.resync(since, reason)
      return true
    }
    if (delivery.kind !== 'channel') return false
    this.setStatus(delivery.status, delivery.error)
    return true
  }

  /** Waits for a pending join; fails `closed` when there is none (before `subscribe()`). */
  async whenJoined(what: string, name: string): Promise<string> {
    if (this.#state === 'joining') await this.#joined
    if (!this.#subId) {
      throw new RelayError('closed', `${what}() on '${name}' needs subscribe() first: tabrelay talks over the shared connection, never REST`)
    }
    return this.#subId
  }

  setStatus(status: ChannelStatus, error?: WireError): void {
    this.#state = STATE_OF[status]
    if (status === this.#lastStatus) return
    this.#lastStatus = status
    this.#owner.status(status, error)
    if (status !== 'SUBSCRIBED') return
    this.#since ??= this.#host.now()
  }

  #noteId(meta: Json | undefined): void {
    const id = (meta as { id?: Json } | undefined)?.id
    if (typeof id !== 'string' || id === '' || id.length > MAX_RESUME_ID_CHARS) this.#ids = null
    else if (this.#ids) this.#ids = [...this.#ids.slice(1 - MAX_RESUME_IDS), id]
    this.#idAt = this.#host.now()
  }

  #seed(snapshot: ChannelSnapshot): void {
    this.#owner.seed(snapshot)
    // 'joining' says nothing new, and a status delivered meanwhile must not be undone.
    if (snapshot.status !== 'joining') this.setStatus(snapshot.status, snapshot.error)
  }

  #failed(error: unknown): void {
    if (this.#host.isClosed()) return
    const isTimeout = error instanceof RelayError && error.code === 'timeout'
    this.setStatus(isTimeout ? 'TIMED_OUT' : 'CHANNEL_ERROR', isTimeout ? undefined : toWire(error, 'join-failed'))
  }
}

/**
 * A send's result when the hub it went to died before answering (a restarted worker, a tab host
 * that closed): the others may have it, so its fate is unknown — `'timed out'`, as supabase-js
 * says, rather than an error an app would retry on and duplicate.
 * @example
 * const result = await call('send', (hub) => hub.send(subId, message)).catch(unknownFate)
 */
export function unknownFate(error: unknown): 'timed out' {
  if (error instanceof RelayError && error.code === 'transport') return 'timed out'
  throw error
}
