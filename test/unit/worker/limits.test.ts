/**
 * Per-tab and per-hub limits (issue 31 item 6): each is refused in the tab that went over it with a
 * typed error naming the limit, while the shared socket stays up and the other tabs keep receiving.
 * Each case failed before its limit existed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MAX_TIMER_MS, systemClock } from '../../../src/contract/clock.ts'
import type { SendResult, TabHello } from '../../../src/contract/protocol.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { createHarness, hello, jwt, onBroadcast, received, sub, type Harness } from './harness.ts'

const token = (user: string): string => jwt({ sub: user, exp: 2_000_000_000 })

async function failure(call: () => unknown): Promise<unknown> {
  return Promise.resolve().then(call).then(() => 'resolved', (error: unknown) => error)
}

/** Tabs a and b of alice on `room`, joined; b listens. */
async function room(options: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  const h = createHarness(options)
  h.tab('a', { token: token('alice') })
  h.tab('b', { token: token('alice') })
  h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
  h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  return h
}

/** The other tab still gets what the server sends, over the same attempt. */
async function stillReceives(h: Harness, n: number): Promise<void> {
  h.net.latest.broadcast('room', 'msg', n)
  await h.settle()
  expect(received(h.sink('b')).at(-1)).toBe(n)
  expect(h.net.transports).toHaveLength(1)
  expect(h.net.latest.isClosed).toBe(false)
}

afterEach(() => { vi.restoreAllMocks() })

describe('presence meta: the transport payload limit, before the socket', () => {
  it("a 4 MB track() is refused 'bad-input' with the sizes; nothing is tracked, the socket stays up, the other tab keeps receiving", async () => {
    const h = await room()
    const big = { blob: 'x'.repeat(4 * 1024 * 1024) }
    const error = await failure(() => h.hub.connectionOf('a').sends.track('a', 's1', big))
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/presence meta is 4\.0 MB; the 'supabase' transport takes at most 2\.9 MB/) })
    await h.settle()
    expect(h.net.latest.single('room').tracks).toEqual([])
    await stillReceives(h, 1)
    // A rejoin re-sends the server's presence: none was recorded, so nothing oversized goes out again.
    h.net.latest.drop()
    h.clock.advance(1_000)
    await h.settle()
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    expect(h.net.latest.single('room').tracks).toEqual([])
    // A small meta is tracked (turning presence on re-joins the topic).
    const small = h.hub.connectionOf('a').sends.track('a', 's1', { typing: true })
    await h.net.latest.subscribe('room')
    await expect(small).resolves.toBe('ok')
    expect(h.net.latest.single('room').tracks).toEqual([{ typing: true }])
  })

  it('maxMetaBytes is data of the transport: a lower one applies to the track, the welcome carries it', async () => {
    const h = createHarness()
    const limited = createHarness({ transports: { supabase: { ...h.net.transport, capabilities: { ...h.net.transport.capabilities, maxMetaBytes: 100 } } } })
    const welcome = limited.hub.hello(hello('a'), new FakeSink())
    expect(welcome.transport.maxMetaBytes).toBe(100)
    limited.hub.join('a', sub('s1', 'room'))
    await expect(failure(() => limited.hub.connectionOf('a').sends.track('a', 's1', { text: 'y'.repeat(200) }))).resolves.toMatchObject({ code: 'bad-input' })
  })
})

describe('subscriptions and topics per tab', () => {
  it('past subscriptionsPerTab or topicsPerTab a join fails bad-input in that tab; re-joins of its channels and the other tab go on', async () => {
    const h = await room({ limits: { subscriptionsPerTab: 3, topicsPerTab: 2 } })
    h.hub.join('a', sub('s2', 'room', [onBroadcast('x')]))
    h.hub.join('a', sub('s3', 'lobby'))
    await expect(failure(() => h.hub.join('a', sub('s4', 'room')))).resolves.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/subscriptionsPerTab/) })
    // The same channel again (listeners changed) is no new subscription.
    expect(h.hub.join('a', sub('s3', 'lobby', [onBroadcast('y')]))).toMatchObject({ status: 'joining' })
    h.hub.leave('a', 's2')
    await expect(failure(() => h.hub.join('a', sub('s4', 'third')))).resolves.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/topicsPerTab/) })
    // Moving a channel to another topic does not count the topic it leaves.
    expect(h.hub.join('a', sub('s3', 'third'))).toMatchObject({ status: 'joining' })
    h.hub.join('b', sub('s2', 'lobby'))
    await stillReceives(h, 2)
  })
})

