/**
 * One tab must never hurt the others (issue #12): a token the server refuses, a user switch of the
 * leader, an oversized or deeply nested payload, a tab gone before its lock was held, a send whose
 * ack is lost with the socket. Each case failed before its fix.
 */
import { describe, expect, it } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import { checkOutgoing, MAX_JSON_DEPTH } from '../../../src/contract/validate.ts'
import { LOCK_CHECK_MS } from '../../../worker/tab/registry.ts'
import { checkMeta } from '../../../src/contract/validate.ts'
import { createHarness, hello, jwt, onBroadcast, received, sub, type Harness } from './harness.ts'

const t1 = jwt({ sub: 'alice', exp: 2_000_000_000 })
const t2 = jwt({ sub: 'alice', exp: 2_000_000_100 })
// Forged: the worker cannot verify a signature, and its exp is the latest of all.
const forged = jwt({ sub: 'alice', exp: 4_102_444_800 })
const unauthorized = { code: 'unauthorized', message: 'The token provided is not a valid JWT' }

async function joinedAlice(): Promise<Harness> {
  const h = createHarness({ tokenTrialMs: 1_000 })
  h.tab('a', { token: t1 })
  h.tab('b', { token: t1 })
  h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
  h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  return h
}

describe('tokens: a refused token cannot lock the other tabs out', () => {
  it('the refusal drops the token, restores the accepted one, rejoins, and rejects only the offering tab', async () => {
    const h = await joinedAlice()
    const attempt = h.net.latest
    const offered = h.hub.setAuth('a', forged).then(() => 'accepted', (e: unknown) => e)
    await h.settle()
    expect(attempt.auth.at(-1)).toBe(forged)
    // The server shuts the channel down for the bad token.
    await attempt.error('room', unauthorized)
    await expect(offered).resolves.toBeInstanceOf(RelayError)
    await expect(offered).resolves.toMatchObject({ code: 'unauthorized' })
    expect(attempt.auth.at(-1)).toBe(t1)
    expect(attempt.liveChannels('room')).toBe(1)
    await attempt.subscribe('room')
    attempt.broadcast('room', 'msg', 'after')
    await h.settle()
    expect(received(h.sink('b'))).toEqual(['after'])
    // The forged token is never applied again; a valid one with an earlier exp still is.
    await expect(h.hub.setAuth('b', forged)).rejects.toMatchObject({ code: 'unauthorized' })
    const valid = h.hub.setAuth('b', t2)
    h.clock.advance(1_000)
    await expect(valid).resolves.toBeUndefined()
    expect(attempt.auth.at(-1)).toBe(t2)
    expect(h.net.transports).toHaveLength(1)
  })

  it('a token that survives its trial on joined channels is accepted; an expiring accepted token is not rolled back', async () => {
    const h = await joinedAlice()
    const attempt = h.net.latest
    const refreshed = h.hub.setAuth('a', t2)
    h.clock.advance(1_000)
    await expect(refreshed).resolves.toBeUndefined()
    await attempt.error('room', { code: 'unauthorized', message: 'Token has expired 3 seconds ago' })
    await h.settle()
    // The accepted token itself expired: nothing to restore, the channel waits for a fresher one.
    expect(attempt.auth.at(-1)).toBe(t2)
    expect(attempt.liveChannels('room')).toBe(1)
    expect(h.sink('a').deliveries('channel').at(-1)).toMatchObject({ status: 'CHANNEL_ERROR', error: { code: 'unauthorized' } })
  })
})

describe('leaders across a user switch', () => {
  it("alice's leader switching to bob is told it no longer leads: one leader per identity", async () => {
    const h = createHarness()
    const s = h.tab('s', { token: t1, focused: true })
    h.tab('b1', { token: jwt({ sub: 'bob', exp: 2_000_000_000 }), focused: true })
    h.tab('a2', { token: t1 })
    await h.settle()
    expect(s.leaders.at(-1)).toBe(true)
    await h.hub.setAuth('s', jwt({ sub: 'bob', exp: 2_000_000_001 }))
    await h.settle()
    expect(s.leaders.at(-1)).toBe(false)
    expect(h.sink('a2').leaders.at(-1)).toBe(true)
  })
})

describe('payloads over the limits fail in their tab; the shared socket stays up', () => {
  it("a 4 MB broadcast is refused 'bad-input' with the sizes, and nothing reaches the channel", async () => {
    const h = await joinedAlice()
    const big = { s: 'é'.repeat(2 ** 21) }
    const error: unknown = await Promise.resolve().then(() => h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'big', payload: big })).then(() => 'sent', (e: unknown) => e)
    expect(error).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/payload is 4\.0 MB; the 'supabase' transport takes at most 2\.9 MB/) })
    expect(h.net.latest.single('room').sends).toEqual([])
    expect(h.net.latest.isClosed).toBe(false)
  })

  it(`JSON nested past ${MAX_JSON_DEPTH} levels is 'bad-input' in the tab and in the worker, never a RangeError`, () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100_000; i += 1) deep = { deep }
    expect(() => checkOutgoing({ type: 'broadcast', event: 'x', payload: deep })).toThrow(RelayError)
    expect(() => checkMeta(deep)).toThrow(RelayError)
    let fine: unknown = 'leaf'
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i += 1) fine = [fine]
    expect(checkOutgoing({ type: 'broadcast', event: 'x', payload: fine })).toMatchObject({ event: 'x' })
  })
})

describe('tab liveness', () => {
  it("a tab gone between hello and its lock is released after the lock check, not after heartbeats", async () => {
    const h = createHarness()
    h.tab('live', { hasLock: false })
    h.tab('ghost', { hasLock: false })
    h.hub.join('ghost', sub('s1', 'room', [onBroadcast()]))
    // The live tab got its lock meanwhile; the ghost never will.
    h.locks.held.add(hello('live').lockName)
    h.clock.advance(LOCK_CHECK_MS)
    await h.settle()
    expect(h.hub.stats('live')).toMatchObject({ tabs: 1 })
    expect(() => h.hub.stats('ghost')).toThrow(RelayError)
  })
})

describe('the fate of a send', () => {
  it("an acked send whose socket drops resolves 'timed out' at once (other tabs may have it), never a late rejection", async () => {
    const h = await joinedAlice()
    const room = h.net.latest.single('room')
    const sending = h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 1, ack: true })
    await h.settle()
    expect(room.sends).toHaveLength(1)
    h.net.latest.drop()
    await expect(sending).resolves.toBe('timed out')
  })
})
