/**
 * Turns what a server channel reports into deliveries for the tabs that listen, and keeps each
 * topic's status, presence and `since` current for tabs that arrive late.
 */
import type { ChannelStatus, Delivery, Json, ResyncReason, Subscription, WireError } from '../../src/contract/protocol.ts'
import type { Clock } from '../../src/contract/clock.ts'
import type { ChannelHandlers, StatusDetail } from '../transports/transport.ts'
import { TopicCursor, type Rejoined } from './cursor.ts'
import { subKey, type Kept } from './resumers.ts'
import type { Topic } from './topic.ts'
import type { CatchUp } from '../connection/admission.ts'
import { byTab, wantsBroadcast, wantsChange, wantsPresence, wantsSystem, type TopicSub } from './listeners.ts'

/**
 * Where a delivery goes: the tab's outbox (worker/tab/outbox.ts), which filters and batches it.
 * @example
 * const inbox: DeliveryInbox = tab.outbox
 */
export interface DeliveryInbox {
  push(delivery: Delivery): void
}

/**
 * What the router needs from its connection.
 * @example
 * const deps: RouterDeps = { clock, admits: (tabId, d) => admission.passes(tabId, d), outboxOf: (tabId) => tabs.get(tabId)?.outboxFor(identity) ?? null }
 */
export interface RouterDeps {
  clock: Clock
  /** Whether the delivery may reach that tab (admission.ts): asked before each one. */
  admits(tabId: string, delivery: Delivery): boolean
  /** The tab's outbox while it still rides this connection, else `null`. */
  outboxOf(tabId: string): DeliveryInbox | null
  /** Joins the topic's server channel again (a late tab's replay, cursor.ts `onReplay`). */
  reopen?(entry: Topic): void
  /** A broadcast's payload as tabs get it, `undefined` to drop a copy (the persisted outbox's dedupe). */
  inbound?: ((entry: Topic, payload: Json) => Json | undefined) | undefined
}

/**
 * Routes one connection's channel events to tabs.
 * @example
 * const router = new ChannelRouter({ clock, admits: () => true, outboxOf: (tabId) => outboxes.get(tabId) ?? null })
 * const handlers = router.handlers(topic, () => topic.isCurrent(channel), () => flushSends(topic))
 */
export class ChannelRouter {
  readonly #deps: RouterDeps

  constructor(deps: RouterDeps) {
    this.#deps = deps
  }

