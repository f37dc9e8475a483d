/**
 * The transport contract (STYLE.md §8, after automerge-repo `helpers/tests/network-adapter-tests.ts`):
 * what the hub relies on from any {@link Transport}, checked through that interface alone against the
 * local server (demo/server). Each transport's test file runs it once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { bindingKey } from '../../../src/contract/bindings.ts'
import type { PostgresFilter } from '../../../src/contract/protocol.ts'
import type { Transport, TransportFactory } from '../../../worker/transports/transport.ts'
import { nextSecond } from '../helpers/realtime.ts'
import { Peers, spec, until, type OpenedChannel } from './harness.ts'

/**
 * Registers the transport contract suite (a Vitest `describe`) for one transport. Every test starts
 * its own server on a free port and closes every transport it made.
 * @param name - The transport's name, shown in the suite's title.
 * @param makeFactory - Builds the {@link TransportFactory} under test; called once per test.
 * @example
 * runTransportContract('supabase', () => supabaseTransport({ WebSocket }))
 */
export function runTransportContract(name: string, makeFactory: () => TransportFactory): void {
  describe(`transport contract: ${name}`, () => {
    let server: RealtimeServer
    let peers: Peers

    beforeEach(async () => {
      server = await startRealtimeServer({ port: 0 })
      peers = new Peers(server, makeFactory())
    })

    afterEach(async () => {
      await peers.closeAll()
      await server.close()
    })

    const broadcasts = (room: OpenedChannel): Array<[string, unknown]> =>
      room.of('broadcast').map((call) => [call.event, call.payload])

    it('connects (events.open, isOpen) and joins a channel (status SUBSCRIBED)', async () => {
      const alice = await peers.connect('alice')
      expect(alice.transport.isOpen()).toBe(true)
      const room = await alice.join(spec('room'))
      expect(room.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
      expect(alice.events).toEqual([{ kind: 'open' }])
      expect(server.stats()).toMatchObject({ connections: 1, topics: { 'realtime:room': 1 } })
    })

    it('broadcasts reach the other socket once, never the sender; acked sends resolve after the server acked', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const aliceRoom = await alice.join(spec('room'))
      const bobRoom = await bob.join(spec('room'))
      const framesIn = server.stats().messagesIn
      await expect(aliceRoom.channel.send('first', { n: 1 }, true)).resolves.toBe('ok')
      // Resolved only once the server had the frame, and so had fanned it out and answered.
      expect(server.stats().messagesIn).toBeGreaterThan(framesIn)
      await expect(aliceRoom.channel.send('second', { n: 2, nested: ['x'] }, false)).resolves.toBe('ok')
      await until(() => bobRoom.of('broadcast').length >= 2, 'bob gets both broadcasts')
      // Bob's reply travels after the server handled both of Alice's: an echo would have come first.
      await expect(bobRoom.channel.send('reply', { n: 3 }, true)).resolves.toBe('ok')
      await until(() => aliceRoom.of('broadcast').length >= 1, 'alice gets the reply')
      expect(broadcasts(bobRoom)).toEqual([['first', { n: 1 }], ['second', { n: 2, nested: ['x'] }]])
      expect(broadcasts(aliceRoom)).toEqual([['reply', { n: 3 }]])
    })

    it('a private and a public channel of the same topic are separate', async () => {
      const [pubA, pubB, privA, privB] = await Promise.all(['p1', 'p2', 'q1', 'q2'].map((sub) => peers.connect(sub)))
      if (!pubA || !pubB || !privA || !privB) throw new Error('four peers expected')
      const [openA, openB] = [await pubA.join(spec('room')), await pubB.join(spec('room'))]
      const [secretA, secretB] = [await privA.join(spec('room', { isPrivate: true })), await privB.join(spec('room', { isPrivate: true }))]
      expect(server.stats().topics).toEqual({ 'realtime:room': 2, 'private:realtime:room': 2 })
      // Each send is acked before the next, so a leak would arrive before the next expected message.
      await expect(secretA.channel.send('secret-1', {}, true)).resolves.toBe('ok')
      await expect(openA.channel.send('public', {}, true)).resolves.toBe('ok')
      await expect(secretA.channel.send('secret-2', {}, true)).resolves.toBe('ok')
      await until(() => openB.of('broadcast').length >= 1 && secretB.of('broadcast').length >= 2, 'both receivers')
      expect(broadcasts(openB)).toEqual([['public', {}]])
      expect(broadcasts(secretB)).toEqual([['secret-1', {}], ['secret-2', {}]])
    })

    it('presence: track is a join and a sync on the other socket, untrack a leave', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const aliceLobby = await alice.join(spec('lobby', { hasPresence: true, presenceKey: 'alice' }))
      const bobLobby = await bob.join(spec('lobby', { hasPresence: true, presenceKey: 'bob' }))
      await expect(bobLobby.channel.track({ name: 'Bob', tags: ['x'] })).resolves.toBe('ok')
      const bobMeta = expect.objectContaining({ name: 'Bob', tags: ['x'], presence_ref: expect.any(String) })
      const join = await until(() => aliceLobby.of('presence').find((c) => c.event === 'join' && c.detail.key === 'bob'), 'join of bob')
      expect(join.detail.joined).toEqual([bobMeta])
      expect(join.detail.state).toEqual({ bob: [bobMeta] })
      await until(() => aliceLobby.of('presence').find((c) => c.event === 'sync' && c.detail.state['bob']), 'sync with bob')
      expect(aliceLobby.channel.presenceState()).toEqual({ bob: [bobMeta] })
      expect(bobLobby.channel.presenceState()).toEqual({ bob: [bobMeta] })

      await expect(bobLobby.channel.untrack()).resolves.toBe('ok')
      const leave = await until(() => aliceLobby.of('presence').find((c) => c.event === 'leave' && c.detail.key === 'bob'), 'leave of bob')
      expect(leave.detail.left).toEqual([bobMeta])
      // realtime-js empties the key's list before the leave callback and deletes it just after.
      expect(leave.detail.state['bob'] ?? []).toEqual([])
      await until(() => aliceLobby.of('presence').at(-1)?.event === 'sync', 'the sync after the leave')
      expect(aliceLobby.of('presence').at(-1)?.detail.state).toEqual({})
      expect(aliceLobby.channel.presenceState()).toEqual({})
    })

    it('postgres_changes: one change is one handlers.postgres call with the key of every filter it matched', async () => {
      const insertOne: PostgresFilter = { event: 'INSERT', schema: 'public', table: 'a', filter: 'id=eq.1' }
      const anyOnA: PostgresFilter = { event: '*', schema: 'public', table: 'a' }
      const alice = await peers.connect('alice')
      const feed = await alice.join(spec('feed', { postgres: [insertOne, anyOnA] }))
      expect(server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 1, title: 'one' } })).toBe(1)
      await until(() => feed.of('postgres').length >= 1, 'the insert')
      // Changes arrive in order on one socket: a split first delivery would show before the second.
      server.emitChange({ schema: 'public', table: 'a', type: 'UPDATE', record: { id: 1, title: 'uno' }, old_record: { id: 1 } })
      server.emitChange({ schema: 'public', table: 'b', type: 'INSERT', record: { id: 1 } })
      server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 2, title: 'two' } })
      await until(() => feed.of('postgres').length >= 3, 'the update and the second insert')
      const deliveries = feed.of('postgres').map((call) => ({ keys: [...call.keys].sort(), payload: call.payload }))
      const row = (eventType: string, record: object): unknown =>
        expect.objectContaining({ schema: 'public', table: 'a', eventType, new: expect.objectContaining(record) })
      expect(deliveries).toEqual([
        { keys: [bindingKey(insertOne), bindingKey(anyOnA)].sort(), payload: row('INSERT', { id: 1, title: 'one' }) },
        { keys: [bindingKey(anyOnA)], payload: row('UPDATE', { id: 1, title: 'uno' }) },
        { keys: [bindingKey(anyOnA)], payload: row('INSERT', { id: 2, title: 'two' }) },
      ])
    })

    it('server system messages reach handlers.system', async () => {
      const alice = await peers.connect('alice')
      const feed = alice.open(spec('feed', { postgres: [{ event: '*', schema: 'public', table: 'a' }] }))
      const system = await until(() => feed.of('system')[0], 'the postgres_changes system message')
      expect(system.payload).toEqual({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'feed' })
      expect(feed.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
    })

    it('setAuth before the channel: the join carries the token; setAuth while joined moves it', async () => {
      const carol = await peers.connect('carol')
      expect(server.stats().sockets.map((s) => s.sub)).toEqual([null])
      await carol.join(spec('room'))
      expect(server.stats().sockets.map((s) => s.sub)).toEqual(['carol'])
      await carol.transport.setAuth(await server.mintToken({ sub: 'dave' }))
      await until(() => server.stats().sockets[0]?.sub === 'dave', 'the new token on the server')
    })

    it('a token expiring while joined is CHANNEL_ERROR unauthorized, with the server system messages passed on', async () => {
      // Valid for about 1 s from here, whenever in a second the test started (see nextSecond).
      await nextSecond()
      const token = await server.mintToken({ sub: 'brief', expiresInS: 1 })
      const brief = await peers.connect('brief', { token, retryMs: 1_000 })
      const room = brief.open(spec('brief'))
      await until(() => room.of('status').length === 2, 'SUBSCRIBED, then the shutdown')
      expect(room.of('status')).toEqual([
        { kind: 'status', status: 'SUBSCRIBED' },
        { kind: 'status', status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: expect.stringMatching(/^Token has expired \d+ seconds? ago$/) } },
      ])
      expect(room.of('system').map((c) => c.payload)).toEqual([expect.objectContaining({ status: 'error', message: expect.stringMatching(/expired/) })])
    })

    it('an expired token at join is CHANNEL_ERROR unauthorized', async () => {
      const token = await server.mintToken({ sub: 'late', expiresInS: -10 })
      const late = await peers.connect('late', { token })
      const room = late.open(spec('room'))
      const error = await until(() => room.of('status')[0], 'the join refusal')
      expect(error).toEqual({ kind: 'status', status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: expect.stringMatching(/expired/) } })
    })

    it('a server drop: events.closed, one nextRetryDelayMs, events.open again, the channel SUBSCRIBED again', async () => {
      const alice = await peers.connect('alice', { retryMs: 50 })
      const room = await alice.join(spec('room'))
      server.dropAllConnections()
      await until(() => alice.opens() === 2, 'the second events.open()')
      expect(alice.events).toEqual([{ kind: 'open' }, { kind: 'closed', error: { code: 'transport', message: expect.any(String) } }, { kind: 'retry' }, { kind: 'open' }])
      await until(() => room.of('status').filter((c) => c.status === 'SUBSCRIBED').length === 2, 'SUBSCRIBED again')
      expect(alice.transport.isOpen()).toBe(true)
      expect(server.stats()).toMatchObject({ connections: 1, topics: { 'realtime:room': 1 } })
      const bob = await peers.connect('bob')
      await (await bob.join(spec('room'))).channel.send('after', {}, true)
      await until(() => room.of('broadcast').length === 1, 'a broadcast on the rejoined channel')
    })

    it('channel close: leaves the topic on the server; no handler call once close() was called', async () => {
      const alice = await peers.connect('alice')
      const feed = await alice.join(spec('feed', { postgres: [{ event: '*', schema: 'public', table: 'a' }] }))
      const other = await alice.join(spec('other', { postgres: [{ event: '*', schema: 'public', table: 'b' }] }))
      await until(() => feed.of('system').length === 1, 'the postgres system message')
      const before = feed.calls.length
      const closing = feed.channel.close()
      // Sent by the server before it sees the leave: it reaches the client while the channel is leaving.
      expect(server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 1 } })).toBe(1)
      await closing
      await until(() => server.stats().topics['realtime:feed'] === undefined, 'the leave on the server')
      expect(server.stats().topics).toEqual({ 'realtime:other': 1 })
      expect(server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 2 } })).toBe(0)
      server.emitChange({ schema: 'public', table: 'b', type: 'INSERT', record: { id: 3 } })
      await until(() => other.of('postgres').length === 1, 'a change on the channel still open')
      expect(feed.calls.slice(before)).toEqual([])
      expect(alice.transport.isOpen()).toBe(true)
    })

    it('transport close: the socket closes on the server, and no event or handler call follows', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const feed = await alice.join(spec('feed', { postgres: [{ event: '*', schema: 'public', table: 'a' }] }))
      await bob.join(spec('feed', { postgres: [{ event: '*', schema: 'public', table: 'a' }] }))
      const [calls, events] = [feed.calls.length, alice.events.length]
      const closing = alice.transport.close()
      // Pushed to alice's socket before the server sees her close: it arrives while she is closing.
      expect(server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 1 } })).toBe(2)
      await closing
      await until(() => server.stats().connections === 1, 'alice socket closed on the server')
      expect(alice.transport.isOpen()).toBe(false)
      expect(feed.calls.slice(calls)).toEqual([])
      expect(alice.events.slice(events)).toEqual([])
    })
  })
}

/** Re-exported so transport test files need one import for their factory's type. */
export type { Transport, TransportFactory }
