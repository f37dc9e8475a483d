/**
 * The bench sender's frames, built from a cached prefix, are byte for byte what JSON.stringify of
 * the envelope wrote before (the tabs and the server parse the same text).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { STREAM_EVENT } from '../../bench/app/contract.ts'
import { framePrefix, tickFrame } from '../../bench/sender.ts'

describe('tickFrame', () => {
  it('equals JSON.stringify of the broadcast envelope for any topic, seq, stamp and refs', () => {
    fc.assert(fc.property(fc.string(), fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(), fc.nat(), (topic, seq, sentAt, ref, joinRef) => {
      const expected = JSON.stringify({ topic, event: 'broadcast', payload: { type: 'broadcast', event: STREAM_EVENT, payload: { seq, sentAt } }, ref: String(ref), join_ref: String(joinRef) })
      expect(tickFrame(framePrefix(topic), seq, sentAt, String(ref), String(joinRef))).toBe(expected)
    }))
  })
})
