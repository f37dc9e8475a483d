import { describe, expect, it } from 'vitest'
import type { Json, Outgoing, Subscription } from '../../../src/contract/protocol.ts'
import { SUPABASE_TOPIC_BYTES as MAX_TOPIC_BYTES } from '../../../worker/transports/supabase/index.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { createHarness, hello, onBroadcast, received, sub, type Harness } from './harness.ts'

// Bad input arrives as untyped data from the port; the casts stand for that.
const asSub = (value: unknown): Subscription => value as Subscription
const asOutgoing = (value: unknown): Outgoing => value as Outgoing
const asMeta = (value: unknown): { [key: string]: Json } => value as { [key: string]: Json }

async function sessions(): Promise<{ h: Harness; bad: TabSession; good: TabSession; goodSink: FakeSink }> {
  const h = createHarness()
  const goodSink = new FakeSink()
  const bad = new TabSession(h.hub, sinkSource(new FakeSink()).open)
  const good = new TabSession(h.hub, sinkSource(goodSink).open)
  await bad.hello(hello('bad'))
  await good.hello(hello('good'))
  await bad.join(sub('s1', 'room', [onBroadcast()]))
  await good.join(sub('s1', 'room', [onBroadcast()]))
  await h.net.latest.subscribe('room')
  return { h, bad, good, goodSink }
}

async function expectCode(call: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await call.then(() => 'resolved', (e: unknown) => e)
  expect(error).toBeInstanceOf(RelayError)
  expect(error).toMatchObject({ code })
}

// The other tab is served normally: its broadcast reaches the bad tab's peers and back.
async function stillServes(h: Harness, good: TabSession, goodSink: FakeSink, n: number): Promise<void> {
  h.net.latest.broadcast('room', 'msg', n)
  await expect(good.send('s1', { type: 'broadcast', event: 'msg', payload: n })).resolves.toBe('ok')
  await good.join(sub(`extra-${n}`, `topic-${n}`))
  await h.settle()
  expect(received(goodSink).at(-1)).toBe(n)
  expect(h.net.latest.isClosed).toBe(false)
}

