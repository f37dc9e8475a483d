/**
 * The SSE transport's own rules, against a hand-driven fetch and a manual clock: the `retry:`
 * floor, 401/403 mapping, the keep-alive deadline, and a multiplexed stream's union changes
 * (re-opened with the last id, inside the attempt, without a second SUBSCRIBED).
 */
import { describe, expect, it } from 'vitest'
import type { Json } from '../../../src/contract/protocol.ts'
import type { CloseReason, TransportChannel, TransportConnection } from '../../../worker/transports/transport.ts'
import { sseTransport, type SseTransportOptions } from '../../../worker/transports/sse/index.ts'
import { ManualClock, settle } from '../fakes/clock.ts'
import { FakeFetch } from '../fakes/sse-fetch.ts'
import { sub, until, type HandlerCall } from './harness.ts'

const target = { transport: 'sse', endpoint: 'http://sse.test/', params: {}, identity: 'alice' }

interface Opened {
  attempt: TransportConnection<unknown>
  events: Array<'open' | CloseReason>
  join(topic: string): { calls: HandlerCall[]; channel: TransportChannel }
}

function opener(options: SseTransportOptions = {}) {
  const fetcher = new FakeFetch()
  const clock = new ManualClock()
  const transport = sseTransport({ fetch: fetcher.fetch, clock, ...options })
  const open = (memory = new Map<string, Json>(), token: string | null = null): Opened => {
    const events: Opened['events'] = []
    const attempt = transport.open({ target, token, memory, events: { open: () => events.push('open'), closed: (reason) => events.push(reason) } })
    const join = (topic: string): { calls: HandlerCall[]; channel: TransportChannel } => {
      const calls: HandlerCall[] = []
      const channel = attempt.join(topic, transport.merge([sub(topic)], false), {
        status: (status) => calls.push({ kind: 'status', status }), broadcast: (event, payload) => calls.push({ kind: 'broadcast', event, payload }),
        presence: () => undefined, postgres: () => undefined, system: () => undefined,
      })
      return { calls, channel }
    }
    return { attempt, events, join }
  }
  return { fetcher, clock, open }
}

const silent = { status: () => undefined, broadcast: () => undefined, presence: () => undefined, postgres: () => undefined, system: () => undefined }

const closedOf = (opened: Opened): Promise<CloseReason> => until(() => opened.events.find((e): e is CloseReason => e !== 'open'), 'events.closed')

describe('sseTransport: HTTP answers and the retry floor', () => {
  it.each([
    [401, {}, 'unauthorized'],
    [403, {}, 'fatal'],
    [403, { onForbidden: 'unauthorized' as const }, 'unauthorized'],
    [404, {}, 'fatal'],
    [503, {}, 'retry'],
  ])('HTTP %i on the stream ends the attempt as %s', async (status, options, kind) => {
    const { fetcher, open } = opener(options)
    const alice = open()
    alice.join('room')
    ;(await fetcher.request(0)).answer(status)
    expect(await closedOf(alice)).toMatchObject({ kind })
    expect((await closedOf(alice)).error.code).toBe(status === 401 || status === 403 ? 'unauthorized' : 'transport')
  })

  it("the server's retry: is the floor of the next attempt, remembered across attempts; without one the default (nchan sends none)", async () => {
    const { fetcher, open } = opener({ defaultRetryMs: 1000 })
    const memory = new Map<string, Json>()
    const plain = open(new Map())
    plain.join('room')
    const first = await fetcher.request(0)
    first.answer(200)
    first.push(': hi\n\n')
    first.end()
    expect((await closedOf(plain)).retryAfterMs).toBe(1000)
    const told = open(memory)
    told.join('room')
    const second = await fetcher.request(1)
    second.answer(200)
    second.push(': hi\nretry: 2500\n\n')
    second.end()
    expect((await closedOf(told)).retryAfterMs).toBe(2500)
    const next = open(memory)
    next.join('room')
    ;(await fetcher.request(2)).answer(503, { 'retry-after': '7' })
    expect((await closedOf(next)).retryAfterMs).toBe(7000)
  })

  it('a 400 on a resume forgets the id: the next attempt starts fresh', async () => {
    const { fetcher, open } = opener()
    const memory = new Map<string, Json>([['sse:topic:room', { topics: ['room'], lastId: 'stale-1' }]])
    const first = open(memory)
    first.join('room')
    const refused = await fetcher.request(0)
    expect(refused.url.searchParams.get('last_event_id')).toBe('stale-1')
    refused.answer(400)
    expect((await closedOf(first)).kind).toBe('retry')
    open(memory).join('room')
    expect((await fetcher.request(1)).url.searchParams.has('last_event_id')).toBe(false)
  })
})

