/**
 * Unverified claims never route (issue 31, item 5). The worker reads a token's claims without
 * verifying them, so a page of the origin can offer a token naming another user. Such a tab gets
 * none of that user's events until the server accepted its token, cannot lock the real tokens
 * out, and `null` or older tokens never replace an accepted one, on any transport. Tokens are
 * HS256 JWTs signed with jose; the forged ones with a key the server does not know. Each test
 * failed on the code before.
 */
import { describe, expect, it } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import { createHarness, onBroadcast, received, sub, type Harness } from './harness.ts'
import { forge, inbox, inboxHarness, sign } from './trust-fixtures.ts'

const FAR = 4_102_444_800
const unauthorized = { code: 'unauthorized', message: 'The token provided is not a valid JWT' }
const listeners = [onBroadcast(), { type: 'system', event: 'resync' } as const]

/** Alice's tab 'v' on 'room', joined, with her real token. */
async function alice(h: Harness, token: string, target = {}): Promise<void> {
  h.tab('v', { token, ...target })
  h.hub.join('v', sub('s1', 'room', listeners))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  await h.settle()
}

describe("a forged token naming a signed-in user (the server has accepted that user's token)", () => {
  it('gets no event, presence or SUBSCRIBED of the connection, cannot send as the user, and its token is tried once, then never again', async () => {
    const real = await sign({ sub: 'alice' })
    const forged = await forge({ sub: 'alice', exp: FAR })
    const h = createHarness()
    await alice(h, real)
    const attempt = h.net.latest
    attempt.presence('room', 'sync', { state: { alice: [{ online: true, presence_ref: '1' }] } })
    const mallory = h.tab('m', { token: forged })
    expect(h.hub.join('m', sub('s1', 'room', listeners))).toEqual({ status: 'joining', presence: {} })
    await h.settle()
    // Neither alice's tab nor mallory's own accessToken() gave a proven token: the server judges it.
    expect(attempt.auth).toEqual([real, forged])
    await attempt.error('room', unauthorized)
    await attempt.subscribe('room')
    attempt.broadcast('room', 'msg', 'private to alice')
    await h.settle()
    expect(received(h.sink('v'))).toEqual(['private to alice'])
    expect(mallory.batches.flat().filter((d) => d.kind !== 'channel' || d.status === 'SUBSCRIBED')).toEqual([])
    expect(h.hub.stats('m').channels).toEqual([])
    expect(h.hub.stats('v').channels).toHaveLength(1)
    expect(attempt.auth).toEqual([real, forged, real])
    // Saying hello again with it, it is refused at once; the connection never sees it again.
    h.tab('m', { token: forged })
    h.clock.advance(60_000)
    await h.settle()
    expect(attempt.auth).toEqual([real, forged, real])
    const sending = h.hub.connectionOf('m').sends.send('m', 's1', { type: 'broadcast', event: 'msg', payload: 'as alice' }).then(() => 'sent', (e: unknown) => e)
    h.clock.advance(5_000)
    await expect(sending).resolves.toBeInstanceOf(RelayError)
    await expect(sending).resolves.toMatchObject({ code: 'unauthorized' })
    expect(attempt.single('room').sends).toEqual([])
    expect(h.net.transports).toHaveLength(1)
  })

  it('once the tab gives the token the server accepted, it is admitted: the status, the presence and one resync for what it missed', async () => {
    const real = await sign({ sub: 'alice' })
    const h = createHarness()
    await alice(h, real)
    const attempt = h.net.latest
    attempt.presence('room', 'sync', { state: { alice: [{ online: true, presence_ref: '1' }] } })
    h.tab('m', { token: await forge({ sub: 'alice', exp: FAR }) })
    h.hub.join('m', sub('s1', 'room', [...listeners, { type: 'presence', event: 'sync' }]))
    await h.settle()
    // The server refuses the forged token on trial, and answers the re-join (presence turned on).
    await attempt.error('room', unauthorized)
    await attempt.subscribe('room')
    attempt.broadcast('room', 'msg', 'missed')
    await h.settle()
    await h.hub.setAuth('m', real)
    await h.settle()
    attempt.broadcast('room', 'msg', 'after')
    await h.settle()
    const kinds = h.sink('m').batches.flat().map((d) => (d.kind === 'broadcast' ? d.payload : d.kind === 'channel' ? d.status : d.kind === 'system' ? d.event : d.kind))
    // A held tab sees failures (the refusal of its own token), then the catch-up, then events.
    expect(kinds).toEqual(['CHANNEL_ERROR', 'SUBSCRIBED', 'presence', 'resync', 'after'])
  })
})

