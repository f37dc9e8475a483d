/**
 * The hub: one connection per user identity, the tabs that ride on them, and the rules that tie
 * them together (who leads, when to pause, who gets a status). Orchestration only.
 */
import type { ChannelSnapshot, ConnectionTarget, Heartbeat, HeartbeatAck, HubInspection, HubStats, JournalNote, Outgoing, SendOutcome, SendResult, Subscription, TabHello, Welcome, Json } from '../src/contract/protocol.ts'
import { PROTOCOL_VERSION } from '../src/contract/protocol.ts'
import { RelayError, toWire } from '../src/contract/errors.ts'
import { askTabs } from './connection/ask-token.ts'
import type { TokenAnswer } from './connection/auth.ts'
import { Connection } from './connection/connection.ts'
import { DeployWatch } from './deploys.ts'
import { Quotas } from './tab/quotas.ts'
import { Outbox, outboxCounters } from './tab/outbox.ts'
import { noDevtools, quietly, refusing, resolveHubOptions, type HubOptions, type HubSink, type ResolvedHubOptions } from './options.ts'
import { TabRegistry } from './tab/registry.ts'
import { Tab } from './tab/tab.ts'
import { listensToResync } from './topic/listeners.ts'
import { KeyedTimers } from './timers.ts'
import { statsOf } from './inspect/stats.ts'
import type { Transport } from './transports/transport.ts'

export type { HubOptions, HubSink } from './options.ts'

/**
 * Owns connections, topics and tabs of one worker; a host (`acceptTab`) serves it to each tab.
 * @example
 * const hub = new Hub({ transports: { supabase: supabaseTransport() }, locks: navigator.locks })
 * acceptTab(hub, port)
 */
export class Hub {
  readonly workerId: string
  readonly #options: ResolvedHubOptions
  readonly #connections = new Map<string, Connection>()
  /** Every tab of the hub, the one record of each (identity, liveness, sink); its subscriptions are its topics'. */
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
      leader: (identity, leader) => { this.#note(identity, 'leader', leader); this.#eachTab(identity, (tab) => quietly(() => tab.sink.leader(tab.tabId === leader))) },
      visibility: (identity, anyVisible) => { this.#note(identity, 'visibility', anyVisible); this.#onVisibility(identity, anyVisible) },
    }, this.#options.clock, options.locks ?? null)
    // A newer deploy's hub started: every tab is offered it (those arriving later get it in hello).
    this.#deploys = this.#options.deploys ? new DeployWatch(this.#options.deploys, this.workerId, (offer) => { for (const tab of this.#registry.list()) quietly(() => tab.sink.moveTo?.(offer)) }) : null
  }

