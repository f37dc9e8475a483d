/**
 * The tab registry: which tabs are alive (close-signal locks, heartbeat deadlines), which are
 * visible, and which one leads each identity.
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { Heartbeat, Visibility } from '../../src/contract/protocol.ts'
import type { Tab } from './tab.ts'

/**
 * What the registry reports.
 * @example
 * const events: RegistryEvents = { gone: (tabId) => hub.bye(tabId), leader: tellTabs, visibility: pauseOrResume }
 */
export interface RegistryEvents {
  gone(tabId: string, reason: 'lock' | 'heartbeat'): void
  leader(identity: string, tabId: string | null): void
  visibility(identity: string, anyVisible: boolean): void
}

/**
 * The part of `navigator.locks` the registry uses; absent in Node and old browsers.
 * @example
 * const locks: LockRequester | null = navigator.locks ?? null
 */
export interface LockRequester {
  request(name: string, options: { signal: AbortSignal }, callback: () => void): Promise<unknown>
  query?(): Promise<{ held?: Array<{ name?: string }>; pending?: Array<{ name?: string }> }>
}

/**
 * A tab says hello before it holds its close-signal lock (taking it costs 5–35 ms in a fresh page)
 * and reports it with a heartbeat. A tab that goes away before that heartbeat (closed while
 * loading, a 40-tab open/close storm) would stay registered until its heartbeat deadline: this
 * long after hello, the registry asks whether anyone holds or waits for its lock.
 */
export const LOCK_CHECK_MS = 1_000

// Chromium throttles timers of pages hidden for 5 minutes to once a minute ("intensive
// throttling"), so a hidden tab's heartbeats may come a minute apart without it being dead.
const HIDDEN_GRACE_MS = 130_000

/** The registry's own watch over a tab: election order, heartbeat deadline, close-signal lock. */
interface TabState {
  tab: Tab
  focusSeq: number
  joinSeq: number
  cancelDeadline: () => void
  abortLock: AbortController
  isWatched: boolean
}

/**
 * The hub's tabs, each one {@link Tab} record; dead ones are reported through {@link RegistryEvents.gone}.
 * @example
 * const registry = new TabRegistry({ gone, leader, visibility }, clock, navigator.locks)
 * registry.add(tab); registry.leaderOf(tab.identity) // 'tab-1'
 */
export class TabRegistry {
  readonly #tabs = new Map<string, TabState>()
  readonly #leaders = new Map<string, string>()
  readonly #visible = new Map<string, boolean>()
  readonly #events: RegistryEvents
  readonly #clock: Clock
  readonly #locks: LockRequester | null
  #seq = 0

  constructor(events: RegistryEvents, clock: Clock, locks: LockRequester | null) {
    this.#events = events
    this.#clock = clock
    this.#locks = locks
  }

  /**
   * Registers a tab (the caller forgot an earlier registration of its id first). It counts for its
   * identity's leader and visibility from the next {@link reelect} (the hub's, once it is set up).
   */
  add(tab: Tab): void {
    this.remove(tab.tabId)
    const abortLock = new AbortController()
    const seq = ++this.#seq
    const state: TabState = { tab, focusSeq: tab.focused ? seq : 0, joinSeq: seq, cancelDeadline: () => undefined, abortLock, isWatched: false }
    this.#tabs.set(tab.tabId, state)
    this.#arm(state)
    this.#watch(state)
    this.#checkLockLater(state)
  }

  /** Elects the identity's leader and reports its visibility, when either changed. */
  reelect(identity: string): void {
    this.#update(identity)
  }

