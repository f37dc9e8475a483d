/**
 * Identity is never guessed (issue 31, item 1 and sign-out): SimpleJWT's integer `user_id`,
 * numeric `sub`s and tokens whose identity cannot be read each get their own connection, never
 * the anonymous one; sign-out leaves the user's connection, which closes; a switch of user ends
 * with one `resync` per subscription. Tokens are real HS256 JWTs signed with jose. Each test
 * failed on the code before (every JWT without a string `sub` was `anon`).
 */
import { describe, expect, it } from 'vitest'
import type { ConnectionTarget } from '../../../src/contract/protocol.ts'
import { websocketTransport } from '../../../worker/transports/websocket/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { createHarness, onBroadcast, received, sub, type Harness } from './harness.ts'
import { inbox, inboxHarness, sign, type Claims } from './trust-fixtures.ts'

const supabase = supabaseTransport()
const ws = websocketTransport()
const onResync = { type: 'system', event: 'resync' } as const

/** Tabs of two users on `room`, both connections joined; returns each user's attempt. */
async function twoUsers(h: Harness, tokenA: string, tokenB: string, hello = {}): Promise<{ a: number; b: number }> {
  h.tab('a1', { token: tokenA, ...hello })
  h.tab('a2', { token: tokenA, ...hello })
  h.tab('b1', { token: tokenB, ...hello })
  for (const tab of ['a1', 'a2', 'b1']) h.hub.join(tab, sub('s1', 'room', [onBroadcast()]))
  for (const attempt of h.net.transports) { attempt.open(); await attempt.subscribe('room') }
  await h.settle()
  return { a: 0, b: 1 }
}

describe('identity from a configurable claim', () => {
  it('SimpleJWT user_id tokens of two users in one profile: two connections, zero cross deliveries', async () => {
    const [u7, u8] = [await sign({ user_id: 7 }), await sign({ user_id: 8 })]
    const h = inboxHarness()
    await twoUsers(h, u7, u8, { target: inbox() })
    expect(h.net.transports.map((t) => t.options.token)).toEqual([u7, u8])
    const [sock7, sock8] = h.net.transports
    sock7?.broadcast('room', 'TEXT', 'for 7')
    sock8?.broadcast('room', 'TEXT', 'for 8')
    await h.settle()
    expect([received(h.sink('a1')), received(h.sink('a2')), received(h.sink('b1'))]).toEqual([['for 7'], ['for 7'], ['for 8']])
    expect(h.hub.stats('a1')).toMatchObject({ identities: 2, connections: 2 })
  })

  it('numeric subs on Supabase: two users, two connections, zero cross deliveries', async () => {
    const [u42, u43] = [await sign({ sub: 42 }), await sign({ sub: 43 })]
    const h = createHarness()
    await twoUsers(h, u42, u43)
    expect(h.net.transports).toHaveLength(2)
    h.net.transports[1]?.broadcast('room', 'msg', 'for 43')
    await h.settle()
    expect(received(h.sink('a1'))).toEqual([])
    expect(received(h.sink('b1'))).toEqual(['for 43'])
  })

  it('7 and "7" are distinct identities, as are claims of another name; the candidates are tried in order', async () => {
    const target: ConnectionTarget = inbox()
    const ids = [await sign({ user_id: 7 }), await sign({ user_id: '7' }), await sign({ sub: '7' }), await sign({ user_id: 7, sub: 'x' })].map((t) => ws.identify(target, t))
    expect(ids).toEqual(['user_id:7', 'user_id:"7"', 'sub:"7"', 'user_id:7'])
    const custom = websocketTransport({ identityClaim: 'uid' })
    expect(custom.identify(target, await sign({ uid: 5, user_id: 7 }))).toBe('uid:5')
  })

  it('a token whose identity cannot be read is its own identity, keyed by a digest, never anonymous', async () => {
    const target: ConnectionTarget = { ...inbox(), transport: 'supabase', params: { apikey: 'k' } }
    const claimless: Claims[] = [{ role: 'authenticated' }, { role: 'authenticated', n: 2 }, { user_id: true }, { sub: '' }]
    const tokens = [...(await Promise.all(claimless.map((c) => sign(c)))), 'opaque-a', 'opaque-b']
    for (const transport of [supabase, ws]) {
      const ids = tokens.map((t) => transport.identify(target, t))
      expect(new Set(ids).size).toBe(tokens.length)
      expect(ids).not.toContain(transport.identify(target, null))
      for (const [i, id] of ids.entries()) expect(id).not.toContain(tokens[i])
    }
    // Supabase's anon key (role anon, no sub) is the anonymous user; elsewhere it is a token like any other.
    const anonKey = await sign({ role: 'anon', iss: 'supabase' })
    expect(supabase.identify(target, anonKey)).toBe(supabase.identify(target, null))
    expect(ws.identify(inbox(), anonKey)).not.toBe(ws.identify(inbox(), null))
  })
})

describe('sign-out and switching user', () => {
  it("setAuth(null) leaves the user's connection, which closes once the user has no tab left", async () => {
    const u7 = await sign({ user_id: 7 })
    const h = inboxHarness()
    h.tab('a', { token: u7, target: inbox() })
    h.tab('b', { token: u7, target: inbox() })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const user = h.net.latest
    user.open()
    await user.subscribe('room')
    await h.hub.setAuth('a', null)
    expect(user.isClosed).toBe(false)
    user.broadcast('room', 'TEXT', 'private to 7')
    await h.settle()
    expect(received(h.sink('a'))).toEqual([])
    // The last tab closes: the connection outlives it by the linger (idleCloseMs), then closes.
    h.hub.bye('b')
    h.clock.advance(5_000)
    await h.settle()
    expect(user.isClosed).toBe(true)
    expect(h.hub.stats('a').identities).toBe(1)
  })

  it('cookie auth: identity null signs the tab out of the named user at once when it was the last', async () => {
    const h = inboxHarness()
    h.tab('a', { target: inbox('user-7') })
    const user = h.net.latest
    await h.hub.setAuth('a', null, null)
    expect(user.isClosed).toBe(true)
  })

  it('a switch of user ends with one resync per subscription on the new identity (joined, or at SUBSCRIBED)', async () => {
    const [u7, u8] = [await sign({ user_id: 7 }), await sign({ user_id: 8 })]
    const h = inboxHarness()
    await twoUsers(h, u7, u8, { target: inbox() })
    h.hub.join('a1', sub('s2', 'lobby', [onResync]))
    h.hub.join('a1', sub('s3', 'room', [onResync]))
    await h.net.transports[0]?.subscribe('lobby')
    await h.hub.setAuth('a1', u8)
    await h.settle()
    const resyncs = (): unknown[] => h.sink('a1').deliveries('system').map((d) => [d.subIds, d.payload])
    // 'room' is joined on user 8's connection already; 'lobby' is still joining there.
    expect(resyncs()).toEqual([[['s3'], { since: null, reason: 'user-switch' }]])
    await h.net.transports[1]?.subscribe('lobby')
    await h.settle()
    expect(resyncs()).toEqual([[['s3'], { since: null, reason: 'user-switch' }], [['s2'], { since: null, reason: 'user-switch' }]])
  })
})
