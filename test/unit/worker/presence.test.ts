import { describe, expect, it } from 'vitest'
import { effectiveMeta, sameMeta, withoutTab, withTrack, type TabTrack } from '../../../worker/topic/tracks.ts'
import { createHarness, onBroadcast, sub, type Harness } from './harness.ts'

describe('presence merge (pure)', () => {
  const a: TabTrack = { tabId: 'a', meta: { who: 'a' }, seq: 1 }
  const b: TabTrack = { tabId: 'b', meta: { who: 'b' }, seq: 2 }

  it('the newest track wins; a tab re-tracking replaces its own entry', () => {
    expect(effectiveMeta([])).toBeNull()
    expect(effectiveMeta(withTrack([a], b))).toEqual({ who: 'b' })
    const again = withTrack(withTrack([a], b), { tabId: 'a', meta: { who: 'a2' }, seq: 3 })
    expect(again.map((t) => t.tabId)).toEqual(['b', 'a'])
    expect(effectiveMeta(again)).toEqual({ who: 'a2' })
  })

  it("untracking the newest restores the previous tab's meta, untracking all gives null", () => {
    const both = withTrack([a], b)
    expect(effectiveMeta(withoutTab(both, 'b'))).toEqual({ who: 'a' })
    expect(effectiveMeta(withoutTab(withoutTab(both, 'b'), 'a'))).toBeNull()
    expect(withoutTab(both, 'zzz')).toEqual(both)
  })

  it('compares metas by value', () => {
    expect(sameMeta({ x: [1, { y: 'z' }] }, { x: [1, { y: 'z' }] })).toBe(true)
    expect(sameMeta({ x: 1 }, { x: 2 })).toBe(false)
    expect(sameMeta(null, null)).toBe(true)
    expect(sameMeta({}, null)).toBe(false)
  })
})

async function twoTabs(): Promise<Harness> {
  const h = createHarness()
  h.tab('a')
  h.tab('b')
  h.hub.join('a', sub('s1', 'room', [{ type: 'presence', event: 'sync' }], { presence: { key: 'user-1' } }))
  h.hub.join('b', sub('s1', 'room', [{ type: 'presence', event: 'sync' }]))
  await h.net.latest.subscribe('room')
  return h
}

describe('presence through the hub', () => {
  it("merges tabs' tracks into one presence: last writer wins, untrack restores, last leave untracks", async () => {
    const h = await twoTabs()
    const channel = h.net.latest.single('room')
    expect(channel.spec.presenceKey).toBe('user-1')
    await expect(h.hub.connectionOf('a').sends.track('a', 's1', { tab: 'a' })).resolves.toBe('ok')
    await expect(h.hub.connectionOf('b').sends.track('b', 's1', { tab: 'b' })).resolves.toBe('ok')
    expect(channel.tracks).toEqual([{ tab: 'a' }, { tab: 'b' }])
    await expect(h.hub.connectionOf('b').sends.untrack('b', 's1')).resolves.toBe('ok')
    expect(channel.tracks).toEqual([{ tab: 'a' }, { tab: 'b' }, { tab: 'a' }])
    expect(channel.untracks).toBe(0)
    h.hub.leave('a', 's1')
    await h.settle()
    expect(channel.untracks).toBe(1)
    expect(channel.tracks).toHaveLength(3)
  })

  it('an identical re-track costs no server call', async () => {
    const h = await twoTabs()
    const channel = h.net.latest.single('room')
    await h.hub.connectionOf('a').sends.track('a', 's1', { typing: false })
    await expect(h.hub.connectionOf('a').sends.track('a', 's1', { typing: false })).resolves.toBe('ok')
    await expect(h.hub.connectionOf('b').sends.track('b', 's1', { typing: false })).resolves.toBe('ok')
    expect(channel.tracks).toEqual([{ typing: false }])
  })

  it("a tab going away restores the other tab's meta, and the last one going untracks", async () => {
    const h = await twoTabs()
    const channel = h.net.latest.single('room')
    await h.hub.connectionOf('a').sends.track('a', 's1', { tab: 'a' })
    await h.hub.connectionOf('b').sends.track('b', 's1', { tab: 'b' })
    h.hub.bye('b')
    await h.settle()
    expect(channel.tracks.at(-1)).toEqual({ tab: 'a' })
    h.hub.bye('a')
    await h.settle()
    expect(channel.untracks).toBe(1)
  })

  it('a track before SUBSCRIBED is applied once, when subscribed', async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [{ type: 'presence', event: 'sync' }]))
    const result = h.hub.connectionOf('a').sends.track('a', 's1', { online: true })
    await h.settle()
    const channel = h.net.latest.single('room')
    expect(channel.tracks).toEqual([])
    await h.net.latest.subscribe('room')
    await expect(result).resolves.toBe('ok')
    expect(channel.tracks).toEqual([{ online: true }])
  })

  it('a track on a channel without presence enables it (rejoin) and tracks once', async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    expect(h.net.latest.single('room').spec.hasPresence).toBe(false)
    const result = h.hub.connectionOf('a').sends.track('a', 's1', { online: true })
    await h.net.latest.subscribe('room')
    await expect(result).resolves.toBe('ok')
    const channel = h.net.latest.single('room')
    expect(channel.spec.hasPresence).toBe(true)
    expect(h.net.latest.channels).toHaveLength(2)
    expect(channel.tracks).toEqual([{ online: true }])
  })

  it('re-tracks once on the next attempt after a drop', async () => {
    const h = await twoTabs()
    const channel = h.net.latest.single('room')
    await h.hub.connectionOf('a').sends.track('a', 's1', { tab: 'a' })
    h.net.latest.open()
    h.net.latest.drop()
    h.clock.advance(1_000)
    await h.settle()
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    expect(channel.tracks).toEqual([{ tab: 'a' }])
    expect(h.net.latest.single('room').tracks).toEqual([{ tab: 'a' }])
  })

  it('re-tracks on the new channel after a reconnect through a new transport', async () => {
    const h = await twoTabs()
    await h.hub.connectionOf('b').sends.track('b', 's1', { tab: 'b' })
    const first = h.net.latest
    first.open()
    first.drop()
    await h.hub.reconnect('a')
    await h.settle()
    expect(first.isClosed).toBe(true)
    expect(h.net.transports).toHaveLength(2)
    await h.net.latest.subscribe('room')
    expect(h.net.latest.single('room').tracks).toEqual([{ tab: 'b' }])
  })

  it('untracks a tab that leaves its last subscription on the topic, not one that keeps another', async () => {
    const h = await twoTabs()
    const channel = h.net.latest.single('room')
    h.hub.join('a', sub('s2', 'room', [onBroadcast()]))
    await h.hub.connectionOf('a').sends.track('a', 's1', { tab: 'a' })
    h.hub.leave('a', 's1')
    await h.settle()
    expect(channel.untracks).toBe(0)
    h.hub.leave('a', 's2')
    await h.settle()
    expect(channel.untracks).toBe(1)
  })
})
