import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { bindingKey, eventMatches, systemMatches } from '../../../src/contract/bindings.ts'
import { createSharedRealtime } from '../../../src/supabase/client.ts'
import { workerName } from '../../../src/hosts/worker.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { isDataCloneError } from '../../../src/core/options.ts'
import { isJson } from '../../../src/contract/validate.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig | undefined
afterEach(() => { rig?.dispose(); rig = undefined })

/** Runs `fn` and returns the RelayError code it threw synchronously. */
function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (error instanceof RelayError) return error.code
    throw error
  }
  throw new Error('expected a RelayError')
}

describe('pure helpers', () => {
  it('bindingKey normalizes missing fields and case', () => {
    expect(bindingKey({ event: 'INSERT', schema: 'public', table: 'messages' }))
      .toBe('{"event":"INSERT","schema":"public","table":"messages","filter":""}')
    expect(bindingKey({ event: '*', schema: 'public' })).toBe(bindingKey({ event: '*', schema: 'public', table: '', filter: '' }))
    expect(bindingKey({ event: 'DELETE', schema: 'public', table: 'a' })).not.toBe(bindingKey({ event: 'DELETE', schema: 'public', table: 'b' }))
  })

  it('matches events case-insensitively, * for all, "" for all system events', () => {
    expect(eventMatches('Message', 'MESSAGE')).toBe(true)
    expect(eventMatches('*', 'x')).toBe(true)
    expect(eventMatches('a', 'b')).toBe(false)
    expect(eventMatches('', 'b')).toBe(false)
    expect(systemMatches('', 'resync')).toBe(true)
  })

  it('isJson accepts plain data and rejects what JSON or the hub would not keep', () => {
    expect(isJson({ a: [1, 'x', null, true, { b: {} }] })).toBe(true)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const bad of [() => {}, Symbol('s'), 1n, Number.NaN, Infinity, new Date(), new Map(), { d: new Date() }, [undefined], { u: undefined }, cycle, undefined]) {
      expect(isJson(bad), String(bad)).toBe(false)
    }
    const shared = { x: 1 }
    expect(isJson({ a: shared, b: shared })).toBe(true)
  })

  it('isJson checks a shared reference once (40 levels of two shared children would be 2^40 visits)', () => {
    let node: { [key: string]: unknown } = { leaf: true }
    for (let level = 0; level < 40; level++) node = { left: node, right: node }
    expect(isJson(node)).toBe(true)
    let bad: { [key: string]: unknown } = { leaf: new Date() }
    for (let level = 0; level < 40; level++) bad = { left: bad, right: bad }
    expect(isJson(bad)).toBe(false)
  })

  it('refuses durations a timer cannot wait (past 2^31-1 ms it would fire at once)', () => {
    const worker = () => ({ port: new MessageChannel().port1 })
    expect(codeOf(() => createSharedRealtime({ url: 'http://x', apikey: 'k', worker, pauseWhenHiddenMs: Number.MAX_SAFE_INTEGER }))).toBe('bad-input')
  })

  it('recognizes a DataCloneError from postMessage', () => {
    let error: unknown
    try {
      structuredClone(() => {})
    } catch (caught) {
      error = caught
    }
    expect(isDataCloneError(error)).toBe(true)
    expect(isDataCloneError(new Error('x'))).toBe(false)
  })

  it('workerName carries the protocol version', () => {
    expect(workerName()).toBe(`tabrelay-v${PROTOCOL_VERSION}`)
    expect(workerName('chat')).toBe(`chat-v${PROTOCOL_VERSION}`)
  })
})

