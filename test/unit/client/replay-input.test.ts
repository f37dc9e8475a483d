// The one rule for `persist` and `config.broadcast.replay` (src/contract/validate.ts), which tab and hub both apply.
import { describe, expect, it } from 'vitest'
import { checkOutgoing, checkSubscription } from '../../../src/contract/validate.ts'

const bad = expect.objectContaining({ code: 'bad-input' })
const sub = (config: unknown): unknown => ({ subId: '1', topic: 'room', config, bindings: [] })

describe('persist and replay input', () => {
  it('persist: a boolean or { ttl: seconds > 0 }; false is dropped, anything else fails bad-input', () => {
    expect(checkOutgoing({ type: 'broadcast', event: 'e', persist: true })).toEqual({ type: 'broadcast', event: 'e', persist: true })
    expect(checkOutgoing({ type: 'broadcast', event: 'e', persist: { ttl: 60 } })).toEqual({ type: 'broadcast', event: 'e', persist: { ttl: 60 } })
    expect(checkOutgoing({ type: 'broadcast', event: 'e', persist: false })).toEqual({ type: 'broadcast', event: 'e' })
    for (const persist of ['yes', 1, { ttl: -1 }, { ttl: 'long' }, { keep: true }, null]) {
      expect(() => checkOutgoing({ type: 'broadcast', event: 'e', persist })).toThrow(bad)
    }
  })

  it('replay: { since >= 0, limit? > 0 } integers, on private channels only', () => {
    expect(checkSubscription(sub({ private: true, broadcast: { replay: { since: 0, limit: 25 } } }))).toBeTruthy()
    expect(checkSubscription(sub({ private: true, broadcast: { replay: { since: 1_700_000_000_000 } } }))).toBeTruthy()
    expect(() => checkSubscription(sub({ broadcast: { replay: { since: 0 } } }))).toThrow(expect.objectContaining({ message: expect.stringMatching(/private: true/) }))
    for (const replay of [{}, { since: -1 }, { since: 1.5 }, { since: '0' }, { since: 0, limit: 0 }, { since: 0, limit: 2.5 }, 'yesterday']) {
      expect(() => checkSubscription(sub({ private: true, broadcast: { replay } }))).toThrow(bad)
    }
  })
})
