// Binary codec and filter parser as plain functions, with properties checked against realtime-js itself.
import Serializer from '@supabase/realtime-js/dist/module/lib/serializer.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchesFilter, parseFilter, splitOutside } from '../../../demo/server/filters.ts'
import { bindingId } from '../../../demo/server/postgres.ts'
import {
  decodeText,
  decodeUserBroadcastPush,
  encodeUserBroadcast,
  encodeUserBroadcastPush,
} from '../../../demo/server/serializer.ts'

const client = new Serializer()
// Header strings must fit a u8 byte length; multi-byte characters make that differ from .length.
const field = fc.string({ unit: 'grapheme', maxLength: 40 })
const jsonPayload = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)))

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

describe('kind 3 / kind 4 codec', () => {
  it('decodes whatever the realtime-js client encodes (JSON and raw payloads)', () => {
    fc.assert(
      fc.property(field, field, field, field, fc.oneof(jsonPayload, fc.uint8Array({ maxLength: 64 })), (joinRef, ref, topic, event, payload) => {
        const isRaw = payload instanceof Uint8Array
        const msg = { join_ref: joinRef, ref, topic, event: 'broadcast', payload: { type: 'broadcast', event, payload: isRaw ? toArrayBuffer(payload) : payload } }
        const frame = client.encode(msg, (x: ArrayBuffer | string) => x) as ArrayBuffer
        const decoded = decodeUserBroadcastPush(new Uint8Array(frame))
        expect(decoded).toMatchObject({ joinRef: joinRef || null, ref: ref || null, topic, event, metadata: '', encoding: isRaw ? 0 : 1 })
        const body = decoded?.payload ?? Buffer.alloc(0)
        if (isRaw) expect([...body]).toEqual([...payload])
        else expect(JSON.parse(body.toString('utf8'))).toEqual(payload)
      }),
    )
  })

  it('encodes kind 4 frames the realtime-js client decodes to the same broadcast', () => {
    fc.assert(
      fc.property(field, field, jsonPayload, fc.option(jsonPayload, { nil: undefined }), (topic, event, payload, meta) => {
        const metadata = meta === undefined || Object.keys(meta).length === 0 ? '' : JSON.stringify(meta)
        const frame = encodeUserBroadcast({ topic, event, metadata, encoding: 1, payload: Buffer.from(JSON.stringify(payload)) })
        expect(frame).not.toBeNull()
        const decoded = client.decode(toArrayBuffer(frame ?? Buffer.alloc(0)), (x: unknown) => x) as { topic: string; payload: unknown }
        const expected: Record<string, unknown> = { type: 'broadcast', event, payload }
        if (metadata !== '') expected['meta'] = meta
        expect(decoded).toEqual({ join_ref: null, ref: null, topic, event: 'broadcast', payload: expected })
      }),
    )
  })

  it('round-trips its own kind 3 encoding and never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(field, field, field, field, fc.uint8Array({ maxLength: 32 }), (joinRef, ref, topic, event, bytes) => {
        const msg = { joinRef: joinRef || null, ref: ref || null, topic, event, metadata: '', encoding: 0 as const, payload: Buffer.from(bytes) }
        expect(decodeUserBroadcastPush(encodeUserBroadcastPush(msg) ?? Buffer.alloc(0))).toEqual(msg)
      }),
    )
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(() => decodeUserBroadcastPush(bytes)).not.toThrow()
    }))
  })

  it('refuses header fields over 255 bytes instead of corrupting the frame', () => {
    expect(encodeUserBroadcast({ topic: 'é'.repeat(128), event: 'e', metadata: '', encoding: 1, payload: Buffer.from('{}') })).toBeNull()
  })

  it('decodeText never throws and rejects non-frames', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      expect(() => decodeText('2.0.0', text)).not.toThrow()
      expect(() => decodeText('1.0.0', text)).not.toThrow()
    }))
    expect(decodeText('2.0.0', '[null,"1","phoenix","heartbeat"]')).toBeNull()
    expect(decodeText('1.0.0', '{"topic":1,"event":"x"}')).toBeNull()
  })
})

describe('filters', () => {
  it('parses operators, not., quoted values and in-lists', () => {
    const parsed = parseFilter('status=not.in.(a,"b,c"),name=eq."x\\"y",id=gte.5,flag=is.true')
    expect(parsed).toEqual({ ok: true, conditions: [
      { column: 'status', isNegated: true, op: 'in', values: ['a', 'b,c'] },
      { column: 'name', isNegated: false, op: 'eq', values: ['x"y'] },
      { column: 'id', isNegated: false, op: 'gte', values: ['5'] },
      { column: 'flag', isNegated: false, op: 'is', values: ['true'] },
    ] })
    expect(parseFilter('  ')).toEqual({ ok: true, conditions: [] })
    expect(parseFilter('foo=hey')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["foo", "hey"]' })
    expect(parseFilter('a=is.maybe').ok).toBe(false)
  })

  it('evaluates like SQL: NULL fails comparisons and their negations; missing columns never match', () => {
    const check = (filter: string, row: Record<string, unknown>): boolean => {
      const parsed = parseFilter(filter)
      return parsed.ok && matchesFilter(parsed.conditions, row)
    }
    expect(check('n=lt.10', { n: 9 })).toBe(true)
    expect(check('n=lt.10', { n: 10 })).toBe(false)
    expect(check('n=neq.1', { n: null })).toBe(false)
    expect(check('n=not.eq.1', { n: null })).toBe(false)
    expect(check('n=is.null', { n: null })).toBe(true)
    expect(check('n=isdistinct.1', { n: null })).toBe(true)
    expect(check('n=isdistinct.null', { n: null })).toBe(false)
    expect(check('t=like.ab%', { t: 'abc' })).toBe(true)
    expect(check('t=like.ab%', { t: 'ABC' })).toBe(false)
    expect(check('t=ilike.ab*', { t: 'ABC' })).toBe(true)
    expect(check('t=match.^a.c$', { t: 'abc' })).toBe(true)
    expect(check('t=imatch.^A', { t: 'abc' })).toBe(true)
    expect(check('b=eq.true', { b: true })).toBe(true)
    expect(check('x=eq.1', { y: 1 })).toBe(false)
  })

  it('in.(…) matches exactly the listed values, whatever the quoting', () => {
    const value = fc.string({ maxLength: 6 }).filter((s) => !/["\\]/.test(s))
    fc.assert(fc.property(fc.uniqueArray(value, { minLength: 1, maxLength: 5 }), value, (list, probe) => {
      const parsed = parseFilter(`c=in.(${list.map((v) => JSON.stringify(v)).join(',')})`)
      expect(parsed.ok && matchesFilter(parsed.conditions, { c: probe })).toBe(list.includes(probe))
    }))
  })

  it('splitOutside keeps quoted and parenthesised commas together', () => {
    expect(splitOutside('a=eq."x,y",b=in.(1,2),c=eq.3', ',')).toEqual(['a=eq."x,y"', 'b=in.(1,2)', 'c=eq.3'])
  })

  it('binding ids are deterministic 27-bit integers independent of key order', () => {
    fc.assert(fc.property(jsonPayload, (entry) => {
      const reversed = Object.fromEntries(Object.entries(entry).reverse())
      const id = bindingId(entry)
      expect(id).toBe(bindingId(reversed))
      expect(Number.isInteger(id) && id >= 0 && id < 2 ** 27).toBe(true)
    }))
  })
})
