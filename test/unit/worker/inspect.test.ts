/**
 * `inspect()`: the hub's journal ring and the snapshot one identity gets — its tabs, connection,
 * topics, queues and journal, never another identity's, never a token.
 */
import { describe, expect, it } from 'vitest'
import type { Delivery, JournalEntry } from '../../../src/contract/protocol.ts'
import { Journal } from '../../../worker/inspect/journal.ts'
import { safeEndpoint } from '../../../worker/inspect/inspector.ts'
import { refusing } from '../../../worker/options.ts'
import { hubDevtools } from '../../../worker/devtools.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { APIKEY, createHarness, hello, jwt, onBroadcast, sub } from './harness.ts'

const x1 = jwt({ sub: 'user-x', exp: 1_000 })
const y1 = jwt({ sub: 'user-y', exp: 5_000 })

function kinds(entries: JournalEntry[]): string[] {
  return entries.map((e) => e.kind)
}

describe('Journal', () => {
  it('keeps the newest entries of a fixed-size ring, oldest first, numbered without gaps', () => {
    const journal = new Journal(3)
    for (let i = 0; i < 5; i += 1) journal.add('x', { kind: 'leader', tabId: `t${i}` }, 100 + i)
    const entries = journal.since('x', 0)
    expect(entries.map((e) => (e.kind === 'leader' ? e.tabId : ''))).toEqual(['t2', 't3', 't4'])
    expect(entries.map((e) => e.seq)).toEqual([3, 4, 5])
    expect(entries.map((e) => e.at)).toEqual([102, 103, 104])
    expect(journal.seq).toBe(5)
    expect(journal.since('x', 4).map((e) => e.seq)).toEqual([5])
  })

  it('answers each identity with its own entries only', () => {
    const journal = new Journal(10)
    journal.add('x', { kind: 'leader', tabId: 'a' }, 0)
    journal.add('y', { kind: 'leader', tabId: 'c' }, 0)
    journal.add('x', { kind: 'visibility', anyVisible: false }, 0)
    expect(journal.since('x', 0)).toEqual([{ kind: 'leader', tabId: 'a', seq: 1, at: 0 }, { kind: 'visibility', anyVisible: false, seq: 3, at: 0 }])
    expect(journal.since('y', 0)).toEqual([{ kind: 'leader', tabId: 'c', seq: 2, at: 0 }])
  })

  it('reports a refused check as wire data and throws it on', () => {
    const refused: unknown[] = []
    const note = (...args: unknown[]): void => { refused.push(args) }
    expect(() => refusing(() => { throw new Error('too big') }, note, 'x', 'a')).toThrow('too big')
    refusing(() => undefined, note, 'x', 'b')
    expect(refused).toEqual([['x', 'error', 'a', { code: 'transport', message: 'too big' }]])
  })
})

describe('safeEndpoint', () => {
  it('drops query, fragment and user part, where tokens hide', () => {
    expect(safeEndpoint('wss://u:secret@example.com/ws/inbox/?token=abc#x')).toBe('wss://example.com/ws/inbox/')
    expect(safeEndpoint('http://127.0.0.1:54321')).toBe('http://127.0.0.1:54321/')
    expect(safeEndpoint('/relative/path?token=abc')).toBe('/relative/path')
  })
})