describe('TabSession: bad input fails in that tab only', () => {
  const cases: Array<[string, (bad: TabSession) => Promise<unknown>]> = [
    ['unknown listener type', (bad) => bad.join(asSub({ subId: 's2', topic: 'room', config: {}, bindings: [{ type: 'typing', event: 'x' }] }))],
    ['non-string broadcast event', (bad) => bad.join(asSub({ subId: 's2', topic: 'room', config: {}, bindings: [{ type: 'broadcast', event: 42 }] }))],
    ['bad presence event', (bad) => bad.join(asSub({ subId: 's2', topic: 'room', config: {}, bindings: [{ type: 'presence', event: 'all' }] }))],
    ['topic too long', (bad) => bad.join(sub('s2', 'x'.repeat(MAX_TOPIC_BYTES + 1)))],
    ['topic too long in UTF-8 bytes', (bad) => bad.join(sub('s2', 'é'.repeat(Math.floor(MAX_TOPIC_BYTES / 2) + 1)))],
    ['config of the wrong type', (bad) => bad.join(asSub({ subId: 's2', topic: 'room', config: { private: 'yes' }, bindings: [] }))],
    ['payload with a function', (bad) => bad.send('s1', asOutgoing({ type: 'broadcast', event: 'msg', payload: { f: () => 1 } }))],
    ['payload with a Date', (bad) => bad.send('s1', asOutgoing({ type: 'broadcast', event: 'msg', payload: { at: new Date() } }))],
    ['payload with NaN', (bad) => bad.send('s1', asOutgoing({ type: 'broadcast', event: 'msg', payload: Number.NaN }))],
    ['send of a type other than broadcast', (bad) => bad.send('s1', asOutgoing({ type: 'presence', event: 'track' }))],
    ['non-string event', (bad) => bad.send('s1', asOutgoing({ type: 'broadcast', event: 7 }))],
    ['send on an unknown channel', (bad) => bad.send('nope', { type: 'broadcast', event: 'msg' })],
    ['track with a class instance', (bad) => bad.track('s1', asMeta({ at: new Map() }))],
    ['heartbeat of the wrong shape', (bad) => bad.heartbeat({ visibility: 'gone', focused: true } as unknown as { visibility: 'visible'; focused: boolean; hasLock: boolean })],
    ['setAuth with a number', (bad) => bad.setAuth(5 as unknown as string)],
    ['hello for another tab on the same port', (bad) => bad.hello(hello('good'))],
    ['setAuth with an empty identity', (bad) => bad.setAuth(null, '')],
  ]

  it.each(cases)("%s → RelayError 'bad-input'; the hub serves the other tab", async (_name, call) => {
    const { h, bad, good, goodSink } = await sessions()
    await expectCode(call(bad), 'bad-input')
    await stillServes(h, good, goodSink, 1)
  })

  it("an accepted topic of exactly MAX_TOPIC_BYTES joins", async () => {
    const { bad } = await sessions()
    await expect(bad.join(sub('s2', 'x'.repeat(MAX_TOPIC_BYTES)))).resolves.toMatchObject({ status: 'joining' })
  })

  it('an event name of 255 bytes is accepted: it has its own length byte, unlike the topic', async () => {
    const { h, bad } = await sessions()
    await bad.join(sub('s3', 'room'))
    const sent = bad.send('s3', { type: 'broadcast', event: 'e'.repeat(255), payload: {} })
    await h.net.latest.subscribe('room')
    await expect(sent).resolves.toBe('ok')
    await expectCode(bad.send('s3', { type: 'broadcast', event: 'e'.repeat(256), payload: {} }), 'bad-input')
  })

  it("calls before hello → 'closed'; a heartbeat before hello says known: false", async () => {
    const { h, good, goodSink } = await sessions()
    const fresh = new TabSession(h.hub, sinkSource(new FakeSink()).open)
    await expectCode(fresh.join(sub('s1', 'room')), 'closed')
    await expectCode(fresh.send('s1', { type: 'broadcast', event: 'msg' }), 'closed')
    await expectCode(fresh.track('s1', {}), 'closed')
    await expectCode(fresh.stats(), 'closed')
    await expect(fresh.heartbeat({ visibility: 'visible', focused: true, hasLock: true })).resolves.toEqual({ workerId: 'worker-1', known: false, isLeader: false })
    await expect(fresh.bye()).resolves.toBeUndefined()
    await stillServes(h, good, goodSink, 2)
  })

  it("a tab of another protocol version → 'version-mismatch'", async () => {
    const { h, good, goodSink } = await sessions()
    await expectCode(new TabSession(h.hub, sinkSource(new FakeSink()).open).hello(hello('old', { protocol: 999 })), 'version-mismatch')
    await expectCode(new TabSession(h.hub, sinkSource(new FakeSink()).open).hello(hello('', {})), 'bad-input')
    await expectCode(new TabSession(h.hub, sinkSource(new FakeSink()).open).hello(hello('sse', { target: { transport: 'sse', endpoint: 'x', params: {}, identity: null } })), 'unsupported')
    await stillServes(h, good, goodSink, 3)
  })

  it('a tab whose sink throws at every call, or never answers, cannot stop the fan-out to the others', async () => {
    const { h, good, goodSink } = await sessions()
    // A released Comlink remote throws at once; a frozen page's never settles.
    const throwing = { deliver: () => { throw new Error('released') }, status: () => { throw new Error('released') }, leader: () => { throw new Error('released') }, token: () => { throw new Error('released') } }
    const silent = { deliver: () => new Promise(() => {}), status: () => new Promise(() => {}), leader: () => new Promise(() => {}), token: () => new Promise<string | null>(() => {}) }
    const broken = new TabSession(h.hub, sinkSource(throwing).open)
    await broken.hello(hello('broken'))
    await broken.join(sub('s1', 'room', [onBroadcast()]))
    await new TabSession(h.hub, sinkSource(silent).open).hello(hello('frozen'))
    // The status fan-out and the batch flushes run outside any call: they must reach 'good'.
    expect(() => { h.net.latest.drop(); h.clock.advance(1_000) }).not.toThrow()
    await h.settle()
    h.net.latest.open()
    expect(goodSink.lastStatus?.status).toBe('open')
    await h.net.latest.subscribe('room')
    await stillServes(h, good, goodSink, 5)
  })

  it("use after bye → 'closed'", async () => {
    const { h, bad, good, goodSink } = await sessions()
    await bad.bye()
    await expectCode(bad.join(sub('s3', 'room')), 'closed')
    await stillServes(h, good, goodSink, 4)
  })
})

describe('TabSession: the sink of each hello', () => {
  it('is released when the hub forgets the tab (a newer hello, bye), and at once when the hello is refused', async () => {
    const h = createHarness()
    const sinks = sinkSource(new FakeSink())
    const session = new TabSession(h.hub, sinks.open)
    await session.hello(hello('a'))
    expect(sinks.released).toBe(0)
    await session.hello(hello('a'))
    expect(sinks.released).toBe(1)
    await session.bye()
    expect(sinks.released).toBe(2)
    const refused = sinkSource(new FakeSink())
    await expectCode(new TabSession(h.hub, refused.open).hello(hello('old', { protocol: 999 })), 'version-mismatch')
    expect(refused.released).toBe(1)
  })
})