  /** Records a heartbeat: the tab is alive, maybe with a new visibility or focus. */
  beat(tabId: string, beat: Heartbeat): boolean {
    const state = this.#tabs.get(tabId)
    if (!state) return false
    if (beat.focused && !state.tab.focused) state.focusSeq = ++this.#seq
    state.tab.beat(beat, this.#clock.now())
    this.#arm(state)
    this.#watch(state)
    this.#update(state.tab.identity)
    return true
  }

  /** Moves a tab to another identity (sign-in, sign-out) and re-elects both. */
  move(tabId: string, identity: string): void {
    const tab = this.#tabs.get(tabId)?.tab
    if (!tab || tab.identity === identity) return
    const previous = tab.identity
    tab.moveTo(identity)
    this.#update(previous)
    this.#update(identity)
  }

  /** Forgets a tab; returns it, or `undefined` for unknown tabs. */
  remove(tabId: string): Tab | undefined {
    const state = this.#tabs.get(tabId)
    if (!state) return undefined
    this.#tabs.delete(tabId)
    state.cancelDeadline()
    state.abortLock.abort()
    this.#update(state.tab.identity)
    return state.tab
  }

  get(tabId: string): Tab | undefined {
    return this.#tabs.get(tabId)?.tab
  }

  /** Tabs of one identity, or all. */
  list(identity?: string): Tab[] {
    return [...this.#tabs.values()].map((s) => s.tab).filter((t) => identity === undefined || t.identity === identity)
  }

  leaderOf(identity: string): string | null {
    return this.#leaders.get(identity) ?? null
  }

  /** How long the identity may stay hidden before pausing; `0` when any tab forbids pausing. */
  pauseAfterMs(identity: string): number {
    const values = this.list(identity).map((t) => t.hello.pauseWhenHiddenMs)
    return values.length === 0 || values.includes(0) ? 0 : Math.max(...values)
  }

  /** How long the identity's topics outlive their last subscription: the longest its tabs asked for. */
  lingerMs(identity: string): number {
    return Math.max(0, ...this.list(identity).map((t) => t.hello.lingerMs))
  }

  #watch(state: TabState): void {
    const { tab } = state
    // Queued only once the tab holds it: queued earlier, the lock would be granted at once.
    if (!tab.hasLock || state.isWatched) return
    state.isWatched = true
    // The tab holds this lock for its whole life: the worker is granted it the moment the tab is
    // gone (close, crash, navigation), tens of ms later (PowerSync `tab_close_signal.ts`).
    this.#locks?.request(tab.hello.lockName, { signal: state.abortLock.signal }, () => {
      if (this.#tabs.get(tab.tabId) === state) this.#events.gone(tab.tabId, 'lock')
    }).catch(() => undefined)
  }

  #checkLockLater(state: TabState): void {
    const locks = this.#locks
    const { tab } = state
    if (tab.hasLock || !locks?.query) return
    const query = locks.query.bind(locks)
    const cancel = this.#clock.setTimeout(() => {
      if (this.#tabs.get(tab.tabId) !== state || state.isWatched) return
      void query().then((held) => {
        const names = [...(held.held ?? []), ...(held.pending ?? [])].map((lock) => lock.name)
        if (this.#tabs.get(tab.tabId) === state && !state.isWatched && !names.includes(tab.hello.lockName)) this.#events.gone(tab.tabId, 'lock')
      }, () => undefined)
    }, LOCK_CHECK_MS)
    state.abortLock.signal.addEventListener('abort', cancel)
  }

  #arm(state: TabState): void {
    const { tab } = state
    state.cancelDeadline()
    const ms = Math.max(3 * tab.hello.heartbeatIntervalMs, tab.visibility === 'visible' ? 0 : HIDDEN_GRACE_MS)
    state.cancelDeadline = this.#clock.setTimeout(() => {
      if (this.#tabs.get(tab.tabId) === state) this.#events.gone(tab.tabId, 'heartbeat')
    }, ms)
  }

  #update(identity: string): void {
    const tabs = [...this.#tabs.values()].filter((s) => s.tab.identity === identity).map((s) => ({ tabId: s.tab.tabId, visibility: s.tab.visibility, focusSeq: s.focusSeq, joinSeq: s.joinSeq }))
    const anyVisible = tabs.some((t) => t.visibility === 'visible')
    if (this.#visible.get(identity) !== anyVisible || tabs.length === 0) {
      if (tabs.length === 0) this.#visible.delete(identity)
      else this.#visible.set(identity, anyVisible)
      this.#events.visibility(identity, anyVisible)
    }
    const leader = elect(tabs, this.#leaders.get(identity))
    if (leader === (this.#leaders.get(identity) ?? null)) return
    if (leader === null) this.#leaders.delete(identity)
    else this.#leaders.set(identity, leader)
    this.#events.leader(identity, leader)
  }
}

/**
 * Leader election without flapping: the current leader keeps its role while it is visible (or
 * while no tab is); otherwise the most recently focused visible tab, else the most recently
 * focused tab at all, then the oldest.
 * @example
 * elect(tabs, 'tab-1') // 'tab-1' while tab-1 is visible
 */
export function elect(tabs: ReadonlyArray<{ tabId: string; visibility: Visibility; focusSeq: number; joinSeq: number }>, current: string | undefined): string | null {
  const visible = tabs.filter((t) => t.visibility === 'visible')
  const incumbent = tabs.find((t) => t.tabId === current)
  if (incumbent && (incumbent.visibility === 'visible' || visible.length === 0)) return incumbent.tabId
  const pool = visible.length > 0 ? visible : tabs
  const best = [...pool].sort((a, b) => b.focusSeq - a.focusSeq || a.joinSeq - b.joinSeq)[0]
  return best?.tabId ?? null
}
