import { describe, expect, it } from 'vitest'
import { claimsOf, defaultIdentity, tokenIdentity } from '../../../worker/connection/claims.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import type { ConnectionTarget } from '../../../src/contract/protocol.ts'
import { APIKEY, createHarness, jwt, onBroadcast, received, sub, URL } from './harness.ts'

const x1 = jwt({ sub: 'user-x', exp: 1_000 })
const x2 = jwt({ sub: 'user-x', exp: 2_000 })
const y1 = jwt({ sub: 'user-y', exp: 5_000 })

describe('identity', () => {
  const target = (apikey = APIKEY, identity: string | null = null): ConnectionTarget => ({ transport: 'supabase', endpoint: URL, params: { apikey }, identity })
  const supabase = supabaseTransport()

  it('reads sub, exp and iat; anything unreadable has none', () => {
    expect(claimsOf(x1)).toEqual({ sub: 'user-x', exp: 1_000, iat: null })
    expect(claimsOf('not-a-jwt')).toEqual({ sub: null, exp: null, iat: null })
    expect(claimsOf('a.%%%.c')).toEqual({ sub: null, exp: null, iat: null })
    expect(claimsOf(null)).toEqual({ sub: null, exp: null, iat: null })
  })

  it('Supabase: one identity per apikey and JWT sub; only no token or the anon key is anonymous, any other token without sub its own', () => {
    expect(supabase.identify(target(), x1)).toBe(supabase.identify(target(), x2))
    expect(supabase.identify(target(), x1)).not.toBe(supabase.identify(target(), y1))
    expect(supabase.identify(target(), null)).toBe(supabase.identify(target(), jwt({ role: 'anon', exp: 9 })))
    // A JWT without sub that is not the anon key (a service key, another issuer's token) is never anonymous.
    expect(supabase.identify(target(), jwt({ exp: 9 }))).not.toBe(supabase.identify(target(), null))
    expect(supabase.identify(target(), jwt({ role: 'service_role' }))).not.toBe(supabase.identify(target(), jwt({ role: 'authenticated' })))
    expect(supabase.identify(target('other-key'), x1)).not.toBe(supabase.identify(target(), x1))
    // A garbage token must not ride (and offer itself to) the anonymous connection.
    expect(supabase.identify(target(), 'not-a-jwt')).not.toBe(supabase.identify(target(), null))
    // The JWT decides on Supabase; an explicit identity cannot claim another user's connection.
    expect(supabase.identify(target(APIKEY, 'user-y'), x1)).toBe(supabase.identify(target(), x1))
  })

  it('other transports: an explicit identity (cookie auth) wins, else the token decides', () => {
    const rule = { claim: ['user_id', 'sub'] }
    expect(defaultIdentity(target(APIKEY, 'user-7'), null, rule)).toBe('id:user-7')
    expect(defaultIdentity(target(APIKEY, 'user-7'), x1, rule)).toBe('id:user-7')
    expect(defaultIdentity(target(), x1, rule)).toBe(tokenIdentity(x2, rule))
    expect(defaultIdentity(target(), 'opaque-1', rule)).not.toBe(defaultIdentity(target(), 'opaque-2', rule))
  })
})

describe('identity separation through the hub', () => {
  it("gives each user a transport of their own and never crosses events", async () => {
    const h = createHarness()
    h.tab('x', { token: x1 })
    h.tab('y', { token: y1 })
    h.hub.join('x', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('y', sub('s1', 'room', [onBroadcast()]))
    await h.settle()
    expect(h.net.transports).toHaveLength(2)
    const [tx, ty] = h.net.transports
    expect(tx?.options.token).toBe(x1)
    expect(ty?.options.token).toBe(y1)
    await tx?.subscribe('room')
    await ty?.subscribe('room')
    tx?.broadcast('room', 'msg', 'for x')
    await h.hub.connectionOf('x').sends.send('x', 's1', { type: 'broadcast', event: 'msg', payload: 'from x' })
    await h.settle()
    expect(received(h.sink('x'))).toEqual(['for x'])
    expect(received(h.sink('y'))).toEqual([])
    expect(ty?.single('room').sends).toEqual([])
    expect(h.hub.stats('x')).toMatchObject({ identities: 2, tabs: 1 })
  })

  it("never applies another user's token from askToken to a connection", async () => {
    const h = createHarness()
    const x = h.tab('x', { token: x1 })
    h.tab('y', { token: y1 })
    h.hub.join('x', sub('s1', 'room'))
    await h.settle()
    const tx = h.net.transports.find((t) => t.options.token === x1)
    if (!tx) throw new Error('no transport for user x')
    // Tab x has switched user in its page but has not called setAuth yet.
    x.answer = () => Promise.resolve(y1)
    tx.open()
    tx.drop()
    h.clock.advance(1_000)
    await h.settle()
    expect(x.tokenCalls).toBe(1)
    expect(h.sink('y').tokenCalls).toBe(0)
    const next = h.net.transports.at(-1)
    expect(next).not.toBe(tx)
    expect(next?.auth).toEqual([x1])
  })

  it('applies the freshest token of the user with setAuth, without a new transport', async () => {
    const h = createHarness()
    h.tab('a', { token: x1 })
    h.tab('b', { token: x1 })
    h.hub.join('a', sub('s1', 'room'))
    await h.settle()
    const transport = h.net.latest
    h.hub.setAuth('b', x2)
    await h.settle()
    h.hub.setAuth('a', x1)
    await h.settle()
    expect(transport.auth).toEqual([x1, x2])
    expect(h.net.transports).toHaveLength(1)
  })

  it('a channel refused for its token rejoins when a fresher token arrives', async () => {
    const h = createHarness()
    h.tab('a', { token: x1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const transport = h.net.latest
    await transport.error('room', { code: 'unauthorized', message: 'Token has expired 3 seconds ago' })
    h.hub.setAuth('a', x2)
    await h.settle()
    expect(transport.calls).toEqual([`open ${x1}`, 'channel room', `setAuth ${x2}`, 'channel room'])
    expect(transport.liveChannels('room')).toBe(1)
    await transport.subscribe('room')
    await h.settle()
    expect(h.sink('a').deliveries('channel').map((d) => d.status)).toEqual(['CHANNEL_ERROR', 'SUBSCRIBED'])
  })

  it("setAuth(null) moves the tab to anonymous and closes the user's transport once no tab is left", async () => {
    const h = createHarness()
    h.tab('a', { token: x1 })
    h.tab('b', { token: x1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    await h.settle()
    const user = h.net.latest
    // A server sends a channel's events only once it joined it (which proves the token).
    await user.subscribe('room')
    h.hub.setAuth('a', null)
    await h.settle()
    expect(user.isClosed).toBe(false)
    expect(h.net.transports).toHaveLength(2)
    const anon = h.net.latest
    expect(anon.options.token).toBeNull()
    expect(anon.liveChannels('room')).toBe(1)
    await anon.subscribe('room')
    anon.broadcast('room', 'msg', 'anon')
    user.broadcast('room', 'msg', 'user')
    await h.settle()
    expect(received(h.sink('a'))).toEqual(['anon'])
    expect(received(h.sink('b'))).toEqual(['user'])
    expect(h.sink('a').deliveries('channel').at(-1)).toEqual({ kind: 'channel', subIds: ['s1'], status: 'SUBSCRIBED' })
    h.hub.setAuth('b', null)
    await h.settle()
    expect(user.isClosed).toBe(true)
    expect(h.net.transports).toHaveLength(2)
    expect(anon.liveChannels('room')).toBe(1)
  })
})
