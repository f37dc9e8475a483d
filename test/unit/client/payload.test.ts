/**
 * Payloads are serialised as supabase-js serialises them (`JSON.stringify`, in the tab, before the
 * port): `undefined` fields dropped, `NaN` → `null`, a `Date` → its ISO string, `toJSON()` honoured.
 * Before, such payloads were refused `bad-input` where a supabase-js app sends them fine.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toJson } from '../../../src/contract/payload.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { isJson, MAX_JSON_DEPTH } from '../../../src/contract/validate.ts'
import { createRelay } from '../../../src/core/relay.ts'
import { createSharedRealtime } from '../../../src/supabase/client.ts'
import { createHub } from '../../../worker/index.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { until } from './harness.ts'
import { cleanup, workerOf } from '../helpers/real-hub.ts'


function refusal(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (error instanceof RelayError) return `${error.code}: ${error.message}`
    throw error
  }
  throw new Error('expected a RelayError')
}

const at = new Date(Date.UTC(2026, 11, 7, 15, 0, 0))
const messy = { text: 'hi', at, gone: undefined, n: Number.NaN, big: Infinity, list: [1, undefined], money: { toJSON: () => '4.20 EUR' } }
const asSent = { text: 'hi', at: '2026-12-07T15:00:00.000Z', n: null, big: null, list: [1, null], money: '4.20 EUR' }

describe('toJson: what JSON.stringify puts on the wire', () => {
  it('drops undefined fields, turns NaN and Infinity into null, a Date into its ISO string, and calls toJSON', () => {
    expect(toJson(messy, "send('x')")).toEqual(asSent)
    expect(toJson(at, "send('x')")).toBe('2026-12-07T15:00:00.000Z')
  })

  it('returns plain JSON as it is, without a copy', () => {
    const plain = { a: [1, 'x', null, { b: true }] }
    expect(toJson(plain, "send('x')")).toBe(plain)
  })

  it('gives plain JSON that puts the same text on the wire as JSON.stringify(value), for any value JSON.stringify takes', () => {
    const values = fc.anything({ withDate: true, withMap: true, withSet: true, withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withObjectString: true, maxDepth: 4 })
    fc.assert(fc.property(values, (value) => {
      const text = JSON.stringify(value)
      fc.pre(text !== undefined)
      const json = toJson(value, "send('x')")
      // Plain JSON (no Date, undefined, NaN or Map left), and the same wire text; -0 passes the
      // fast path as it is and is written 0, as JSON.stringify writes it.
      expect(isJson(json)).toBe(true)
      expect(JSON.stringify(json)).toBe(text)
    }), { numRuns: 1000 })
  })

  it('refuses what JSON.stringify throws on or drops entirely, binary data and hostile nesting, saying why', () => {
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    const refused = (why: string): string => `bad-input: send('x'): JSON.stringify cannot carry this payload (${why}); send plain data`
    expect(refusal(() => toJson({ id: 1n }, "send('x')"))).toBe(refused('TypeError: Do not know how to serialize a BigInt'))
    expect(refusal(() => toJson(cycle, "send('x')"))).toBe(refused('TypeError: Converting circular structure to JSON'))
    expect(refusal(() => toJson(() => 1, "send('x')"))).toBe(refused('a function'))
    expect(refusal(() => toJson(new Uint8Array(4), "send('x')"))).toBe(refused('binary data'))
    let deep: unknown = { d: at }
    for (let level = 0; level < MAX_JSON_DEPTH + 5; level++) deep = [deep]
    expect(refusal(() => toJson(deep, "send('x')"))).toBe(refused(`over ${MAX_JSON_DEPTH} levels deep`))
    let hostile: unknown = { d: at }
    for (let level = 0; level < 200_000; level++) hostile = [hostile]
    expect(refusal(() => toJson(hostile, "send('x')"))).toBe(refused('RangeError: Maximum call stack size exceeded'))
  })
})

describe('through a real hub, as a supabase-js app would send them', () => {
  it('createSharedRealtime: send, httpSend and track carry the serialised payload to the server and the other tab', async () => {
    const net = new FakeNetwork()
    const hub = createHub({ transports: { supabase: net.transport } })
    const tab = () => {
      const client = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon', worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
      cleanup.push(() => client.close())
      return client
    }
    const [a, b] = [tab(), tab()]
    const got: unknown[] = []
    const roomA = a.channel('room').subscribe()
    b.channel('room').on('broadcast', { event: 'msg' }, (message) => got.push(message.payload)).subscribe()
    await until(() => net.transports.length === 1 && net.latest.liveChannels('room') === 1, 'one server channel')
    net.latest.open()
    await net.latest.subscribe('room')
    await until(() => roomA.state === 'joined', 'tab a joined')
    await expect(roomA.send({ type: 'broadcast', event: 'msg', payload: messy })).resolves.toBe('ok')
    const sent = roomA.httpSend('msg', { at })
    await until(() => net.latest.single('room').sends.length === 2, 'both sends at the server')
    net.latest.single('room').sends[1]?.reply('ok')
    await expect(sent).resolves.toEqual({ success: true })
    await until(() => got.length === 2, "tab b has tab a's broadcasts")
    expect(net.latest.single('room').sends.map((s) => s.payload)).toEqual([asSent, { at: asSent.at }])
    expect(got).toEqual([asSent, { at: asSent.at }])
    // Turning presence on joins the topic again on the server: answer that new join.
    const before = net.latest.single('room')
    const tracked = roomA.track({ name: 'alice', since: at, typing: undefined })
    await until(() => net.latest.live('room').some((channel) => channel !== before), 'the join with presence')
    await net.latest.subscribe('room')
    await expect(tracked).resolves.toBe('ok')
    expect(net.latest.single('room').tracks).toEqual([{ name: 'alice', since: asSent.at }])
  })

  it('createRelay: topic.send serialises the same way; what JSON cannot carry fails bad-input in the tab', async () => {
    const server = new EchoServer()
    const hub = createHub({ transports: { inbox: echoTransport(server) } })
    const relay = createRelay({ transport: 'inbox', endpoint: 'memory://inbox', identity: 'u1', worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
    cleanup.push(() => relay.close())
    const got: unknown[] = []
    const topic = relay.topic('conversation:1')
    topic.on('TEXT', (payload) => got.push(payload))
    await until(() => relay.status === 'open', 'open')
    await expect(topic.send('TEXT', messy)).resolves.toBe('ok')
    await until(() => got.length === 1, 'the echo')
    expect(got).toEqual([asSent])
    await expect(topic.send('TEXT', { id: 1n } as unknown as { id: number })).rejects.toMatchObject({ code: 'bad-input' })
    // The event's rule and message are checkOutgoing()'s, the hub's own; a payload is optional.
    await expect(topic.send('', 1)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/^send\(\) needs an event name/) })
    await expect(topic.send('x'.repeat(256))).rejects.toMatchObject({ code: 'bad-input' })
    await expect(topic.send('TEXT')).resolves.toBe('ok')
  })
})
