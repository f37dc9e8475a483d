import { describe, expect, it } from 'vitest'
import { createHarness, jwt, onBroadcast, received, sub } from './harness.ts'

const t1 = jwt({ sub: 'u', exp: 1_000 })
const t2 = jwt({ sub: 'u', exp: 2_000 })
const t3 = jwt({ sub: 'u', exp: 3_000 })

describe('hub', () => {
  it('asks the leader for a token first and falls back to another tab when it does not answer in time', async () => {
    const h = createHarness({ tokenTimeoutMs: 2_000 })
    const a = h.tab('a', { token: t1, focused: true })
    const b = h.tab('b', { token: t1 })
    h.hub.join('a', sub('s1', 'room'))
    h.net.latest.open()
    a.answer = () => new Promise(() => undefined)
    b.answer = () => Promise.resolve(t3)
    h.net.latest.drop()
    // The hub's backoff (random 0.5: 250 ms) runs before it asks for the next attempt's token.
    h.clock.advance(250)
    await h.settle()
    expect([a.tokenCalls, b.tokenCalls]).toEqual([1, 0])
    h.clock.advance(1_999)
    await h.settle()
    expect(b.tokenCalls).toBe(0)
    h.clock.advance(1)
    await h.settle()
    expect(b.tokenCalls).toBe(1)
    expect(h.net.latest.auth.at(-1)).toBe(t3)
  })

  it('never goes back to an older token offered later', async () => {
    const h = createHarness()
    h.tab('a', { token: t2 })
    h.hub.join('a', sub('s1', 'room'))
    await h.settle()
    h.tab('b', { token: t1 })
    h.hub.setAuth('a', t1)
    await h.settle()
    expect(h.net.latest.auth).toEqual([t2])
  })

  it('moving a subscription id to another topic leaves the old topic', async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    h.hub.join('a', sub('s1', 'lobby', [onBroadcast()]))
    await h.net.latest.subscribe('lobby')
    h.net.latest.broadcast('room', 'msg', 'old topic')
    h.net.latest.broadcast('lobby', 'msg', 'new topic')
    await h.settle()
    expect(received(h.sink('a'))).toEqual(['new topic'])
    h.clock.advance(1_000)
    expect(h.net.liveChannels('room')).toBe(0)
  })

  it('updating a subscription in place changes what it receives without a new server channel', async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [onBroadcast('one')]))
    await h.net.latest.subscribe('room')
    h.hub.join('a', sub('s1', 'room', [onBroadcast('two')]))
    h.net.latest.broadcast('room', 'one', 1)
    h.net.latest.broadcast('room', 'two', 2)
    await h.settle()
    expect(received(h.sink('a'))).toEqual([2])
    expect(h.net.latest.channels).toHaveLength(1)
  })

  it('stats count tabs, visible tabs, open sockets and listeners per topic', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b', { visibility: 'hidden' })
    h.tab('x', { token: t1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast('a'), onBroadcast('b')]))
    h.hub.join('a', sub('s2', 'room', [onBroadcast()]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('x', sub('s1', 'room', [onBroadcast()]))
    for (const transport of h.net.transports) transport.open()
    await h.net.transports[0]?.subscribe('room')
    expect(h.hub.stats('a')).toMatchObject({
      workerId: 'worker-1', tabs: 2, visibleTabs: 1, connections: 2, identities: 2, status: 'open',
      channels: [{ topic: 'room', tabs: 2, listeners: 4, status: 'SUBSCRIBED' }],
    })
  })

  it("tells a tab moved to another user that user's connection status", async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('x', { token: t1 })
    h.hub.join('x', sub('s1', 'room'))
    const userTransport = h.net.latest
    userTransport.open()
    h.hub.setAuth('a', t2)
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
    // Tab a's anonymous connection (opened at hello) closed with the move; the user's is shared.
    expect(h.net.live()).toEqual([userTransport])
    expect(userTransport.options.token).toBe(t1)
  })
})