describe('bad input fails in this tab with bad-input', () => {
  it('rejects wrong options and a throwing worker factory (unsupported)', () => {
    const worker = () => ({ port: new MessageChannel().port1 })
    expect(codeOf(() => createSharedRealtime({ url: '', apikey: 'k', worker }))).toBe('bad-input')
    expect(codeOf(() => createSharedRealtime({ url: 'u', apikey: 'k', worker, callTimeoutMs: 0 }))).toBe('bad-input')
    // In a page, a factory that throws means no worker can run here.
    const page = globalThis as { document?: unknown }
    page.document = {}
    try {
      expect(codeOf(() => createSharedRealtime({ url: 'u', apikey: 'k', worker: () => { throw new ReferenceError('SharedWorker is not defined') } }))).toBe('unsupported')
    } finally {
      delete page.document
    }
  })

  it('listeners that are not functions are refused when registered, not at the next status change', () => {
    const made = setup()
    rig = made
    expect(codeOf(() => made.realtime.onStatus(5 as unknown as () => void))).toBe('bad-input')
    expect(codeOf(() => made.realtime.onLeaderChange('x' as unknown as () => void))).toBe('bad-input')
  })

  it('server rendering: creating a client where no page is never throws; it stays connecting and its calls reject unsupported', async () => {
    const server = createSharedRealtime({ url: 'u', apikey: 'k', worker: () => { throw new ReferenceError('SharedWorker is not defined') } })
    expect(server.status).toBe('connecting')
    const room = server.channel('room').on('broadcast', { event: 'x' }, () => undefined).subscribe()
    await expect(room.send({ type: 'broadcast', event: 'x' })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/server rendering/) })
    await expect(server.stats()).rejects.toMatchObject({ code: 'unsupported' })
    await server.close()
    expect(server.status).toBe('closed')
  })

  it('rejects bad topics: empty, not a string, over the 255-byte header with its prefix', () => {
    rig = setup()
    const { realtime } = rig
    expect(codeOf(() => realtime.channel(''))).toBe('bad-input')
    expect(codeOf(() => realtime.channel(42 as unknown as string))).toBe('bad-input')
    expect(realtime.channel('a'.repeat(246)).subTopic).toHaveLength(246)
    expect(codeOf(() => realtime.channel('a'.repeat(247)))).toBe('bad-input')
    // 123 two-byte characters = 246 bytes fits; 124 = 248 bytes does not, though only 124 chars.
    expect(realtime.channel('é'.repeat(123)).subTopic).toHaveLength(123)
    expect(codeOf(() => realtime.channel('é'.repeat(124)))).toBe('bad-input')
    expect(codeOf(() => realtime.channel('room', { config: { broadcast: { self: true }, extra: () => {} } as never }))).toBe('bad-input')
  })

  it('rejects bad .on() arguments synchronously', () => {
    rig = setup()
    const room = rig.realtime.channel('room:1')
    const on = room.on.bind(room) as (type: unknown, filter: unknown, callback: unknown) => unknown
    expect(codeOf(() => on('typing', { event: '*' }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('broadcast', { event: 42 }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('broadcast', { event: '' }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('broadcast', null, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('broadcast', { event: 'm' }, 'not a function'))).toBe('bad-input')
    expect(codeOf(() => on('presence', { event: 'update' }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('postgres_changes', { event: 'UPSERT', schema: 'public' }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('postgres_changes', { event: 'INSERT' }, () => {}))).toBe('bad-input')
    expect(codeOf(() => on('postgres_changes', { event: 'INSERT', schema: 'public', table: 3 }, () => {}))).toBe('bad-input')
  })

  it('rejects bad send, track and setAuth without calling the hub', async () => {
    rig = setup()
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    const send = room.send.bind(room) as (message: unknown) => Promise<unknown>
    // What JSON.stringify throws on or drops whole, and binary data (a Date or NaN is serialised: payload.test.ts).
    const cycle: { self?: unknown } = {}
    cycle.self = cycle
    const payloads = [() => {}, Symbol('x'), { id: 1n }, cycle, new Uint8Array(2)]
    for (const payload of payloads) await expect(send({ type: 'broadcast', event: 'm', payload })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(send({ type: 'presence', event: 'm' })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(send({ type: 'broadcast', event: '' })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(send({ type: 'broadcast', event: 'x'.repeat(256) })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(room.track({ id: 1n } as never)).rejects.toMatchObject({ code: 'bad-input' })
    await expect(room.track([] as never)).rejects.toMatchObject({ code: 'bad-input' })
    await expect(rig.realtime.setAuth(7 as never)).rejects.toMatchObject({ code: 'bad-input' })
    expect(rig.hub().sends).toEqual([])
    expect(rig.hub().tracks).toEqual([])
    expect(rig.hub().auths).toEqual([])
    await expect(room.send({ type: 'broadcast', event: 'm', payload: { ok: true } })).resolves.toBe('ok')
  })

  it("applies the welcome's transport rules before calling the hub: event bytes, reserved events, topic bytes (sizes are the hub's)", async () => {
    rig = setup({}, (hub) => {
      hub.capabilities = { ...hub.capabilities, maxMetaBytes: 1_000, maxEventBytes: 10, maxTopicBytes: 20, reservedEvents: ['ping'] }
    })
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    await expect(room.send({ type: 'broadcast', event: 'ping' })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/control frame/) })
    await expect(room.send({ type: 'broadcast', event: 'e'.repeat(11) })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(room.httpSend('e'.repeat(11), { a: 1 })).rejects.toMatchObject({ code: 'bad-input' })
    expect(codeOf(() => rig?.realtime.channel('t'.repeat(21)))).toBe('bad-input')
    expect(rig.hub().sends).toEqual([])
    expect(rig.hub().tracks).toEqual([])
    await expect(room.track({ typing: true })).resolves.toBe('ok')
    await expect(room.send({ type: 'broadcast', event: 'e'.repeat(10) })).resolves.toBe('ok')
  })

  it('send() before subscribe() rejects closed: tabrelay never falls back to REST', async () => {
    rig = setup()
    await expect(rig.realtime.channel('room:1').send({ type: 'broadcast', event: 'm' })).rejects.toMatchObject({ code: 'closed' })
  })
})
