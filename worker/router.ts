/**
 * Turns what a server channel reports into deliveries for the tabs that listen, and keeps each
 * topic's status, presence and `since` current for tabs that arrive late.
 */
import type { ChannelStatus, Delivery, Json, ResyncReason, WireError } from '../src/contract/protocol.ts'
import type { Clock } from '../src/contract/clock.ts'
import type { ChannelHandlers, StatusDetail, TransportChannel } from './transports/transport.ts'
import { TopicCursor } from './cursor.ts'
import type { TopicEntry } from './topics.ts'
import type { CatchUp } from './admission.ts'
import { byTab, wantsBroadcast, wantsChange, wantsPresence, wantsSystem, type TopicSub } from './routing.ts'

/** What the router needs from its connection. */
export interface RouterDeps {
  clock: Clock
  deliver(tabId: string, delivery: Delivery): void
}

type Waiter = (channel: TransportChannel | null) => void

/** Routes one connection's channel events to tabs. */
export class ChannelRouter {
  readonly #deps: RouterDeps
  readonly #waiters = new WeakMap<TopicEntry, Set<Waiter>>()
  readonly #cursors = new WeakMap<TopicEntry, TopicCursor>()

  constructor(deps: RouterDeps) {
    this.#deps = deps
  }

  /** Handlers for one server channel of `entry`; events of a replaced channel are dropped. */
  handlers(entry: TopicEntry, isCurrent: () => boolean, onSubscribed: () => void): ChannelHandlers {
    const cursor = this.#cursor(entry)
    return {
      status: (status, error, detail) => { if (isCurrent()) this.#status(entry, status, error, onSubscribed, detail) },
      resume: (limit) => cursor.resume(limit),
      sentPersisted: (event, payload) => cursor.sent(event, payload),
      broadcast: (event, payload, meta) => {
        if (!isCurrent() || !cursor.receive(meta, event, payload)) return
        this.#touch(entry)
        entry.received += 1
        this.#send(entry, wantsBroadcast(event), (subIds) =>
          meta === undefined ? { kind: 'broadcast', subIds, event, payload } : { kind: 'broadcast', subIds, event, payload, meta })
      },
      presence: (event, detail) => {
        if (!isCurrent()) return
        entry.presence = detail.state
        this.#send(entry, wantsPresence, (subIds) => ({
          kind: 'presence', subIds, event, state: detail.state,
          ...(detail.key === undefined ? {} : { key: detail.key }),
          ...(detail.current === undefined ? {} : { currentPresences: detail.current }),
          ...(detail.joined === undefined ? {} : { newPresences: detail.joined }),
          ...(detail.left === undefined ? {} : { leftPresences: detail.left }),
        }))
      },
      postgres: (keys, payload) => {
        if (!isCurrent()) return
        this.#touch(entry)
        entry.received += 1
        this.#send(entry, wantsChange(new Set(keys)), (subIds) => ({ kind: 'postgres_changes', subIds, bindingKeys: keys, payload }))
      },
      system: (payload) => {
        if (isCurrent()) this.#send(entry, wantsSystem('system'), (subIds) => ({ kind: 'system', subIds, event: 'system', payload }))
      },
    }
  }

  /**
   * Cross-tab echo of a broadcast sent through the shared socket (the server does not echo to the
   * sender, which every tab shares): every other channel on the topic gets it once, the sending
   * channel only when it asked for `self`.
   */
  echo(entry: TopicEntry, tabId: string, subId: string, event: string, payload: Json): void {
    this.#touch(entry)
    const matches = wantsBroadcast(event)
    this.#send(entry, (item) => matches(item) && (item.tabId !== tabId || item.sub.subId !== subId || item.sub.config.broadcast?.self === true),
      (subIds) => ({ kind: 'broadcast', subIds, event, payload }))
  }

  /**
   * Brings a tab admitted just now (admission.ts) up to date on `entry`: the channel's status, its
   * presence and the `resync` the tab is owed (at `SUBSCRIBED` when the topic is still joining).
   */
  catchUp(entry: TopicEntry, tabId: string, catchUp: CatchUp): void {
    const mine = (item: TopicSub): boolean => item.tabId === tabId
    if (entry.status === 'joining') {
      if (catchUp.resync) for (const item of entry.subs.values()) if (mine(item)) item.owesResync = true
      return
    }
    const { status, error } = entry
    this.#send(entry, mine, (subIds) => (error ? { kind: 'channel', subIds, status, error } : { kind: 'channel', subIds, status }))
    if (status !== 'SUBSCRIBED') return
    const state = entry.presence
    if (Object.keys(state).length > 0) this.#send(entry, (item) => mine(item) && wantsPresence(item), (subIds) => ({ kind: 'presence', subIds, event: 'sync', state }))
    if (!catchUp.resync) return
    const { since } = catchUp
    this.#send(entry, (item) => mine(item) && wantsSystem('resync')(item), (subIds) => ({ kind: 'system', subIds, event: 'resync', payload: { since, reason: since === null ? 'user-switch' : 'held' } }))
  }

  /** Resolves with the channel once the topic is joined, or `null` after `ms`. */
  whenSubscribed(entry: TopicEntry, ms: number): Promise<TransportChannel | null> {
    if (entry.status === 'SUBSCRIBED' && entry.channel) return Promise.resolve(entry.channel)
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(entry) ?? new Set<Waiter>()
      this.#waiters.set(entry, waiters)
      const cancel = this.#deps.clock.setTimeout(() => { waiters.delete(waiter); resolve(null) }, ms)
      const waiter: Waiter = (channel) => { cancel(); resolve(channel) }
      waiters.add(waiter)
    })
  }

  /** The topic's cursor (worker/cursor.ts), as long-lived as the topic. */
  #cursor(entry: TopicEntry): TopicCursor {
    const existing = this.#cursors.get(entry)
    if (existing) return existing
    const cursor = new TopicCursor({ clock: this.#deps.clock, onGap: (reason, since) => this.#resync(entry, () => true, since, reason) })
    this.#cursors.set(entry, cursor)
    return cursor
  }

  #resync(entry: TopicEntry, test: (item: TopicSub) => boolean, since: number | null, reason: ResyncReason): void {
    const wantsResync = wantsSystem('resync')
    this.#send(entry, (item) => test(item) && wantsResync(item), (subIds) => ({ kind: 'system', subIds, event: 'resync', payload: { since, reason } }))
  }

  #status(entry: TopicEntry, status: ChannelStatus, error: WireError | undefined, onSubscribed: () => void, detail: StatusDetail | undefined): void {
    entry.status = status
    if (error) entry.error = error
    else delete entry.error
    this.#send(entry, () => true, (subIds) => (error ? { kind: 'channel', subIds, status, error } : { kind: 'channel', subIds, status }))
    if (status !== 'SUBSCRIBED') return
    this.#cursor(entry).joined()
    if (entry.wasSubscribed && detail?.isContinuous !== true) {
      // A rejoin (reconnect, resume, respec): events may have been missed since `since`, unless
      // the server resumed the stream and replayed them (the transport says so).
      this.#resync(entry, () => true, entry.since, detail?.reason ?? 'not-replayable')
    } else {
      // A tab that switched user onto a topic still joining (or resumed): what it shows is the old user's.
      this.#resync(entry, (item) => item.owesResync === true, null, 'user-switch')
    }
    for (const item of entry.subs.values()) delete item.owesResync
    entry.wasSubscribed = true
    entry.since ??= this.#deps.clock.now()
    onSubscribed()
    const waiters = this.#waiters.get(entry)
    this.#waiters.delete(entry)
    for (const waiter of waiters ?? []) waiter(entry.channel)
  }

  #touch(entry: TopicEntry): void {
    entry.since = this.#deps.clock.now()
  }

  #send(entry: TopicEntry, test: (item: TopicSub) => boolean, make: (subIds: string[]) => Delivery): void {
    const matching = [...entry.subs.values()].filter(test)
    for (const [tabId, subIds] of byTab(matching)) this.#deps.deliver(tabId, make(subIds))
  }
}
