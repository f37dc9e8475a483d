import { describe, expect, it } from 'vitest'
import { createHarness, jwt, onBroadcast, received, sub, type Harness } from './harness.ts'

const error = { code: 'transport', message: 'socket closed (1006)' }

async function opened(random = 0.5): Promise<Harness> {
  const h = createHarness({ random: () => random, minUptimeMs: 10_000 })
  h.tab('a')
  h.tab('b')
  h.hub.join('a', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
  h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  return h
}

describe('reconnect', () => {
  it("every tab sees 'reconnecting' with the attempt, the error and retryAt when the transport asks for a delay", async () => {
    const h = await opened()
    const transport = h.net.latest
    h.clock.advance(1_000)
    expect(transport.drop(error)).toBe(250)
    const expected = { status: 'reconnecting', attempt: 1, error, retryAt: h.clock.now() + 250 }
    expect(h.sink('a').lastStatus).toEqual(expected)
    expect(h.sink('b').lastStatus).toEqual(expected)
    transport.open()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
  })

  it('grows the attempt while connections fail fast and resets it only after minUptimeMs', async () => {
    const h = await opened(0.999)
    const transport = h.net.latest
    transport.drop(error)
    transport.drop(error)
    transport.open()
    h.clock.advance(9_999)
    transport.drop(error)
    expect(transport.retryDelays).toEqual([499, 999, 1_998])
    expect(h.sink('a').lastStatus?.attempt).toBe(3)
    transport.open()
    h.clock.advance(10_000)
    transport.drop(error)
    expect(h.sink('a').lastStatus?.attempt).toBe(1)
    expect(transport.retryDelays.at(-1)).toBe(499)
  })

  it('asks a tab for a fresh token before the rejoin, then resyncs the rejoined channels', async () => {
    const t1 = jwt({ sub: 'u', exp: 1_000 })
    const t2 = jwt({ sub: 'u', exp: 2_000 })
    const h = createHarness()
    const a = h.tab('a', { token: t1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
    const transport = h.net.latest
    transport.open()
    await transport.subscribe('room')
    h.clock.advance(2_000)
    transport.broadcast('room', 'msg', 'before')
    const lastAt = h.clock.now()
    a.answer = () => Promise.resolve(t2)
    transport.drop(error)
    await h.settle()
    expect([...new Set(transport.auth)]).toEqual([t1, t2])
    transport.open()
    await transport.subscribe('room')
    transport.broadcast('room', 'msg', 'after')
    await h.settle()
    expect(h.net.transports).toHaveLength(1)
    expect(received(a)).toEqual(['before', 'after'])
    expect(a.deliveries('system')).toEqual([{ kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: lastAt } }])
  })

  it('reconnect() retries now through a new transport; it does nothing while open', async () => {
    const h = await opened()
    await h.hub.reconnect('a')
    expect(h.net.transports).toHaveLength(1)
    const first = h.net.latest
    first.drop(error)
    await h.hub.reconnect('b')
    await h.settle()
    expect(first.isClosed).toBe(true)
    expect(h.net.transports).toHaveLength(2)
    expect(h.sink('a').lastStatus).toMatchObject({ status: 'reconnecting', attempt: 1 })
    const second = h.net.latest
    expect(second.liveChannels('room')).toBe(1)
    first.drop(error)
    first.open()
    expect(h.sink('a').lastStatus).toMatchObject({ status: 'reconnecting' })
    second.open()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
  })

  it('two reconnects at once leave exactly one live transport', async () => {
    const h = await opened()
    h.net.latest.drop(error)
    await Promise.all([h.hub.reconnect('a'), h.hub.reconnect('b')])
    await h.settle()
    expect(h.net.live()).toHaveLength(1)
    expect(h.net.liveChannels('room')).toBe(1)
  })

  it('drops events of a replaced channel', async () => {
    const h = await opened()
    const old = h.net.latest.single('room')
    h.net.latest.drop(error)
    await h.hub.reconnect('a')
    await h.settle()
    old.handlers.broadcast('msg', 'stale')
    old.handlers.status('SUBSCRIBED')
    await h.settle()
    expect(received(h.sink('b'))).toEqual([])
    expect(h.hub.join('b', sub('s2', 'room'))).toMatchObject({ status: 'joining' })
  })
})