describe('sseTransport: what a server may ask for is bounded', () => {
  it('retry: 99999999999 and Retry-After: 2592000 are cut to maxRetryMs (past 2^31-1 ms a timer would fire at once); retry: 0 is raised to minRetryMs', async () => {
    const { fetcher, open } = opener()
    const memory = new Map<string, Json>()
    const told = open(memory)
    told.join('room')
    const first = await fetcher.request(0)
    first.answer(200)
    first.push(': hi\nretry: 99999999999\n\n')
    first.end()
    expect((await closedOf(told)).retryAfterMs).toBe(300_000)
    const refused = open(new Map())
    refused.join('room')
    ;(await fetcher.request(1)).answer(503, { 'retry-after': '2592000' })
    expect((await closedOf(refused)).retryAfterMs).toBe(300_000)
    const eager = open(new Map())
    eager.join('room')
    const third = await fetcher.request(2)
    third.answer(200)
    third.push(': hi\nretry: 0\n\n')
    third.end()
    expect((await closedOf(eager)).retryAfterMs).toBe(100)
  })

  it('an event larger than maxFrameBytes is never buffered: the attempt ends with a transport error naming the option, the events before it arrive', async () => {
    const { fetcher, open } = opener({ maxFrameBytes: 1_000 })
    const alice = open()
    const { calls } = alice.join('room')
    const stream = await fetcher.request(0)
    stream.answer(200)
    stream.push(': hi\n\ndata: {"type":"small"}\n\n')
    for (let n = 0; n < 5; n += 1) stream.push(`data: ${'x'.repeat(300)}`)
    const reason = await closedOf(alice)
    expect(reason).toMatchObject({ kind: 'retry', error: { code: 'transport', message: expect.stringMatching(/larger than 1000 characters.*maxFrameBytes/) } })
    expect(calls.filter((c) => c.kind === 'broadcast')).toMatchObject([{ kind: 'broadcast', event: 'small' }])
  })
})

describe('sseTransport: keep-alive deadline', () => {
  it('a stream with no byte for keepAliveMs ends the attempt (retry, timeout); comments count as bytes', async () => {
    const { fetcher, clock, open } = opener({ keepAliveMs: 1000 })
    const alice = open()
    const room = alice.join('room').calls
    const stream = await fetcher.request(0)
    stream.answer(200)
    stream.push(': hi\n\n')
    await until(() => room.length > 0, 'SUBSCRIBED')
    clock.advance(900)
    stream.push(': ping\n\n')
    await settle()
    clock.advance(900)
    expect(alice.events).toEqual(['open'])
    clock.advance(100)
    expect(await closedOf(alice)).toMatchObject({ kind: 'retry', error: { code: 'timeout' } })
    expect(stream.signal?.aborted).toBe(true)
  })
})

