import { describe, expect, it } from 'vitest'
import type { Heartbeat } from '../../../src/contract/protocol.ts'
import { createHarness, jwt, onBroadcast, sub, type Harness } from './harness.ts'

const visible: Heartbeat = { visibility: 'visible', focused: false, hasLock: true }
const hidden: Heartbeat = { visibility: 'hidden', focused: false, hasLock: true }
const t1 = jwt({ sub: 'u', exp: 1_000 })
const t2 = jwt({ sub: 'u', exp: 2_000 })

async function subscribed(): Promise<Harness> {
  const h = createHarness()
  h.tab('a', { token: t1 })
  h.tab('b', { token: t1 })
  h.hub.join('a', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
  h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  return h
}

describe('pause while hidden', () => {
  it("closes the transport after pauseWhenHiddenMs with every tab hidden and tells each tab 'paused'", async () => {
    const h = await subscribed()
    const first = h.net.latest
    h.hub.heartbeat('a', hidden)
    h.clock.advance(30_000)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(59_999)
    await h.settle()
    expect(first.isClosed).toBe(false)
    h.clock.advance(1)
    await h.settle()
    expect(first.isClosed).toBe(true)
    expect(h.sink('a').lastStatus).toEqual({ status: 'paused' })
    expect(h.sink('b').lastStatus).toEqual({ status: 'paused' })
    expect(h.hub.stats('a')).toMatchObject({ connections: 0, status: 'paused', visibleTabs: 0 })
  })

  it('resumes on visible: token from a tab first, new transport, channels re-opened, resync with since', async () => {
    const h = await subscribed()
    const first = h.net.latest
    h.clock.advance(4_000)
    first.broadcast('room', 'msg', 'last before pause')
    const lastEventAt = h.clock.now()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(60_000)
    await h.settle()
    h.sink('a').answer = () => Promise.resolve(t2)
    h.sink('b').answer = () => Promise.resolve(t2)
    h.hub.heartbeat('b', visible)
    await h.settle()
    const second = h.net.latest
    expect(h.net.transports).toHaveLength(2)
    expect(h.sink('a').tokenCalls + h.sink('b').tokenCalls).toBe(1)
    // The join waits for the fresh token (realtime-js joins with whatever token it has).
    expect(second.calls.slice(0, 2)).toEqual([`open ${t2}`, 'channel room'])
    expect(second.auth.every((token) => token === t2)).toBe(true)
    expect(h.sink('a').lastStatus).toEqual({ status: 'connecting' })
    second.open()
    expect(h.sink('b').lastStatus).toEqual({ status: 'open' })
    await second.subscribe('room')
    await h.settle()
    const resync = h.sink('a').deliveries('system').filter((d) => d.event === 'resync')
    expect(resync).toEqual([{ kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: lastEventAt, reason: 'not-replayable' } }])
    expect(h.sink('b').deliveries('system')).toEqual([])
  })

  it('never pauses while one tab is visible or a tab asked for pauseWhenHiddenMs: 0', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.clock.advance(600_000)
    h.tab('c', { token: t1, pauseWhenHiddenMs: 0, visibility: 'hidden' })
    h.hub.heartbeat('b', hidden)
    h.clock.advance(600_000)
    await h.settle()
    expect(h.net.transports).toHaveLength(1)
    expect(h.net.latest.isClosed).toBe(false)
  })

  it('still pauses when a hidden tab says hello during the pause window', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(30_000)
    h.tab('c', { token: t1, visibility: 'hidden' })
    h.clock.advance(60_000)
    await h.settle()
    expect(h.net.latest.isClosed).toBe(true)
    expect(h.sink('c').lastStatus).toEqual({ status: 'paused' })
  })

  it('a hidden tab arriving with pauseWhenHiddenMs: 0 cancels the pending pause', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(30_000)
    h.tab('c', { token: t1, visibility: 'hidden', pauseWhenHiddenMs: 0 })
    h.clock.advance(60_000)
    await h.settle()
    expect(h.net.latest.isClosed).toBe(false)
  })

  it('a tab turning visible while the pause is closing the socket resumes it', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(60_000)
    h.hub.heartbeat('a', visible)
    await h.settle()
    expect(h.net.transports).toHaveLength(2)
    expect(h.net.live()).toHaveLength(1)
    expect(h.sink('a').statuses.slice(-2)).toEqual([{ status: 'paused' }, { status: 'connecting' }])
  })

  it('a reconnect() asked for while every tab is hidden pauses again after pauseWhenHiddenMs', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(60_000)
    await h.settle()
    expect(h.sink('a').lastStatus).toEqual({ status: 'paused' })
    // e.g. an app calling reconnect() on the window's 'online' event, which hidden tabs get too.
    await h.hub.reconnect('a')
    h.net.latest.open()
    await h.settle()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
    h.clock.advance(60_000)
    await h.settle()
    expect(h.sink('a').lastStatus).toEqual({ status: 'paused' })
    expect(h.net.live()).toHaveLength(0)
  })

  it('a subscription made while paused is joined on resume', async () => {
    const h = await subscribed()
    h.hub.heartbeat('a', hidden)
    h.hub.heartbeat('b', hidden)
    h.clock.advance(60_000)
    await h.settle()
    expect(h.hub.join('a', sub('s2', 'lobby'))).toEqual({ status: 'joining', presence: {} })
    h.hub.heartbeat('a', visible)
    await h.settle()
    expect(h.net.latest.live().map((c) => c.spec.topic).sort()).toEqual(['lobby', 'room'])
  })
})

describe('idle close', () => {
  it('closes the connection idleCloseMs after the last tab went', async () => {
    const h = createHarness({ idleCloseMs: 5_000 })
    h.tab('a')
    h.hub.join('a', sub('s1', 'room'))
    await h.net.latest.subscribe('room')
    h.hub.bye('a')
    h.clock.advance(4_999)
    await h.settle()
    expect(h.net.latest.isClosed).toBe(false)
    h.clock.advance(1)
    await h.settle()
    expect(h.net.latest.isClosed).toBe(true)
  })

  it('keeps the same transport and channel when the tab comes back within it (reload)', async () => {
    const h = createHarness({ idleCloseMs: 5_000 })
    h.tab('a')
    h.hub.join('a', sub('s1', 'room'))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    h.hub.bye('a')
    h.clock.advance(300)
    h.tab('a2')
    expect(h.hub.join('a2', sub('s1', 'room'))).toEqual({ status: 'SUBSCRIBED', presence: {} })
    h.clock.advance(60_000)
    await h.settle()
    expect(h.net.transports).toHaveLength(1)
    expect(h.net.latest.isClosed).toBe(false)
    expect(h.net.latest.channels).toHaveLength(1)
    expect(h.net.liveChannels('room')).toBe(1)
  })
})