describe('a forged token offered before any token was accepted cannot lock the real ones out', () => {
  it('Supabase: the server refuses it, the real token of another tab takes over, and only that tab is admitted', async () => {
    const real = await sign({ sub: 'alice', exp: 2_000_000_000 })
    const h = createHarness()
    const mallory = h.tab('m', { token: await forge({ sub: 'alice', exp: FAR }) })
    h.hub.join('m', sub('s1', 'room', listeners))
    h.tab('v', { token: real })
    h.hub.join('v', sub('s1', 'room', listeners))
    const attempt = h.net.latest
    attempt.open()
    await attempt.error('room', unauthorized)
    await h.settle()
    expect(attempt.auth.at(-1)).toBe(real)
    await attempt.subscribe('room')
    attempt.broadcast('room', 'msg', 'private to alice')
    await h.settle()
    expect(received(h.sink('v'))).toEqual(['private to alice'])
    expect(received(mallory)).toEqual([])
  })

  it('WebSocket: the attempt it opened is accepted, then closed 4401; the next one opens with the real token, and only that tab is admitted', async () => {
    const real = await sign({ user_id: 7, exp: 2_000_000_000 })
    const forged = await forge({ user_id: 7, exp: FAR })
    const h = inboxHarness()
    const mallory = h.tab('m', { token: forged, target: inbox() })
    h.hub.join('m', sub('s1', 'room', listeners))
    h.tab('v', { token: real, target: inbox() })
    h.hub.join('v', sub('s1', 'room', listeners))
    expect(h.net.latest.options.token).toBe(forged)
    // Like the Django test server: the socket is accepted (the subscribe frames go out), then closed 4401.
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    h.net.latest.drop({ code: 'unauthorized', message: 'closed 4401' }, 'unauthorized')
    h.clock.advance(30_000)
    await h.settle()
    const next = h.net.latest
    expect(next.options.token).toBe(real)
    next.open()
    await next.subscribe('room')
    next.broadcast('room', 'TEXT', 'private to 7')
    await h.settle()
    expect(received(h.sink('v'))).toEqual(['private to 7'])
    expect(received(mallory)).toEqual([])
  })
})

describe('null and older tokens never replace an accepted one (every transport)', () => {
  it("WebSocket, cookie identity: a tab whose token() answers null (its accessToken() was late) leaves the user's token in place", async () => {
    const real = await sign({ user_id: 7 })
    const h = inboxHarness()
    await alice(h, real, { target: inbox('user-7') })
    h.sink('v').answer = () => Promise.resolve(null)
    h.net.latest.drop()
    h.clock.advance(30_000)
    await h.settle()
    expect(h.sink('v').tokenCalls).toBe(1)
    expect(h.net.latest.options.token).toBe(real)
  })

  it('WebSocket: a stale token in a hello never replaces the fresh accepted one; the tab is admitted once its accessToken() gives the fresh one', async () => {
    const stale = await sign({ user_id: 7, iat: 1_700_000_000 })
    const fresh = await sign({ user_id: 7, iat: 1_700_000_300 })
    const h = inboxHarness()
    await alice(h, fresh, { target: inbox() })
    const attempt = h.net.latest
    const late = h.tab('b', { token: stale, target: inbox() })
    late.answer = () => Promise.resolve(fresh)
    h.hub.join('b', sub('s1', 'room', listeners))
    await h.settle()
    expect(attempt.auth).toEqual([fresh])
    attempt.broadcast('room', 'TEXT', 'hi')
    await h.settle()
    expect(received(late)).toEqual(['hi'])
    attempt.drop()
    h.clock.advance(30_000)
    await h.settle()
    expect(h.net.latest.options.token).toBe(fresh)
  })
})
