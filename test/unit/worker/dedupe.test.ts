import { describe, expect, it } from 'vitest'
import { SEND_KEY, SeenKeys, takeKey, withKey } from '../../../worker/persist/dedupe.ts'
import { checkOutgoing } from '../../../src/contract/validate.ts'
import { checkClientOptions } from '../../../src/core/options.ts'

describe('the idempotency key of a persisted send (worker/dedupe.ts)', () => {
  it('rides in an object payload and is taken out again; other payloads travel without it', () => {
    expect(withKey({ text: 'hi' }, 'k1')).toEqual({ text: 'hi', [SEND_KEY]: 'k1' })
    expect(takeKey({ text: 'hi', [SEND_KEY]: 'k1' })).toEqual({ key: 'k1', payload: { text: 'hi' } })
    for (const payload of [[1, 2], 'text', 3, null]) {
      expect(withKey(payload, 'k1')).toEqual(payload)
      expect(takeKey(payload)).toEqual({ key: null, payload })
    }
    // A key that is not a string is the app's own data: left alone.
    expect(takeKey({ [SEND_KEY]: 7 })).toEqual({ key: null, payload: { [SEND_KEY]: 7 } })
  })

  it('a topic remembers at most its bound of keys, forgetting the oldest first', () => {
    const seen = new SeenKeys(2)
    expect([seen.isNew('a'), seen.isNew('b'), seen.isNew('a')]).toEqual([true, true, false])
    expect(seen.isNew('c')).toBe(true)
    // 'a' was the oldest: forgotten when 'c' came, so it counts as new again.
    expect([seen.isNew('b'), seen.isNew('a')]).toEqual([false, true])
  })
})

describe("outbox: 'persist' on the tab side", () => {
  it("a send may ask for the persisted outbox; anything but 'persist' is refused bad-input", () => {
    expect(checkOutgoing({ type: 'broadcast', event: 'msg', payload: 1, outbox: 'persist' })).toEqual({ type: 'broadcast', event: 'msg', payload: 1, outbox: 'persist' })
    expect(() => checkOutgoing({ type: 'broadcast', event: 'msg', outbox: 'disk' })).toThrow(expect.objectContaining({ code: 'bad-input' }))
  })

  it("the client option is 'memory' or 'persist'", () => {
    const target = { transport: 'inbox', endpoint: 'memory://inbox', params: {}, identity: null }
    const worker = (): never => { throw new Error('not started') }
    expect(checkClientOptions({ worker, outbox: 'persist' }, target, 'createRelay').outbox).toBe('persist')
    expect(() => checkClientOptions({ worker, outbox: 'disk' as 'persist' }, target, 'createRelay')).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/outbox must be/) }))
  })
})