describe('sseTransport: multiplexed union changes', () => {
  it('a join re-opens the one stream with the appended list and the last id, inside the attempt: no second SUBSCRIBED, no duplicate', async () => {
    const { fetcher, clock, open } = opener({ mode: 'multiplexed', debounceMs: 20 })
    const alice = open()
    const a = alice.join('a').calls
    clock.advance(20)
    const first = await fetcher.request(0)
    expect(first.url.pathname).toBe('/sub/a')
    first.answer(200)
    first.push(': hi\n\nid: 7\ndata: {"type":"m","topic":"a","n":1}\n\n')
    await until(() => a.length === 2, 'a SUBSCRIBED and one message')
    const b = alice.join('b').calls
    clock.advance(19)
    expect(fetcher.requests).toHaveLength(1)
    clock.advance(1)
    const second = await fetcher.request(1)
    expect(first.signal?.aborted).toBe(true)
    expect(second.url.pathname).toBe('/sub/a,b')
    expect(second.url.searchParams.get('last_event_id')).toBe('7')
    second.answer(200)
    second.push(': hi\n\nid: 8\ndata: {"type":"m","topic":"a","n":2}\n\nid: 9\ndata: {"type":"m","topic":"b","n":3}\n\n')
    await until(() => b.length === 2, 'b SUBSCRIBED and its message')
    expect(a).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }, { kind: 'broadcast', event: 'm', payload: { n: 1 } }, { kind: 'broadcast', event: 'm', payload: { n: 2 } }])
    expect(b).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }, { kind: 'broadcast', event: 'm', payload: { n: 3 } }])
    expect(alice.events).toEqual(['open'])
  })

  it('a stream that saw no id yet cannot resume: channels already joined get SUBSCRIBED again (the hub resyncs)', async () => {
    const { fetcher, clock, open } = opener({ mode: 'multiplexed', debounceMs: 20 })
    const alice = open()
    const a = alice.join('a').calls
    clock.advance(20)
    const first = await fetcher.request(0)
    first.answer(200)
    first.push(': hi\n\n')
    await until(() => a.length === 1, 'a SUBSCRIBED')
    alice.join('b')
    clock.advance(20)
    const second = await fetcher.request(1)
    expect(second.url.searchParams.has('last_event_id')).toBe(false)
    second.answer(200)
    second.push(': hi\n\n')
    await until(() => a.length === 2, 'a SUBSCRIBED again')
  })

  it('a left topic stays in the URL (positional ids): joining it again re-opens nothing; past maxIdleTopics the list is rebuilt without an id', async () => {
    const { fetcher, clock, open } = opener({ mode: 'multiplexed', debounceMs: 20, maxIdleTopics: 1 })
    const memory = new Map<string, Json>()
    const alice = open(memory)
    const a = alice.join('a').calls
    const b = alice.join('b')
    clock.advance(20)
    const first = await fetcher.request(0)
    first.answer(200)
    first.push(': hi\n\nid: 1\ndata: {"type":"m","topic":"a"}\n\n')
    await until(() => b.calls.length === 1, 'b SUBSCRIBED')
    expect(memory.get('sse:multiplexed')).toEqual({ topics: ['a', 'b'], lastId: '1' })
    await b.channel.close()
    const again = alice.join('b').calls
    await until(() => again.length === 1, 'b SUBSCRIBED on the same stream')
    clock.advance(100)
    expect(fetcher.requests).toHaveLength(1)
    // b and c idle: over the limit of 1, so d's stream names only a and d, and starts without an id.
    await alice.attempt.join('b', { topic: 'b' }, silent).close()
    const c = alice.join('c')
    clock.advance(20)
    const appended = await fetcher.request(1)
    expect(appended.url.pathname).toBe('/sub/a,b,c')
    appended.answer(200)
    appended.push(': hi\n\n')
    await until(() => c.calls.length === 1, 'c SUBSCRIBED')
    await c.channel.close()
    alice.join('d')
    clock.advance(20)
    const rebuilt = await fetcher.request(2)
    expect(rebuilt.url.pathname).toBe('/sub/a,d')
    expect(rebuilt.url.searchParams.has('last_event_id')).toBe(false)
    rebuilt.answer(200)
    rebuilt.push(': hi\n\n')
    await until(() => a.filter((c) => c.kind === 'status').length === 2, 'a SUBSCRIBED again: the hub resyncs it')
  })
})
