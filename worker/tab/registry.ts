/**
 * The tab registry: which tabs are alive (close-signal locks, heartbeat deadlines), which are
 * visible, and which one leads each identity.
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { Heartbeat, Visibility } from '../../src/contract/protocol.ts'

/** What the registry knows of a tab. */
export interface TabInfo {
  tabId: string
  identity: string
  lockName: string
  heartbeatIntervalMs: number
  pauseWhenHiddenMs: number
  visibility: Visibility
  focused: boolean
  hasLock: boolean
  /** Hub clock of the tab's hello or last heartbeat (set by the registry). */
  lastBeatAt?: number
}

/** What the registry reports. */
export interface RegistryEvents {
  gone(tabId: string, reason: 'lock' | 'heartbeat'): void
  leader(identity: string, tabId: string | null): void
  visibility(identity: string, anyVisible: boolean): void
}

/** The part of `navigator.locks` the registry uses; absent in Node and old browsers. */
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

interface TabState extends TabInfo {
  focusSeq: number
  joinSeq: number
  cancelDeadline: () => void
  abortLock: AbortController
  isWatched: boolean
}

/** Tracks tabs; dead ones are reported through {@link RegistryEvents.gone}. */
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

  /** Registers a tab (or re-registers it after the worker restarted). */
  add(info: TabInfo): void {
    this.remove(info.tabId)
    const abortLock = new AbortController()
    const seq = ++this.#seq
    const tab: TabState = { ...info, lastBeatAt: this.#clock.now(), focusSeq: info.focused ? seq : 0, joinSeq: seq, cancelDeadline: () => undefined, abortLock, isWatched: false }
    this.#tabs.set(info.tabId, tab)
    this.#arm(tab)
    this.#watch(tab)
    this.#checkLockLater(tab)
    this.#update(info.identity)
  }

  /** Records a heartbeat: the tab is alive, maybe with a new visibility or focus. */
  beat(tabId: string, beat: Heartbeat): boolean {
    const tab = this.#tabs.get(tabId)
    if (!tab) return false
    tab.visibility = beat.visibility
    if (beat.focused && !tab.focused) tab.focusSeq = ++this.#seq
    tab.focused = beat.focused
    tab.hasLock = beat.hasLock
    tab.lastBeatAt = this.#clock.now()
    this.#arm(tab)
    this.#watch(tab)
    this.#update(tab.identity)
    return true
  }

  /** Moves a tab to another identity (sign-in, sign-out). */
  move(tabId: string, identity: string): void {
    const tab = this.#tabs.get(tabId)
    if (!tab || tab.identity === identity) return
    const previous = tab.identity
    tab.identity = identity
    this.#update(previous)
    this.#update(identity)
  }

  /** Forgets a tab; a no-op for unknown tabs. */
  remove(tabId: string): void {
    const tab = this.#tabs.get(tabId)
    if (!tab) return
    this.#tabs.delete(tabId)
    tab.cancelDeadline()
    tab.abortLock.abort()
    this.#update(tab.identity)
  }

  get(tabId: string): TabInfo | undefined {
    return this.#tabs.get(tabId)
  }

  /** Tabs of one identity, or all. */
  list(identity?: string): TabInfo[] {
    return [...this.#tabs.values()].filter((t) => identity === undefined || t.identity === identity)
  }

  leaderOf(identity: string): string | null {
    return this.#leaders.get(identity) ?? null
  }

  /** How long the identity may stay hidden before pausing; `0` when any tab forbids pausing. */
  pauseAfterMs(identity: string): number {
    const values = this.list(identity).map((t) => t.pauseWhenHiddenMs)
    return values.length === 0 || values.includes(0) ? 0 : Math.max(...values)
  }

  #watch(tab: TabState): void {
    // Queued only once the tab holds it: queued earlier, the lock would be granted at once.
    if (!tab.hasLock || tab.isWatched) return
    tab.isWatched = true
    // The tab holds this lock for its whole life: the worker is granted it the moment the tab is
    // gone (close, crash, navigation), tens of ms later (PowerSync `tab_close_signal.ts`).
    this.#locks?.request(tab.lockName, { signal: tab.abortLock.signal }, () => {
      if (this.#tabs.get(tab.tabId) === tab) this.#events.gone(tab.tabId, 'lock')
    }).catch(() => undefined)
  }

  #checkLockLater(tab: TabState): void {
    const locks = this.#locks
    if (tab.hasLock || !locks?.query) return
    const query = locks.query.bind(locks)
    const cancel = this.#clock.setTimeout(() => {
      if (this.#tabs.get(tab.tabId) !== tab || tab.isWatched) return
      void query().then((state) => {
        const names = [...(state.held ?? []), ...(state.pending ?? [])].map((lock) => lock.name)
        if (this.#tabs.get(tab.tabId) === tab && !tab.isWatched && !names.includes(tab.lockName)) this.#events.gone(tab.tabId, 'lock')
      }, () => undefined)
    }, LOCK_CHECK_MS)
    tab.abortLock.signal.addEventListener('abort', cancel)
  }

  #arm(tab: TabState): void {
    tab.cancelDeadline()
    const ms = Math.max(3 * tab.heartbeatIntervalMs, tab.visibility === 'visible' ? 0 : HIDDEN_GRACE_MS)
    tab.cancelDeadline = this.#clock.setTimeout(() => {
      if (this.#tabs.get(tab.tabId) === tab) this.#events.gone(tab.tabId, 'heartbeat')
    }, ms)
  }

  #update(identity: string): void {
    const tabs = [...this.#tabs.values()].filter((t) => t.identity === identity)
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