  /** Registers a tab (a known tab id starts over cleanly); `release` runs once the hub forgets it. */
  hello(hello: TabHello, sink: HubSink, release: () => void = () => undefined): Welcome {
    if (hello.protocol !== PROTOCOL_VERSION) throw new RelayError('version-mismatch', `tab speaks protocol ${hello.protocol}, worker ${PROTOCOL_VERSION}; reload the page`)
    const transport = this.#transport(hello.target)
    const identity = this.#identity(hello.target, hello.token)
    this.#quotas.identity(this.#connections, identity)
    this.bye(hello.tabId, true, 'hello')
    const now = (): number => this.#options.clock.now()
    // Which of its subscriptions get a resync after an overflow: read from its current connection's topics.
    const wantsResync = listensToResync(hello.tabId, (subId) => this.#connections.get(tab.identity)?.topics.subOf(hello.tabId, subId))
    const tab: Tab = new Tab(hello, identity, sink, release, now, (send, guard) => new Outbox(send, this.#options.schedule, this.#counters,
      { ...this.#options.outbox, immediate: this.#options.immediate, now, guard, wantsResync, overflowed: () => this.#note(tab.identity, 'overflow', tab.tabId) }))
    this.#timers.cancel('idle', identity)
    const connection = this.#connection(identity, hello)
    // Reachable from here on (its status, token questions); it counts for leader and visibility
    // once the connection started and reported that to it.
    this.#registry.add(tab)
    // A refused token is reported to this tab through its channels; hello itself goes on.
    connection.enter(hello.tabId, hello.token, false).catch(() => undefined)
    connection.start()
    this.#note(identity, 'tab-added', hello.tabId, hello.visibility)
    this.#registry.reelect(identity)
    this.#keepPauseRule(identity)
    const isLeader = this.#registry.leaderOf(identity) === hello.tabId
    if (hello.loadedAt !== undefined) this.#deploys?.saw(hello.loadedAt)
    const moveTo = this.#deploys?.offer
    return { workerId: this.workerId, protocol: PROTOCOL_VERSION, status: connection.status, isLeader, transport: { ...transport.capabilities }, ...(moveTo ? { moveTo } : {}) }
  }

  join(tabId: string, sub: Subscription): ChannelSnapshot {
    const tab = this.#tab(tabId)
    const connection = this.#connection(tab.identity, tab.hello)
    // The tab's subscriptions live in its connection's topics, their one owner (topic.ts).
    const subs = connection.topics.subsOf(tabId)
    refusing(() => this.#quotas.join(this.#transport(tab.hello.target), tab.hello.target, subs, sub), this.#note, tab.identity, tabId)
    this.#note(tab.identity, 'joined', tabId, sub.topic, sub.subId)
    const previous = subs.get(sub.subId)
    if (previous && (previous.topic !== sub.topic || previous.config.private !== sub.config.private)) this.leave(tabId, sub.subId)
    return connection.join(tabId, sub)
  }

  leave(tabId: string, subId: string): void {
    const tab = this.#tab(tabId)
    const connection = this.#connections.get(tab.identity)
    const left = connection?.topics.subOf(tabId, subId)
    if (left) this.#note(tab.identity, 'left', tabId, left.topic, subId)
    connection?.leave(tabId, subId)
  }

  /** The connection a tab rides: its session sends, tracks and untracks there directly. */
  connectionOf(tabId: string): Connection {
    const tab = this.#tab(tabId)
    return this.#connection(tab.identity, tab.hello)
  }

  /**
   * A new token (and, for cookie-authenticated apps, maybe a new explicit identity): applied in
   * place for the same user, or the tab moves to the new user's connection.
   */
  setAuth(tabId: string, token: string | null, identity: string | null | undefined = undefined): Promise<void> {
    const tab = this.#tab(tabId)
    const target: ConnectionTarget = identity === undefined ? tab.hello.target : { ...tab.hello.target, identity }
    const next = this.#identity(target, token)
    this.#quotas.identity(this.#connections, next, this.#registry.list(tab.identity).length === 1 ? tab.identity : null)
    tab.reauth(target, token)
    return this.#setIdentity(tab, next, token)
  }

  /** Same user: the token is offered (and may be refused); another user: the tab moves there. */
  #setIdentity(tab: Tab, identity: string, token: string | null): Promise<void> {
    const { tabId } = tab
    if (identity === tab.identity) return this.#connections.get(identity)?.offerToken(tabId, token) ?? Promise.resolve()
    const previous = tab.identity
    // A tab that signed out (or switched user) never gets what the old identity still queued for
    // it, nor twice over the new user's socket what it did get; what the old user stored in the
    // persisted outbox is deleted, never to be sent.
    this.#options.persist?.forget(previous)
    tab.outbox.discard()
    tab.guard.moved()
    this.#note(previous, 'tab-removed', tabId, 'moved')
    // Its channels move with it: read from the old user's topics before they forget the tab.
    const subs = [...(this.#connections.get(previous)?.topics.subsOf(tabId).values() ?? [])]
    this.#connections.get(previous)?.removeTab(tabId)
    this.#timers.cancel('idle', identity)
    // The connection exists before the registry moves the tab, as in hello(): the move reports
    // the new identity's visibility, and a hidden tab's report arms the pause only then.
    const connection = this.#connection(identity, tab.hello)
    connection.start()
    this.#registry.move(tabId, identity)
    // The move re-elected both identities, but told only tabs that are still in each: the moved
    // tab learns its role in the new one here (it may have led the old one).
    quietly(() => tab.sink.leader(this.#registry.leaderOf(identity) === tabId))
    // Sign-out (or a switch of user) tears the old user's connection down at once.
    if (this.#registry.list(previous).length === 0) this.#closeConnection(previous)
    this.#keepPauseRule(identity)
    quietly(() => tab.sink.status(connection.status))
    for (const sub of subs) connection.join(tabId, sub)
    // Once its token is proven there, the tab gets each channel's status and one `resync`.
    return connection.enter(tabId, token, true)
  }

  heartbeat(tabId: string, beat: Heartbeat): HeartbeatAck {
    const known = this.#registry.beat(tabId, beat)
    const identity = this.#registry.get(tabId)?.identity
    const isLeader = identity !== undefined && this.#registry.leaderOf(identity) === tabId
    return { workerId: this.workerId, known, isLeader }
  }

  /** Retries now while reconnecting or paused. */
  async reconnect(tabId: string): Promise<void> {
    const identity = this.#tab(tabId).identity
    const wasPaused = this.connectionOf(tabId).status.status === 'paused'
    await this.connectionOf(tabId).resume()
    // The pause timer ran out already: a resume while every tab is hidden must arm it again, or
    // the socket would stay open for good (no visibility change is coming to do it).
    const anyVisible = this.#registry.list(identity).some((t) => t.visibility === 'visible')
    if (wasPaused && !anyVisible) this.#onVisibility(identity, false)
  }

  stats(tabId: string): HubStats { return statsOf(this.workerId, this.#tab(tabId).identity, tabId, this.#registry, this.#connections, this.#counters) }

  /** The hub as the tab's identity sees it, with journal entries after `since` (devtools). */
  inspect(tabId: string, since?: unknown): HubInspection {
    const tab = this.#tab(tabId)
    // A held tab (admission.ts) learns nothing of the user's connection: not its topics, not its journal.
    if (this.#connections.get(tab.identity)?.isHeld(tabId) === true) throw new RelayError('unauthorized', 'this tab is not admitted to its user\'s connection yet: the server has not accepted its token')
    return (this.#options.devtools ?? noDevtools()).inspect({ workerId: this.workerId, tab, now: this.#options.clock.now(), connection: this.#connections.get(tab.identity), registry: this.#registry }, since)
  }

  /** A tab is gone (bye, lock, heartbeats; `isBack`: a new hello of it): release what it held. */
  bye(tabId: string, isBack = false, reason: 'bye' | 'lock' | 'heartbeat' | 'hello' = 'bye'): void {
    const tab = this.#registry.get(tabId)
    if (!tab) return
    const { identity } = tab
    this.#note(identity, 'tab-removed', tabId, reason)
    // Its topics linger by the rule that still counts this tab (the last tab's reload keeps them).
    this.#connections.get(identity)?.removeTab(tabId)
    this.#registry.remove(tabId)
    tab.outbox.discard()
    quietly(() => tab.release())
    if (this.#registry.list(identity).length > 0) return
    // Outlive the last tab briefly, so reloading the only tab keeps the connection; once a newer
    // deploy's hub runs, a reloaded tab goes there: hand the connection over at once.
    if (this.#deploys?.offer && !isBack) this.#closeConnection(identity)
    else this.#timers.set('idle', identity, this.#options.idleCloseMs, () => this.#closeConnection(identity))
  }

  #connection(identity: string, hello: TabHello): Connection {
    const existing = this.#connections.get(identity)
    if (existing) return existing
    const connection = new Connection({
      target: hello.target, transport: this.#transport(hello.target), clock: this.#options.clock,
      random: this.#options.random, lingerMs: () => this.#registry.lingerMs(identity), minUptimeMs: this.#options.minUptimeMs,
      joinWaitMs: this.#options.joinWaitMs, connectTimeoutMs: this.#options.connectTimeoutMs, tokenTrialMs: this.#options.tokenTrialMs,
      sendQueue: this.#options.sendQueue, maxRetryFloorMs: this.#options.maxRetryFloorMs, stored: this.#options.persist?.of(identity, this.#options.clock) ?? null,
      // Deliveries go from its router to each tab's outbox; a closed one (connection.ts) tells no tab.
      identity, tabs: this.#registry,
      status: (event) => { this.#note(identity, 'status', event); this.#eachTab(identity, (tab) => quietly(() => tab.sink.status(event))) },
      refused: (tabId, error) => this.#note(identity, 'error', tabId, toWire(error)),
      askToken: (tabIds, accepts) => this.#askToken(identity, tabIds, accepts),
    }, hello.token)
    this.#connections.set(identity, connection)
    return connection
  }

  /** Asks the leader (then the others) of `tabIds` for a fresh token of the same user that `accepts` takes. */
  #askToken(identity: string, tabIds: readonly string[], accepts: (token: string | null) => boolean): Promise<TokenAnswer | null> {
    const leader = this.#registry.leaderOf(identity)
    const tabs = tabIds.flatMap((tabId) => { const tab = this.#registry.get(tabId); return tab?.identity === identity ? [tab] : [] })
    tabs.sort((a, b) => Number(b.tabId === leader) - Number(a.tabId === leader))
    return askTabs(tabs, (tab, token) => this.#identity(tab.hello.target, token) === identity && accepts(token), this.#options.tokenTimeoutMs, this.#options.clock)
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

  #eachTab(identity: string, fn: (tab: Tab) => void): void {
    for (const tab of this.#registry.list(identity)) fn(tab)
  }

  #tab(tabId: string): Tab {
    const tab = this.#registry.get(tabId)
    if (!tab) throw new RelayError('closed', 'this tab is not registered with the worker (it restarted or timed the tab out); tabrelay re-registers by itself')
    return tab
  }
}
