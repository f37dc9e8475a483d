/**
 * The hub: one connection per user identity, the tabs that ride on them, and the rules that tie
 * them together (who leads, when to pause, who gets a status). Orchestration only.
 */
import type { ChannelSnapshot, ConnectionTarget, Heartbeat, HeartbeatAck, HubInspection, HubStats, JournalNote, Outgoing, SendOutcome, SendResult, Subscription, TabHello, Welcome, Json } from '../src/contract/protocol.ts'
import { PROTOCOL_VERSION } from '../src/contract/protocol.ts'
import { RelayError } from '../src/contract/errors.ts'
import { askTabs } from './ask-token.ts'
import type { TokenAnswer } from './auth.ts'
import { Connection } from './connection.ts'
import { DeployWatch } from './deploys.ts'
import { Quotas } from './quotas.ts'
import { MoveGuard } from './move-guard.ts'
import { Outbox, outboxCounters } from './outbox.ts'
import { noDevtools, quietly, refusing, resolveHubOptions, type HubOptions, type HubSink, type ResolvedHubOptions } from './options.ts'
import { listensToResync } from './routing.ts'
import { refusePersist } from './persist/hooks.ts'
import { TabRegistry } from './tabs.ts'
import { KeyedTimers } from './timers.ts'
import { statsOf } from './stats.ts'
import type { Transport } from './transports/transport.ts'

export type { HubOptions, HubSink } from './options.ts'

interface TabLink {
  sink: HubSink
  outbox: Outbox
  guard: MoveGuard
  identity: string
  hello: TabHello
  subs: Map<string, Subscription>
  /** Lets go of the sink once the hub forgets the tab (bye, lock, heartbeats, a newer hello). */
  release: () => void
}

/** Owns connections, topics and tabs of one worker. */
export class Hub {
  readonly workerId: string
  readonly #options: ResolvedHubOptions
  readonly #connections = new Map<string, Connection>()
  readonly #tabs = new Map<string, TabLink>()
  readonly #registry: TabRegistry
  readonly #timers: KeyedTimers<'idle' | 'pause'>
  readonly #counters = outboxCounters()
  readonly #deploys: DeployWatch | null
  readonly #quotas: Quotas
  readonly #note = (identity: string, ...note: JournalNote): void => this.#options.devtools?.record(identity, note, this.#options.clock.now())