  /** Handlers for one server channel of `entry`; events of a replaced channel are dropped. */
  handlers(entry: Topic, isCurrent: () => boolean, onSubscribed: () => void): ChannelHandlers {
    const cursor = this.#cursor(entry)
    return {
      status: (status, error, detail) => { if (isCurrent()) this.#status(entry, status, error, onSubscribed, detail) },
      resume: (limit) => cursor.resume(limit, rejoinedOf(entry)),
      sentPersisted: (event, payload) => cursor.sent(event, payload),
      broadcast: (event, wire, meta) => {
        if (!isCurrent()) return
        const payload = this.#deps.inbound ? this.#deps.inbound(entry, wire) : wire
        const route = payload === undefined ? false : cursor.receive(meta, event, payload)
        if (payload === undefined || route === false) return
        entry.arrived('broadcast', this.#deps.clock.now())
        this.#broadcast(entry, { id: undefined, event, payload, meta }, route === true ? () => true : (item) => route(subKey(item.tabId, item.sub.subId)))
      },
      presence: (event, detail) => {
        if (!isCurrent()) return
        entry.arrived('presence', this.#deps.clock.now())
        entry.setPresence(detail.state)
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
        entry.arrived('postgres_changes', this.#deps.clock.now())
        this.#send(entry, wantsChange(new Set(keys)), (subIds) => ({ kind: 'postgres_changes', subIds, bindingKeys: keys, payload }))
      },
      system: (payload) => {
        if (!isCurrent()) return
        entry.arrived('system', this.#deps.clock.now())
        this.#send(entry, wantsSystem('system'), (subIds) => ({ kind: 'system', subIds, event: 'system', payload }))
      },
    }
  }

  /**
   * Cross-tab echo of a broadcast sent through the shared socket (the server does not echo to the
   * sender, which every tab shares): every other channel on the topic gets it once, the sending
   * channel only when it asked for `self`.
   */
  echo(entry: Topic, tabId: string, subId: string, event: string, payload: Json): void {
    entry.echoed(this.#deps.clock.now())
    const matches = wantsBroadcast(event)
    this.#send(entry, (item) => matches(item) && (item.tabId !== tabId || item.sub.subId !== subId || item.sub.config.broadcast?.self === true),
      (subIds) => ({ kind: 'broadcast', subIds, event, payload }))
  }

  /**
   * Brings a tab admitted just now (admission.ts) up to date on `entry`: the channel's status, its
   * presence and the `resync` the tab is owed (at `SUBSCRIBED` when the topic is still joining).
   */
  catchUp(entry: Topic, tabId: string, catchUp: CatchUp): void {
    const mine = (item: TopicSub): boolean => item.tabId === tabId
    if (entry.status === 'joining') {
      if (catchUp.resync) entry.oweResync(tabId)
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

  /**
   * A tab's subscription joined with a resume cursor (it rejoins from another hub): on a topic
   * already joined it is caught up now; otherwise the topic's next join takes it (cursor.ts).
   */
  rejoined(entry: Topic, tabId: string, sub: Subscription): void {
    if (sub.resume && entry.isJoined) this.#cursor(entry).late({ key: subKey(tabId, sub.subId), cursor: sub.resume })
  }

  /** Tells the topic's channels that listen to `outbox` how a persisted send fares. */
  notify(entry: Topic, payload: Json): void {
    this.#send(entry, wantsSystem('outbox'), (subIds) => ({ kind: 'system', subIds, event: 'outbox', payload }))
  }

  /** The topic's cursor (cursor.ts): the topic owns it, made on first use with the router's gap rule. */
  #cursor(entry: Topic): TopicCursor {
    return entry.cursor(() => new TopicCursor({
      clock: this.#deps.clock,
      onGap: (reason, since, only) => this.#resync(entry, only ? (item) => only === subKey(item.tabId, item.sub.subId) : () => true, since, reason),
      // Later, not inside the channel callback that found it: the re-join closes that channel.
      onReplay: () => { queueMicrotask(() => this.#deps.reopen?.(entry)) },
      onRelease: (key, messages) => {
        for (const kept of messages) this.#broadcast(entry, kept, (item) => subKey(item.tabId, item.sub.subId) === key)
      },
    }))
  }

  #broadcast(entry: Topic, { event, payload, meta }: Kept, test: (item: TopicSub) => boolean): void {
    const matches = wantsBroadcast(event)
    this.#send(entry, (item) => matches(item) && test(item), (subIds) =>
      meta === undefined ? { kind: 'broadcast', subIds, event, payload } : { kind: 'broadcast', subIds, event, payload, meta })
  }

  #resync(entry: Topic, test: (item: TopicSub) => boolean, since: number | null, reason: ResyncReason): void {
    const wantsResync = wantsSystem('resync')
    this.#send(entry, (item) => test(item) && wantsResync(item), (subIds) => ({ kind: 'system', subIds, event: 'resync', payload: { since, reason } }))
  }

  #status(entry: Topic, status: ChannelStatus, error: WireError | undefined, onSubscribed: () => void, detail: StatusDetail | undefined): void {
    entry.report(status, error)
    this.#send(entry, () => true, (subIds) => (error ? { kind: 'channel', subIds, status, error } : { kind: 'channel', subIds, status }))
    if (status !== 'SUBSCRIBED') return
    this.#cursor(entry).joined(rejoinedOf(entry), detail?.reason)
    const { wasSubscribed, since, owed } = entry.joined(this.#deps.clock.now())
    if (wasSubscribed && detail?.isContinuous !== true) {
      // A rejoin (reconnect, resume, respec): events may have been missed since `since`, unless
      // the server resumed the stream and replayed them (the transport says so).
      this.#resync(entry, () => true, since, detail?.reason ?? 'not-replayable')
    } else {
      // A tab that switched user onto a topic still joining (or resumed): what it shows is the old user's.
      this.#resync(entry, (item) => owed.has(item), null, 'user-switch')
    }
    onSubscribed()
  }

  #send(entry: Topic, test: (item: TopicSub) => boolean, make: (subIds: string[]) => Delivery): void {
    const matching = [...entry.subs.values()].filter(test)
    for (const [tabId, subIds] of byTab(matching)) {
      const delivery = make(subIds)
      if (this.#deps.admits(tabId, delivery)) this.#deps.outboxOf(tabId)?.push(delivery)
    }
  }
}

/** The subscriptions of `entry` that came with a resume cursor (cursor.ts takes each once). */
function rejoinedOf(entry: Topic): Rejoined[] {
  const rejoined: Rejoined[] = []
  for (const { tabId, sub } of entry.subs.values()) if (sub.resume) rejoined.push({ key: subKey(tabId, sub.subId), cursor: sub.resume })
  return rejoined
}
