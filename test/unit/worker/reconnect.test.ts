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

// Runs the hub's pending retry: its timer, then the token round trip and the next attempt.
async function retry(h: Harness, ms: number): Promise<void> {
  h.clock.advance(ms)
  await h.settle()
}

describe('reconnect: the hub owns retry for every transport', () => {
  it("every tab sees 'reconnecting' with the attempt, the error and retryAt; the next attempt opens after that delay", async () => {
    const h = await opened()
    h.clock.advance(1_000)
    h.net.latest.drop(error)
    const expected = { status: 'reconnecting', attempt: 1, error, retryAt: h.clock.now() + 250 }
    expect(h.sink('a').lastStatus).toEqual(expected)
    expect(h.sink('b').lastStatus).toEqual(expected)
    await retry(h, 249)
    expect(h.net.transports).toHaveLength(1)
    await retry(h, 1)
    expect(h.net.transports).toHaveLength(2)
    h.net.latest.open()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
  })

  it('grows the delay while attempts fail fast and resets the count only after minUptimeMs', async () => {
    const h = await opened(0.999)
    const delays: number[] = []
    const drop = async (): Promise<void> => {
      h.net.latest.drop(error)
      const retryAt = h.sink('a').lastStatus?.retryAt ?? 0
      delays.push(retryAt - h.clock.now())
      await retry(h, retryAt - h.clock.now())
    }
    await drop()
    await drop()
    h.net.latest.open()
    h.clock.advance(9_999)
    await drop()
    expect(delays).toEqual([499, 999, 1_998])
    expect(h.sink('a').lastStatus?.attempt).toBe(3)
    h.net.latest.open()
    h.clock.advance(10_000)
    await drop()
    expect(h.sink('a').lastStatus).toMatchObject({ status: 'reconnecting', attempt: 1 })
    expect(delays.at(-1)).toBe(499)
  })

  it("a server's own floor (SSE retry:) holds the next attempt back beyond the backoff", async () => {
    const h = await opened(0.5)
    h.net.latest.drop(error, 'retry', 3_000)
    expect(h.sink('a').lastStatus).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: h.clock.now() + 3_000 })
    await retry(h, 2_999)
    expect(h.net.transports).toHaveLength(1)
    await retry(h, 1)
    expect(h.net.transports).toHaveLength(2)
  })

  it("a fatal close stops retrying with the reason until reconnect(); a connect that never opens is retried after connectTimeoutMs", async () => {
    const h = await opened(0.5)
    const fatal = { code: 'unauthorized', message: 'closed 4403: forbidden' }
    h.net.latest.drop(fatal, 'fatal')
    expect(h.sink('a').lastStatus).toEqual({ status: 'closed', error: fatal })
    await retry(h, 60_000)
    expect(h.net.transports).toHaveLength(1)
    // The app's Retry after a fatal close (it fixed the cause) starts over, channels rejoined.
    await h.hub.reconnect('a')
    expect(h.net.transports).toHaveLength(2)
    expect(h.sink('a').lastStatus).toEqual({ status: 'connecting' })
    h.net.latest.open()
    await h.settle()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
    expect(h.net.latest.liveChannels('room')).toBe(1)

    const slow = createHarness({ connectTimeoutMs: 4_000, random: () => 0.5 })
    slow.tab('a')
    slow.hub.join('a', sub('s1', 'room'))
    await retry(slow, 3_999)
    expect(slow.sink('a').lastStatus).toEqual({ status: 'connecting' })
    await retry(slow, 1)
    expect(slow.net.transports[0]?.isClosed).toBe(true)
    expect(slow.sink('a').lastStatus).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'transport' } })
    await retry(slow, 250)
    expect(slow.net.live()).toHaveLength(1)
    expect(slow.net.latest.liveChannels('room')).toBe(1)
  })

  it('asks a tab for a fresh token before the next attempt, which rejoins and resyncs', async () => {
    const t1 = jwt({ sub: 'u', exp: 1_000 })
    const t2 = jwt({ sub: 'u', exp: 2_000 })
    const h = createHarness({ random: () => 0.5 })
    const a = h.tab('a', { token: t1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast(), { type: 'system', event: 'resync' }]))
    const first = h.net.latest
    first.open()
    await first.subscribe('room')
    h.clock.advance(2_000)
    first.broadcast('room', 'msg', 'before')
    const lastAt = h.clock.now()
    a.answer = () => Promise.resolve(t2)
    first.drop(error)
    await retry(h, 250)
    const second = h.net.latest
    expect(second).not.toBe(first)
    expect(second.auth).toEqual([t2])
    second.open()
    await second.subscribe('room')
    second.broadcast('room', 'msg', 'after')
    await h.settle()
    expect(received(a)).toEqual(['before', 'after'])
    expect(a.deliveries('system')).toEqual([{ kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: lastAt, reason: 'not-replayable' } }])
  })

  it('a rejoin the transport reports continuous (the server resumed the stream and replayed it) sends no resync; the next plain rejoin does', async () => {
    const h = await opened()
    const a = h.sink('a')
    h.net.latest.drop(error)
    await retry(h, 250)
    h.net.latest.open()
    await h.settle()
    for (const channel of h.net.latest.live('room')) channel.handlers.status('SUBSCRIBED', undefined, { isContinuous: true })
    h.net.latest.broadcast('room', 'msg', 'replayed')
    await h.settle()
    expect(received(a)).toEqual(['replayed'])
    expect(a.deliveries('system')).toEqual([])
    h.net.latest.drop(error)
    await retry(h, (a.lastStatus?.retryAt ?? 0) - h.clock.now())
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await h.settle()
    expect(a.deliveries('system')).toEqual([{ kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: expect.any(Number), reason: 'not-replayable' } }])
  })

  it('reconnect() retries now instead of waiting for the backoff; it does nothing while open', async () => {
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
    second.open()
    expect(h.sink('a').lastStatus).toEqual({ status: 'open' })
    // The pending backoff timer was replaced by the manual retry: no third attempt comes.
    await retry(h, 60_000)
    expect(h.net.transports).toHaveLength(2)
  })

  it('two reconnects at once leave exactly one live attempt', async () => {
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