  constructor(options: HubOptions) {
    this.#options = resolveHubOptions(options)
    this.#quotas = new Quotas(this.#options.limits)
    this.workerId = this.#options.workerId
    // Idle close and pause are separate timers: a tab arriving cancels the first, not the second.
    this.#timers = new KeyedTimers(this.#options.clock)
    this.#registry = new TabRegistry({
      gone: (tabId, reason) => this.bye(tabId, false, reason),
      leader: (identity, leader) => { this.#note(identity, 'leader', leader); this.#eachTab(identity, (link, tabId) => quietly(() => link.sink.leader(tabId === leader))) },
      visibility: (identity, anyVisible) => { this.#note(identity, 'visibility', anyVisible); this.#onVisibility(identity, anyVisible) },
    }, this.#options.clock, options.locks ?? null)
    // A newer deploy's hub started: every tab is offered it (those arriving later get it in hello).
    this.#deploys = this.#options.deploys ? new DeployWatch(this.#options.deploys, this.workerId, (offer) => { for (const link of this.#tabs.values()) quietly(() => link.sink.moveTo?.(offer)) }) : null
  }

  /** Registers a tab (a known tab id starts over cleanly); `release` runs once the hub forgets it. */
  hello(hello: TabHello, sink: HubSink, release: () => void = () => undefined): Welcome {
    if (hello.protocol !== PROTOCOL_VERSION) throw new RelayError('version-mismatch', `tab speaks protocol ${hello.protocol}, worker ${PROTOCOL_VERSION}; reload the page`)
    const transport = this.#transport(hello.target)
    const identity = this.#identity(hello.target, hello.token)
    this.#quotas.identity(this.#connections, identity)
    this.bye(hello.tabId, true, 'hello')
    const subs = new Map<string, Subscription>()
    // The outbox watches the answers of sink.deliver() itself: they are its back-pressure.
    const guard = new MoveGuard(() => this.#options.clock.now())
    const outbox = new Outbox((batch) => { guard.sent(batch); return sink.deliver(batch) }, this.#options.schedule, this.#counters,
      { ...this.#options.outbox, immediate: this.#options.immediate, now: () => this.#options.clock.now(), wantsResync: listensToResync(hello.tabId, subs), overflowed: () => this.#note(this.#tabs.get(hello.tabId)?.identity ?? identity, 'overflow', hello.tabId) })
    this.#tabs.set(hello.tabId, { sink, outbox, identity, hello, subs, release, guard })
    this.#timers.cancel('idle', identity)
    const connection = this.#connection(identity, hello)
    // A refused token is reported to this tab through its channels; hello itself goes on.
    connection.enter(hello.tabId, hello.token, false).catch(() => undefined)
    connection.start()
    this.#note(identity, 'tab-added', hello.tabId, hello.visibility)
    this.#registry.add({ ...hello, identity })
    this.#keepPauseRule(identity)
    const isLeader = this.#registry.leaderOf(identity) === hello.tabId
    if (hello.loadedAt !== undefined) this.#deploys?.saw(hello.loadedAt)
    const moveTo = this.#deploys?.offer
    return { workerId: this.workerId, protocol: PROTOCOL_VERSION, status: connection.status, isLeader, transport: { ...transport.capabilities }, ...(moveTo ? { moveTo } : {}) }
  }

  join(tabId: string, sub: Subscription): ChannelSnapshot {
    const link = this.#link(tabId)
    refusing(() => this.#quotas.join(this.#transport(link.hello.target), link.hello.target, link.subs, sub), this.#note, link.identity, tabId)
    this.#note(link.identity, 'joined', tabId, sub.topic, sub.subId)
    const previous = link.subs.get(sub.subId)
    if (previous && (previous.topic !== sub.topic || previous.config.private !== sub.config.private)) this.leave(tabId, sub.subId)
    link.subs.set(sub.subId, sub)
    return this.#connection(link.identity, link.hello).join(tabId, sub)
  }

  leave(tabId: string, subId: string): void {
    const link = this.#link(tabId)
    const left = link.subs.get(subId)
    if (left && link.subs.delete(subId)) this.#note(link.identity, 'left', tabId, left.topic, subId)
    this.#connections.get(link.identity)?.leave(tabId, subId)
  }

  send(tabId: string, subId: string, message: Outgoing): Promise<SendOutcome> {
    const link = this.#link(tabId)
    refusing(() => { this.#quotas.send(this.#transport(link.hello.target), link.hello.target, message); refusePersist(this.#options.persist, message) }, this.#note, link.identity, tabId)
    return this.#connectionOf(tabId).send(tabId, subId, message)
  }

  track(tabId: string, subId: string, meta: { [key: string]: Json }): Promise<SendResult> {
    const link = this.#link(tabId)
    refusing(() => this.#quotas.track(this.#transport(link.hello.target), link.hello.target, meta), this.#note, link.identity, tabId)
    return this.#connectionOf(tabId).track(tabId, subId, meta)
  }

  untrack(tabId: string, subId: string): Promise<SendResult> {
    return this.#connectionOf(tabId).untrack(tabId, subId)
  }

  /**
   * A new token (and, for cookie-authenticated apps, maybe a new explicit identity): applied in
   * place for the same user, or the tab moves to the new user's connection.
   */
  setAuth(tabId: string, token: string | null, identity: string | null | undefined = undefined): Promise<void> {
    const link = this.#link(tabId)
    const target: ConnectionTarget = identity === undefined ? link.hello.target : { ...link.hello.target, identity }
    const next = this.#identity(target, token)
    this.#quotas.identity(this.#connections, next, this.#registry.list(link.identity).length === 1 ? link.identity : null)
    link.hello = { ...link.hello, target, token }
    return this.#setIdentity(tabId, link, next, token)
  }

  /** Same user: the token is offered (and may be refused); another user: the tab moves there. */
  #setIdentity(tabId: string, link: TabLink, identity: string, token: string | null): Promise<void> {
    if (identity === link.identity) return this.#connections.get(identity)?.offerToken(tabId, token) ?? Promise.resolve()
    const previous = link.identity
    // A tab that signed out (or switched user) never gets what the old identity still queued for
    // it, nor twice over the new user's socket what it did get; what the old user stored in the
    // persisted outbox is deleted, never to be sent.
    this.#options.persist?.forget(previous)
    link.outbox.discard()
    link.guard.moved()
    this.#note(previous, 'tab-removed', tabId, 'moved')
    this.#connections.get(previous)?.removeTab(tabId)
    link.identity = identity
    this.#timers.cancel('idle', identity)
    // The connection exists before the registry moves the tab, as in hello(): the move reports
    // the new identity's visibility, and a hidden tab's report arms the pause only then.
    const connection = this.#connection(identity, link.hello)
    connection.start()
    this.#registry.move(tabId, identity)
    // The move re-elected both identities, but told only tabs that are still in each: the moved
    // tab learns its role in the new one here (it may have led the old one).
    quietly(() => link.sink.leader(this.#registry.leaderOf(identity) === tabId))
    // Sign-out (or a switch of user) tears the old user's connection down at once.
    if (this.#registry.list(previous).length === 0) this.#closeConnection(previous)
    this.#keepPauseRule(identity)
    quietly(() => link.sink.status(connection.status))
    for (const sub of link.subs.values()) connection.join(tabId, sub)
    // Once its token is proven there, the tab gets each channel's status and one `resync`.
    return connection.enter(tabId, token, true)
  }

  heartbeat(tabId: string, beat: Heartbeat): HeartbeatAck {
    const known = this.#registry.beat(tabId, beat)
    const identity = this.#tabs.get(tabId)?.identity
    const isLeader = identity !== undefined && this.#registry.leaderOf(identity) === tabId
    return { workerId: this.workerId, known, isLeader }
  }

  /** Retries now while reconnecting or paused. */
  async reconnect(tabId: string): Promise<void> {
    const identity = this.#link(tabId).identity
    const wasPaused = this.#connectionOf(tabId).status.status === 'paused'
    await this.#connectionOf(tabId).resume()
    // The pause timer ran out already: a resume while every tab is hidden must arm it again, or
    // the socket would stay open for good (no visibility change is coming to do it).
    const anyVisible = this.#registry.list(identity).some((t) => t.visibility === 'visible')
    if (wasPaused && !anyVisible) this.#onVisibility(identity, false)
  }

  stats(tabId: string): HubStats { return statsOf(this.workerId, this.#link(tabId).identity, tabId, this.#registry, this.#connections, this.#counters) }

  /** The hub as the tab's identity sees it, with journal entries after `since` (devtools). */
  inspect(tabId: string, since?: unknown): HubInspection {
    const link = this.#link(tabId)
    // A held tab (admission.ts) learns nothing of the user's connection: not its topics, not its journal.
    if (this.#connections.get(link.identity)?.isHeld(tabId) === true) throw new RelayError('unauthorized', 'this tab is not admitted to its user\'s connection yet: the server has not accepted its token')
    return (this.#options.devtools ?? noDevtools()).inspect({ workerId: this.workerId, tabId, link, now: this.#options.clock.now(), connection: this.#connections.get(link.identity), registry: this.#registry, outboxes: this.#tabs }, since)
  }

  /** A tab is gone (bye, lock, heartbeats; `isBack`: a new hello of it): release what it held. */
  bye(tabId: string, isBack = false, reason: 'bye' | 'lock' | 'heartbeat' | 'hello' = 'bye'): void {
    const link = this.#tabs.get(tabId)
    if (!link) return
    this.#note(link.identity, 'tab-removed', tabId, reason)
    this.#tabs.delete(tabId)
    link.outbox.discard()
    quietly(() => link.release())
    this.#connections.get(link.identity)?.removeTab(tabId)
    this.#registry.remove(tabId)
    if (this.#registry.list(link.identity).length > 0) return
    // Outlive the last tab briefly, so reloading the only tab keeps the connection; once a newer
    // deploy's hub runs, a reloaded tab goes there: hand the connection over at once.
    if (this.#deploys?.offer && !isBack) this.#closeConnection(link.identity)
    else this.#timers.set('idle', link.identity, this.#options.idleCloseMs, () => this.#closeConnection(link.identity))
  }

  #connection(identity: string, hello: TabHello): Connection {
    const existing = this.#connections.get(identity)
    if (existing) {
      existing.topics.lingerMs = hello.lingerMs
      return existing
    }
    const isCurrent = (): boolean => this.#connections.get(identity) === connection
    const connection = new Connection({
      target: hello.target, transport: this.#transport(hello.target), clock: this.#options.clock,
      random: this.#options.random, lingerMs: hello.lingerMs, minUptimeMs: this.#options.minUptimeMs,
      joinWaitMs: this.#options.joinWaitMs, connectTimeoutMs: this.#options.connectTimeoutMs, tokenTrialMs: this.#options.tokenTrialMs,
      sendQueue: this.#options.sendQueue, maxRetryFloorMs: this.#options.maxRetryFloorMs, stored: this.#options.persist?.of(identity, this.#options.clock) ?? null,
      // A closed connection finishes closing (realtime-js: up to 10 s) after a new one of the same
      // identity may have replaced it: only the current one talks to that identity's tabs, and
      // only to tabs still of that identity.
      deliver: (tabId, delivery) => {
        const link = this.#tabs.get(tabId)
        if (isCurrent() && link?.identity === identity && link.guard.admits(delivery)) link.outbox.push(delivery)
      },
      status: (event) => { if (isCurrent()) { this.#note(identity, 'status', event); this.#eachTab(identity, (link) => quietly(() => link.sink.status(event))) } },
      askToken: (tabIds, accepts) => this.#askToken(identity, tabIds, accepts),
    }, hello.token)
    this.#connections.set(identity, connection)
    return connection
  }

  /** Asks the leader (then the others) of `tabIds` for a fresh token of the same user that `accepts` takes. */
  #askToken(identity: string, tabIds: readonly string[], accepts: (token: string | null) => boolean): Promise<TokenAnswer | null> {
    const leader = this.#registry.leaderOf(identity)
    const order = tabIds.filter((tabId) => this.#tabs.get(tabId)?.identity === identity).sort((a, b) => Number(b === leader) - Number(a === leader))
    const links = order.flatMap((tabId) => { const link = this.#tabs.get(tabId); return link ? [{ tabId, link }] : [] })
    return askTabs(links, ({ link }, token) => this.#identity(link.hello.target, token) === identity && accepts(token), this.#options.tokenTimeoutMs, this.#options.clock)
  }

  #onVisibility(identity: string, anyVisible: boolean): void {
    const connection = this.#connections.get(identity)
    if (!connection) return
    if (anyVisible) {
      this.#timers.cancel('pause', identity)
      void connection.resume()
      return
    }
    const ms = this.#registry.pauseAfterMs(identity)
    if (ms > 0) this.#timers.set('pause', identity, ms, () => void connection.pause())
    else this.#timers.cancel('pause', identity)
  }

  // A tab arriving hidden keeps a pending pause running, unless it forbids pausing (0).
  #keepPauseRule(identity: string): void {
    if (this.#registry.pauseAfterMs(identity) === 0) this.#timers.cancel('pause', identity)
  }

  #closeConnection(identity: string): void {
    this.#timers.cancel('idle', identity)
    this.#timers.cancel('pause', identity)
    const connection = this.#connections.get(identity)
    this.#connections.delete(identity)
    void connection?.close()
  }

  /** The connection key: transport, endpoint and the transport's identity of the tab's user. */
  #identity(target: ConnectionTarget, token: string | null): string {
    return JSON.stringify([target.transport, target.endpoint, this.#transport(target).identify(target, token)])
  }

  #transport(target: ConnectionTarget): Transport {
    const transport = Object.hasOwn(this.#options.transports, target.transport) ? this.#options.transports[target.transport] : undefined
    if (!transport) {
      const served = Object.keys(this.#options.transports).join(', ') || 'none'
      throw new RelayError('unsupported', `this worker serves no '${target.transport}' transport (it serves: ${served}); add it to serveHub({ transports })`)
    }
    return transport
  }

  #eachTab(identity: string, fn: (link: TabLink, tabId: string) => void): void {
    for (const [tabId, link] of this.#tabs) if (link.identity === identity) fn(link, tabId)
  }

  #link(tabId: string): TabLink {
    const link = this.#tabs.get(tabId)
    if (!link) throw new RelayError('closed', 'this tab is not registered with the worker (it restarted or timed the tab out); tabrelay re-registers by itself')
    return link
  }

  #connectionOf(tabId: string): Connection { return this.#connection(this.#link(tabId).identity, this.#link(tabId).hello) }
}
