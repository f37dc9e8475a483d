import { describe, expect, it } from 'vitest'
import type { Heartbeat } from '../../../src/contract/protocol.ts'
import { elect } from '../../../worker/tab/registry.ts'
import { createHarness, jwt, onBroadcast, sub, type Harness } from './harness.ts'

const visible: Heartbeat = { visibility: 'visible', focused: false, hasLock: true }
const focused: Heartbeat = { visibility: 'visible', focused: true, hasLock: true }
const hidden: Heartbeat = { visibility: 'hidden', focused: false, hasLock: true }

function leaders(h: Harness): string[] {
  return [...h.sinks].filter(([tabId]) => h.hub.heartbeat(tabId, current(h, tabId)).isLeader).map(([tabId]) => tabId)
}

// Reads the tab's state back without changing it: a heartbeat repeating what it last said.
const states = new WeakMap<Harness, Map<string, Heartbeat>>()
function beat(h: Harness, tabId: string, state: Heartbeat): void {
  const map = states.get(h) ?? new Map<string, Heartbeat>()
  states.set(h, map)
  map.set(tabId, state)
  h.hub.heartbeat(tabId, state)
}
function current(h: Harness, tabId: string): Heartbeat {
  return states.get(h)?.get(tabId) ?? visible
}

describe('dead tabs', () => {
  it('a granted close-signal lock removes the tab at once: subscriptions released, presence untracked', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()], { presence: { enabled: true } }))
    h.hub.join('b', sub('s1', 'lobby', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    await h.hub.connectionOf('a').sends.track('a', 's1', { online: true })
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(1)
    expect(h.locks.grant('tabrelay-tab-a')).toBe(1)
    await h.settle()
    expect(h.net.latest.single('room').untracks).toBe(1)
    expect(h.hub.heartbeat('a', visible).known).toBe(false)
    expect(h.hub.stats('b').tabs).toBe(1)
    h.clock.advance(1_000)
    await h.settle()
    expect(h.net.liveChannels('room')).toBe(0)
    expect(h.net.liveChannels('lobby')).toBe(1)
  })

  it('queues on a tab lock only once the tab says it holds it (queued earlier, it would be granted at once)', () => {
    const h = createHarness()
    h.tab('a', { hasLock: false })
    h.tab('b')
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(0)
    h.hub.heartbeat('a', { ...visible, hasLock: false })
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(0)
    h.hub.heartbeat('a', visible)
    h.hub.heartbeat('a', visible)
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(1)
    expect(h.locks.grant('tabrelay-tab-a')).toBe(1)
    expect(h.hub.stats('b').tabs).toBe(1)
  })

  it('a tab that says bye gives its lock request up; a late grant does nothing', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.bye('a')
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(0)
    h.tab('a')
    expect(h.locks.waiting('tabrelay-tab-a')).toBe(1)
    expect(h.hub.stats('b').tabs).toBe(2)
  })

  it('a visible tab missing heartbeats for 3 intervals is removed; each heartbeat re-arms the deadline', () => {
    const h = createHarness()
    h.tab('a', { heartbeatIntervalMs: 1_000 })
    h.tab('b', { heartbeatIntervalMs: 1_000 })
    h.clock.advance(2_000)
    h.hub.heartbeat('b', visible)
    h.clock.advance(999)
    expect(h.hub.stats('b').tabs).toBe(2)
    h.clock.advance(1)
    expect(h.hub.stats('b').tabs).toBe(1)
    expect(h.hub.heartbeat('a', visible).known).toBe(false)
    h.clock.advance(1_999)
    expect(h.hub.heartbeat('b', visible).known).toBe(true)
  })

  it('a hidden tab gets the long grace (timers of hidden pages are throttled)', () => {
    const h = createHarness()
    h.tab('a', { heartbeatIntervalMs: 1_000 })
    h.tab('b', { heartbeatIntervalMs: 1_000, visibility: 'hidden' })
    h.clock.advance(2_000)
    h.hub.heartbeat('a', visible)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(60_000)
    expect(h.hub.heartbeat('a', visible).known).toBe(false)
    expect(h.hub.stats('b').tabs).toBe(1)
    h.clock.advance(70_000)
    expect(() => h.hub.stats('b')).toThrow(expect.objectContaining({ code: 'closed' }))
  })
})

describe('leader election', () => {
  it('elect: the incumbent keeps the role while visible; else the most recently focused visible tab', () => {
    const tabs = [
      { tabId: 'a', visibility: 'visible' as const, focusSeq: 1, joinSeq: 1 },
      { tabId: 'b', visibility: 'visible' as const, focusSeq: 5, joinSeq: 2 },
      { tabId: 'c', visibility: 'hidden' as const, focusSeq: 9, joinSeq: 3 },
    ]
    expect(elect(tabs, 'a')).toBe('a')
    expect(elect(tabs, 'c')).toBe('b')
    expect(elect(tabs, undefined)).toBe('b')
    expect(elect(tabs.map((t) => ({ ...t, visibility: 'hidden' as const })), 'a')).toBe('a')
    expect(elect(tabs.map((t) => ({ ...t, visibility: 'hidden' as const })), undefined)).toBe('c')
    expect(elect([], 'a')).toBeNull()
  })

  it('is stable: focusing another visible tab does not steal it; hiding the leader hands it on', () => {
    const h = createHarness()
    h.tab('a', { focused: true })
    h.tab('b')
    h.tab('c')
    expect(leaders(h)).toEqual(['a'])
    beat(h, 'a', visible)
    beat(h, 'c', focused)
    beat(h, 'c', visible)
    beat(h, 'b', focused)
    expect(leaders(h)).toEqual(['a'])
    beat(h, 'b', visible)
    beat(h, 'a', hidden)
    expect(leaders(h)).toEqual(['b'])
    beat(h, 'c', focused)
    expect(leaders(h)).toEqual(['b'])
    expect(h.sink('a').leaders).toEqual([true, false])
    // Told on change only (the welcome carries the initial flag).
    expect(h.sink('b').leaders).toEqual([true])
    expect(h.sink('c').leaders).toEqual([false])
  })

  it('a leader that dies hands the role on; exactly one leader per user', async () => {
    const h = createHarness()
    h.tab('a', { focused: true })
    h.tab('b')
    h.tab('x', { token: jwt({ sub: 'user-x' }) })
    expect(leaders(h).sort()).toEqual(['a', 'x'])
    h.locks.grant('tabrelay-tab-a')
    await h.settle()
    expect(h.sink('b').isLeader).toBe(true)
    expect(h.hub.heartbeat('b', visible).isLeader).toBe(true)
    expect(h.hub.heartbeat('x', visible).isLeader).toBe(true)
  })
})