describe('identities per hub', () => {
  it('a hello or a setAuth for one user too many fails bad-input; that tab keeps its user, the others are not touched', async () => {
    const h = createHarness({ limits: { identities: 2 } })
    h.tab('a', { token: token('alice') })
    h.tab('a2', { token: token('alice') })
    h.tab('b', { token: token('bob') })
    const carol = new FakeSink(token('carol'))
    await expect(failure(() => h.hub.hello(hello('c', { token: token('carol') }), carol))).resolves.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/limits\.identities/) })
    expect(h.net.transports).toHaveLength(2)
    // a2 is not alice's last tab: moving it would need a third connection.
    await expect(failure(() => h.hub.setAuth('a2', token('carol')))).resolves.toMatchObject({ code: 'bad-input' })
    h.hub.join('a2', sub('s1', 'room', [onBroadcast()]))
    const alice = h.net.transports.find((t) => t.options.token === token('alice'))
    if (!alice) throw new Error('alice has a connection')
    alice.open()
    await alice.subscribe('room')
    alice.broadcast('room', 'msg', 'still alice')
    await h.settle()
    expect(received(h.sink('a2'))).toEqual(['still alice'])
    // bob's only tab may switch user: bob's connection closes, carol's takes its place.
    await expect(h.hub.setAuth('b', token('carol')).then(() => 'moved')).resolves.toBe('moved')
    expect(h.hub.stats('b')).toMatchObject({ identities: 2 })
  })
})

describe('the send queue: a per-tab share', () => {
  it("one tab filling the queue while the topic is not joined gets bad-input past its share; another tab's send still goes 'ok'", async () => {
    const h = await room()
    h.net.latest.drop()
    const flood: Array<Promise<SendResult | unknown>> = []
    for (let n = 0; n < 1_000; n += 1) flood.push(h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'flood', payload: n }).catch((error: unknown) => error))
    const theirs = h.hub.connectionOf('b').sends.send('b', 's1', { type: 'broadcast', event: 'mine', payload: 'b' })
    h.clock.advance(1_000)
    await h.settle()
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await expect(theirs).resolves.toBe('ok')
    const results = await Promise.all(flood)
    expect(results.filter((r) => r === 'ok')).toHaveLength(500)
    expect(results.at(-1)).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/perTabCount 500/) })
    expect(h.net.latest.single('room').sends.map((s) => s.event).filter((e) => e === 'mine')).toEqual(['mine'])
  })
})

describe('timers from server data and options', () => {
  it("a server's floor (Retry-After: 2592000) is cut to maxRetryFloorMs: the next attempt comes in minutes, not a month", async () => {
    const h = await room({ maxRetryFloorMs: 60_000 })
    h.net.latest.drop({ code: 'transport', message: 'HTTP 503' }, 'retry', 2_592_000 * 1000)
    const status = h.sink('a').lastStatus
    expect((status?.retryAt ?? Infinity) - h.clock.now()).toBe(60_000)
    h.clock.advance(60_000)
    await h.settle()
    expect(h.net.transports).toHaveLength(2)
  })

  it('the system clock never hands a timer more than 2^31-1 ms (a longer one fires at once)', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const cancel = systemClock.setTimeout(() => undefined, 99_999_999_999)
    expect(spy).toHaveBeenLastCalledWith(expect.any(Function), MAX_TIMER_MS)
    cancel()
    systemClock.setTimeout(() => undefined, Number.NaN)()
    expect(spy).toHaveBeenLastCalledWith(expect.any(Function), 0)
  })

  it('hub timer options are clamped: an idleCloseMs of 1e12 keeps the connection instead of closing it at once', async () => {
    const h = createHarness({ idleCloseMs: 1e12, joinWaitMs: Number.NaN })
    h.tab('a', { token: token('alice') })
    h.net.latest.open()
    h.hub.bye('a')
    h.clock.advance(MAX_TIMER_MS - 1)
    expect(h.net.latest.isClosed).toBe(false)
    h.clock.advance(1)
    await h.settle()
    expect(h.net.latest.isClosed).toBe(true)
  })
})

describe("a tab's own timings and credentials: hello's caps, in setAuth too", () => {
  async function session(): Promise<TabSession> {
    const h = createHarness()
    const tab = new TabSession(h.hub, sinkSource(new FakeSink()).open)
    await tab.hello(hello('a', { target: { transport: 'supabase', endpoint: 'http://127.0.0.1:54321', params: { apikey: 'k' }, identity: 'alice' } }))
    return tab
  }

  it.each<[string, Partial<TabHello>]>([
    ['lingerMs past 2^31-1', { lingerMs: 1e12 }],
    ['heartbeatIntervalMs past 2^31-1', { heartbeatIntervalMs: 2 ** 31 }],
    ['an identity of 2 kB', { target: { transport: 'supabase', endpoint: 'http://x', params: {}, identity: 'i'.repeat(2048) } }],
    ['a token of 100 kB', { token: 't'.repeat(100 * 1024) }],
  ])('hello with %s fails bad-input', async (_, overrides) => {
    const h = createHarness()
    const tab = new TabSession(h.hub, sinkSource(new FakeSink()).open)
    await expect(failure(() => tab.hello(hello('a', overrides)))).resolves.toMatchObject({ code: 'bad-input' })
  })

  it('setAuth with an identity or a token over the same caps fails bad-input, as hello does', async () => {
    const tab = await session()
    await expect(failure(() => tab.setAuth(null, 'i'.repeat(2048)))).resolves.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/identity is longer than 1024/) })
    await expect(failure(() => tab.setAuth('t'.repeat(100 * 1024)))).resolves.toMatchObject({ code: 'bad-input' })
    await expect(tab.setAuth(null, 'bob').then(() => 'ok')).resolves.toBe('ok')
  })
})