describe('hub.inspect()', () => {
  /** Tabs a and b of user x, tab c of user y, all on 'room'; x's socket open and joined. */
  async function twoUsers(options: Parameters<typeof createHarness>[0] = {}): Promise<ReturnType<typeof createHarness>> {
    const h = createHarness({ devtools: hubDevtools(), ...options })
    h.tab('a', { token: x1, focused: true })
    h.tab('b', { token: x1 })
    h.tab('c', { token: y1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('c', sub('s1', 'secret-room-of-y', [onBroadcast()]))
    const [tx] = h.net.transports
    tx?.open()
    await tx?.subscribe('room')
    await h.settle()
    return h
  }

  it("shows the caller's identity's tabs, connection and topics, with counters", async () => {
    const h = await twoUsers()
    const [tx] = h.net.transports
    tx?.broadcast('room', 'msg', 1)
    tx?.broadcast('room', 'msg', 2)
    await h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 3 })
    await h.settle()
    const view = h.hub.inspect('a')
    expect(view.tabs.map((t) => [t.tabId, t.isSelf, t.isLeader, t.visibility])).toEqual([['a', true, true, 'visible'], ['b', false, false, 'visible']])
    expect(view.connection).toMatchObject({ transport: 'supabase', endpoint: 'http://127.0.0.1:54321/', params: ['apikey'], status: 'open', sendQueue: 0 })
    expect(view.topics).toEqual([{ topic: 'room', status: 'SUBSCRIBED', presence: 0, since: expect.any(Number), received: 2, sent: 1, replay: 'idle',
      subs: [{ tabId: 'a', subId: 's1', bindings: 1 }, { tabId: 'b', subId: 's1', bindings: 1 }] }])
    expect(view.tabs[0]?.outbox).toEqual({ queued: 0, peak: 0, overflows: 0 })
    expect(kinds(view.journal)).toEqual(['status', 'tab-added', 'visibility', 'leader', 'tab-added', 'joined', 'joined', 'status'])
    expect(view.seq).toBe(h.hub.inspect('c').seq)
    expect(view.seq).toBeGreaterThanOrEqual(view.journal.at(-1)?.seq ?? Number.POSITIVE_INFINITY)
  })

  it("never shows another identity's tabs, topics or journal, nor any token", async () => {
    const h = await twoUsers()
    const x = JSON.stringify(h.hub.inspect('a'))
    expect(x).not.toContain('"c"')
    expect(x).not.toContain('secret-room-of-y')
    const y = h.hub.inspect('c')
    expect(y.tabs.map((t) => t.tabId)).toEqual(['c'])
    expect(y.journal.every((e) => !('tabId' in e) || e.tabId === 'c' || e.tabId === null)).toBe(true)
    expect(JSON.stringify(y)).not.toContain('"a"')
    for (const text of [x, JSON.stringify(y)]) {
      for (const secret of [x1, y1, APIKEY]) expect(text).not.toContain(secret)
    }
  })

  it('journals a closed tab, a hidden leader, a dropped socket and a refused payload, each with its values', async () => {
    const small = new FakeNetwork({ maxPayloadBytes: 64 })
    const h = await twoUsers({ transports: { supabase: small.transport } })
    const [tx] = small.transports
    tx?.open()
    await tx?.subscribe('room')
    const since = h.hub.inspect('b').seq
    h.hub.bye('a')
    h.hub.heartbeat('b', { visibility: 'hidden', focused: false, hasLock: true })
    tx?.drop({ code: 'transport', message: 'socket closed (1006)' })
    await expect(h.hub.connectionOf('b').sends.send('b', 's1', { type: 'broadcast', event: 'msg', payload: 'x'.repeat(100) })).rejects.toThrow(/payload is 102 bytes/)
    const journal = h.hub.inspect('b', since).journal
    expect(journal.find((e) => e.kind === 'tab-removed')).toMatchObject({ tabId: 'a', reason: 'bye' })
    expect(journal.find((e) => e.kind === 'leader')).toMatchObject({ tabId: 'b' })
    expect(journal.find((e) => e.kind === 'visibility')).toMatchObject({ anyVisible: false })
    expect(journal.find((e) => e.kind === 'status' && e.status === 'reconnecting')).toMatchObject({ attempt: 1, retryAt: expect.any(Number), error: { code: 'transport', message: 'socket closed (1006)' } })
    expect(journal.find((e) => e.kind === 'error')).toMatchObject({ tabId: 'b', error: { code: 'bad-input', message: expect.stringContaining('payload is 102 bytes') } })
    expect(journal.every((e) => e.seq > since)).toBe(true)
    expect(JSON.stringify(journal)).not.toContain('xxxxxxxx')
  })

  it("journals an overflow against the slow tab and shows its outbox's peak", async () => {
    const h = createHarness({ outbox: { windowBatches: 1, maxQueued: 3 }, devtools: hubDevtools() })
    const stuck = new FakeSink()
    stuck.deliver = (batch: Delivery[]): Promise<void> => { stuck.batches.push(batch); return new Promise(() => undefined) }
    h.hub.hello(hello('slow', { token: x1 }), stuck)
    h.hub.join('slow', sub('s1', 'room', [onBroadcast()]))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    await h.settle()
    for (let n = 0; n < 6; n += 1) { h.net.latest.broadcast('room', 'msg', n); await h.settle() }
    const view = h.hub.inspect('slow')
    expect(view.tabs[0]?.outbox).toEqual({ queued: 0, peak: 3, overflows: 1 })
    expect(view.journal.filter((e) => e.kind === 'overflow')).toMatchObject([{ tabId: 'slow' }])
  })

  it("moves a signed-out tab's view to the new identity", async () => {
    const h = await twoUsers()
    await h.hub.setAuth('b', y1)
    const view = h.hub.inspect('b')
    expect(view.tabs.map((t) => t.tabId).sort()).toEqual(['b', 'c'])
    expect(JSON.stringify(view)).not.toContain('"a"')
    expect(h.hub.inspect('a').journal.at(-1)).toMatchObject({ kind: 'tab-removed', tabId: 'b', reason: 'moved' })
    expect(h.hub.inspect('a').tabs.map((t) => t.tabId)).toEqual(['a'])
  })
})

describe('a hub without devtools', () => {
  it('keeps no journal and fails inspect() unsupported, saying how to add it', () => {
    const h = createHarness()
    h.tab('a')
    expect(() => h.hub.inspect('a')).toThrow(expect.objectContaining({ code: 'unsupported', message: expect.stringContaining('hubDevtools()') }))
  })
})

describe('TabSession.inspect()', () => {
  it('refuses a since that is no journal seq, and works for its own tab', async () => {
    const h = createHarness({ devtools: hubDevtools() })
    const session = new TabSession(h.hub, sinkSource(new FakeSink()).open)
    await expect(session.inspect()).rejects.toMatchObject({ code: 'closed' })
    await session.hello(hello('a'))
    await expect(session.inspect(-1)).rejects.toMatchObject({ code: 'bad-input' })
    await expect(session.inspect('1' as unknown as number)).rejects.toMatchObject({ code: 'bad-input' })
    expect((await session.inspect(0)).tabs.map((t) => t.tabId)).toEqual(['a'])
  })
})
