import { describe, expect, it } from 'vitest'
import { claimsOf, identityKey } from '../../../worker/identity.ts'
import { APIKEY, createHarness, jwt, onBroadcast, received, sub, URL } from './harness.ts'

const x1 = jwt({ sub: 'user-x', exp: 1_000 })
const x2 = jwt({ sub: 'user-x', exp: 2_000 })
const y1 = jwt({ sub: 'user-y', exp: 5_000 })

describe('identity', () => {
  it('reads sub and exp; anything unreadable is anonymous', () => {
    expect(claimsOf(x1)).toEqual({ sub: 'user-x', exp: 1_000 })
    expect(claimsOf('not-a-jwt')).toEqual({ sub: null, exp: null })
    expect(claimsOf('a.%%%.c')).toEqual({ sub: null, exp: null })
    expect(claimsOf(null)).toEqual({ sub: null, exp: null })
    expect(identityKey(URL, APIKEY, x1)).toBe(identityKey(URL, APIKEY, x2))
    expect(identityKey(URL, APIKEY, x1)).not.toBe(identityKey(URL, APIKEY, y1))
    expect(identityKey(URL, APIKEY, null)).toBe(identityKey(URL, APIKEY, jwt({ exp: 9 })))
    expect(identityKey(URL, 'other-key', x1)).not.toBe(identityKey(URL, APIKEY, x1))
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
    await h.hub.send('x', 's1', { type: 'broadcast', event: 'msg', payload: 'from x' })
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
    await h.settle()
    expect(x.tokenCalls).toBe(1)
    expect(h.sink('y').tokenCalls).toBe(0)
    expect(tx.auth).toEqual([x1, x1])
    expect(tx.auth).not.toContain(y1)
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
    expect(transport.connects).toBe(1)
  })

  it('a channel refused for its token rejoins when a fresher token arrives', async () => {
    const h = createHarness()
    h.tab('a', { token: x1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const transport = h.net.latest
    await transport.error('room', { code: 'unauthorized', message: 'Token has expired 3 seconds ago' })
    h.hub.setAuth('a', x2)
    await h.settle()
    expect(transport.calls).toEqual(['connect', `setAuth ${x1}`, 'channel room', `setAuth ${x2}`, 'channel room'])
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
