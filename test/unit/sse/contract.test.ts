// The SSE server contract the worker's SSE transport relies on, run unchanged against nginx + nchan
// and against the demo server's endpoint: ids, multiplexing, resume, timeouts, counts, CORS.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SseReader, type OpenOptions } from './reader.ts'
import { TARGETS, type RunningTarget, type TargetOptions } from './targets.ts'

const ORIGIN = 'http://app.example.test'
let serial = 0

describe.each(TARGETS)('SSE contract: $name', (target) => {
  let server: RunningTarget
  const opened: SseReader[] = []
  const extra: RunningTarget[] = []

  beforeAll(async () => {
    server = await target.start()
  })
  afterAll(() => server.stop())
  afterEach(async () => {
    for (const reader of opened.splice(0)) reader.close()
    await Promise.all(extra.splice(0).map((s) => s.stop()))
  })

  // A channel name no other test uses.
  const channel = (label: string): string => `${label}-${++serial}-${Math.random().toString(36).slice(2, 8)}`
  const open = async (ids: string[], options: OpenOptions = {}, on = server): Promise<SseReader> => {
    const reader = await SseReader.open(`${on.url}/sub/${ids.join(',')}`, options)
    opened.push(reader)
    return reader
  }
  const publish = async (id: string, body: string, on = server): Promise<Response> => {
    const response = await fetch(`${on.url}/pub/${id}`, { method: 'POST', body })
    await response.arrayBuffer()
    return response
  }
  const publishAll = async (id: string, bodies: string[], on = server): Promise<void> => {
    for (const body of bodies) expect((await publish(id, body, on)).ok).toBe(true)
  }
  const startOwn = async (options: TargetOptions): Promise<RunningTarget> => {
    const own = await target.start(options)
    extra.push(own)
    return own
  }

  it('a published message reaches an open stream with an id', async () => {
    const room = channel('room')
    const reader = await open([room])
    expect(reader.status).toBe(200)
    expect(reader.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const answer = await publish(room, '{"text":"hi"}')
    expect([201, 202]).toContain(answer.status)
    const [event] = await reader.waitEvents(1)
    expect(event).toMatchObject({ data: '{"text":"hi"}', id: expect.stringMatching(/\S/) })
  })

  it('a multiplexed /sub/a,b stream gets both channels in publish order, each with its own id', async () => {
    const [a, b] = [channel('a'), channel('b')]
    const reader = await open([a, b])
    for (const [id, body] of [[a, 'a1'], [b, 'b1'], [a, 'a2'], [b, 'b2']] as const) await publishAll(id, [body])
    const events = await reader.waitEvents(4)
    expect(reader.data).toEqual(['a1', 'b1', 'a2', 'b2'])
    expect(new Set(events.map((e) => e.id)).size).toBe(4)
  })

  for (const via of ['header', 'query'] as const) {
    it(`a resume with the last id (${via === 'header' ? 'Last-Event-ID header' : '?last_event_id='}) replays exactly the missed messages`, async () => {
      const room = channel(`resume-${via}`)
      const first = await open([room])
      await publishAll(room, ['m1', 'm2'])
      await first.waitEvents(2)
      first.close()
      await publishAll(room, ['m3', 'm4'])
      const second = await open([room], { lastEventId: first.lastId ?? '', via })
      await second.waitEvents(2)
      await publishAll(room, ['m5'])
      await second.waitEvents(3)
      expect(second.data).toEqual(['m3', 'm4', 'm5'])
    })
  }

  it('a multiplexed stream resumes from its last id across both channels, each channel in order', async () => {
    const [a, b] = [channel('ma'), channel('mb')]
    const first = await open([a, b])
    await publishAll(a, ['a1'])
    await publishAll(b, ['b1'])
    await first.waitEvents(2)
    first.close()
    for (const [id, body] of [[b, 'b2'], [a, 'a2'], [b, 'b3'], [a, 'a3']] as const) await publishAll(id, [body])
    const second = await open([a, b], { lastEventId: first.lastId ?? '' })
    await second.waitEvents(4)
    await publishAll(a, ['a4'])
    await second.waitEvents(5)
    // nchan replays a multiplexed resume channel by channel (a2 a3 b2 b3), not in publish order;
    // live messages come in publish order. Per-channel order is what both guarantee.
    expect([...second.data].sort()).toEqual(['a2', 'a3', 'a4', 'b2', 'b3'])
    expect(second.data.filter((d) => d.startsWith('a'))).toEqual(['a2', 'a3', 'a4'])
    expect(second.data.filter((d) => d.startsWith('b'))).toEqual(['b2', 'b3'])
  })

  it('a stream that appends a channel resumes with the old id: missed messages of all channels', async () => {
    const [a, b, c] = [channel('ua'), channel('ub'), channel('uc')]
    const first = await open([a, b])
    await publishAll(a, ['a1'])
    await first.waitEvents(1)
    first.close()
    await publishAll(b, ['b2'])
    await publishAll(c, ['c2'])
    // nchan's compound ids are positional: appending keeps the old positions (reordering does not).
    const second = await open([a, b, c], { lastEventId: first.lastId ?? '' })
    await second.waitEvents(2)
    await publishAll(c, ['c3'])
    await second.waitEvents(3)
    expect(second.data).toEqual(['b2', 'c2', 'c3'])
  })

  it('a fresh stream without an id gets only messages published after it opened', async () => {
    const room = channel('fresh')
    await publishAll(room, ['old1', 'old2'])
    const reader = await open([room])
    await publishAll(room, ['new1'])
    await reader.waitEvents(1)
    expect(reader.data).toEqual(['new1'])
  })

  it('a resume gets at most the buffer length, the newest messages', async () => {
    const own = await startOwn({ bufferLength: 2 })
    const room = channel('bounded')
    const first = await open([room], {}, own)
    await publishAll(room, ['m1'], own)
    await first.waitEvents(1)
    first.close()
    await publishAll(room, ['m2', 'm3', 'm4'], own)
    const second = await open([room], { lastEventId: first.lastId ?? '' }, own)
    await second.waitEvents(2)
    await publishAll(room, ['m5'], own)
    await second.waitEvents(3)
    expect(second.data).toEqual(['m3', 'm4', 'm5'])
  })

  it('the server closes streams after the subscriber timeout; resuming from the last id loses nothing', async () => {
    const own = await startOwn({ subscriberTimeoutS: 1 })
    const room = channel('timeout')
    const received: string[] = []
    let lastEventId: string | undefined
    for (const batch of [['t1', 't2'], ['t3'], ['t4', 't5']]) {
      const reader = await open([room], lastEventId === undefined ? {} : { lastEventId }, own)
      await publishAll(room, batch, own)
      // No client-side close: only the server's timeout ends this stream.
      await reader.waitEnded(4000)
      received.push(...reader.data)
      lastEventId = reader.lastId ?? lastEventId
      // Published while no stream is open: the next stream must replay it.
      await publishAll(room, [`gap-${batch.join('')}`], own)
    }
    const last = await open([room], { lastEventId: lastEventId ?? '' }, own)
    await last.waitEvents(1)
    received.push(...last.data)
    expect(received).toEqual(['t1', 't2', 'gap-t1t2', 't3', 'gap-t3', 't4', 't5', 'gap-t4t5'])
  })

  it('keeps an idle stream alive with comments', async () => {
    const own = await startOwn({ pingIntervalS: 1 })
    const reader = await open([channel('idle')], {}, own)
    const before = reader.comments.length
    await reader.until(() => reader.comments.length > before, 3000, 'a keep-alive comment')
    expect(reader.events).toEqual([])
  })

  it('the server reports the open streams (a multiplexed stream counts once)', async () => {
    const eventually = async (expected: number): Promise<void> => {
      const deadline = Date.now() + 3000
      let seen = await server.streams()
      while (seen !== expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        seen = await server.streams()
      }
      expect(seen).toBe(expected)
    }
    await eventually(0)
    const single = await open([channel('count')])
    await open([channel('count-a'), channel('count-b')])
    await eventually(2)
    single.close()
    await eventually(1)
  })

  it('answers CORS as nchan: Origin reflected with credentials, preflights without Last-Event-ID', async () => {
    const room = channel('cors')
    const reader = await open([room], { headers: { origin: ORIGIN } })
    expect(reader.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(reader.headers.get('access-control-allow-credentials')).toBe('true')
    const pub = await fetch(`${server.url}/pub/${room}`, { method: 'POST', headers: { origin: ORIGIN }, body: 'x' })
    expect(pub.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    const preflight = (path: string, method: string, headers: string): Promise<Response> =>
      fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers },
      })
    const pubPreflight = await preflight(`/pub/${room}`, 'POST', 'content-type')
    expect(pubPreflight.ok).toBe(true)
    expect(pubPreflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    expect(pubPreflight.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/)
    expect(pubPreflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')
    const subPreflight = await preflight(`/sub/${room}`, 'GET', 'last-event-id')
    expect(subPreflight.headers.get('access-control-allow-origin')).toBe(ORIGIN)
    // A cross-origin fetch that sets Last-Event-ID fails this preflight: resume with ?last_event_id=.
    expect(subPreflight.headers.get('access-control-allow-headers')?.toLowerCase()).not.toContain('last-event-id')
  })

  it('refuses a subscriber without Accept: text/event-stream (403) and a publish over the body limit (413)', async () => {
    const own = await startOwn({ maxBodyBytes: 1024 })
    const plain = await fetch(`${own.url}/sub/${channel('plain')}`)
    await plain.arrayBuffer()
    expect(plain.status).toBe(403)
    expect((await publish(channel('big'), 'x'.repeat(2048), own)).status).toBe(413)
    expect((await publish(channel('small'), 'x'.repeat(1000), own)).ok).toBe(true)
  })
})
