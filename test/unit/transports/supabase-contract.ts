/**
 * The capability-gated parts of the transport contract that Supabase Realtime declares: server
 * acks, private topics, presence, postgres_changes and its system messages, tokens (setAuth
 * without reconnecting, expiry). Run against the local Realtime server, whose stats and change
 * feed show what reached it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { bindingKey } from '../../../src/contract/bindings.ts'
import type { Binding, PostgresFilter } from '../../../src/contract/protocol.ts'
import type { Transport } from '../../../worker/transports/transport.ts'
import { nextSecond } from '../helpers/realtime.ts'
import { Peers, sub, until, type Credentials, type OpenedChannel } from './harness.ts'

const broadcasts = (room: OpenedChannel): Array<[string, unknown]> => room.of('broadcast').map((call) => [call.event, call.payload])
const changes = (...filters: PostgresFilter[]): Binding[] => filters.map((filter) => ({ type: 'postgres_changes', filter }))

/**
 * Credentials of `user` on a Realtime server (a fresh one-hour token, or `token`).
 * @example
 * await realtimeCredentials(server, 'alice')
 */
export async function realtimeCredentials(server: RealtimeServer, user: string, token?: string): Promise<Credentials> {
  return {
    target: { transport: 'supabase', endpoint: server.url, params: { apikey: server.anonKey }, identity: null },
    token: token ?? await server.mintToken({ sub: user }),
  }
}

/**
 * Registers the Supabase-specific contract parts for a Supabase-compatible transport.
 * @example
 * runSupabaseContract(() => supabaseTransport({ WebSocket }))
 */
export function runSupabaseContract(makeTransport: () => Transport): void {
  describe('transport contract, Supabase capabilities: acks, private topics, presence, postgres_changes, tokens', () => {
    let server: RealtimeServer
    let peers: Peers

    beforeEach(async () => {
      server = await startRealtimeServer({ port: 0 })
      peers = new Peers(makeTransport(), (user) => realtimeCredentials(server, user))
    })

    afterEach(async () => {
      await peers.closeAll()
      await server.close()
    })

    it('acked sends resolve after the server had them; un-acked ones at once', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const aliceRoom = await alice.join(sub('room'))
      const bobRoom = await bob.join(sub('room'))
      const framesIn = server.stats().messagesIn
      await expect(aliceRoom.channel.send('first', { n: 1 }, true)).resolves.toBe('ok')
      // Resolved only once the server had the frame, and so had fanned it out and answered.
      expect(server.stats().messagesIn).toBeGreaterThan(framesIn)
      await until(() => bobRoom.of('broadcast').length >= 1, 'bob gets it')
      expect(server.stats()).toMatchObject({ connections: 2, topics: { 'realtime:room': 2 } })
    })

    it('a private and a public channel of the same topic are separate', async () => {
      const [pubA, pubB, privA, privB] = await Promise.all(['p1', 'p2', 'q1', 'q2'].map((user) => peers.connect(user)))
      if (!pubA || !pubB || !privA || !privB) throw new Error('four peers expected')
      const isPrivate = { config: { private: true } }
      const [openA, openB] = [await pubA.join(sub('room')), await pubB.join(sub('room'))]
      const [secretA, secretB] = [await privA.join(sub('room', isPrivate)), await privB.join(sub('room', isPrivate))]
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
      const presence: Binding[] = [{ type: 'presence', event: 'sync' }]
      const aliceLobby = await alice.join(sub('lobby', { config: { presence: { key: 'alice' } }, bindings: presence }))
      const bobLobby = await bob.join(sub('lobby', { config: { presence: { key: 'bob' } }, bindings: presence }))
      await expect(bobLobby.channel.track?.({ name: 'Bob', tags: ['x'] })).resolves.toBe('ok')
      const bobMeta = expect.objectContaining({ name: 'Bob', tags: ['x'], presence_ref: expect.any(String) })
      const join = await until(() => aliceLobby.of('presence').find((c) => c.event === 'join' && c.detail.key === 'bob'), 'join of bob')
      expect(join.detail.joined).toEqual([bobMeta])
      expect(join.detail.state).toEqual({ bob: [bobMeta] })
      await until(() => aliceLobby.of('presence').find((c) => c.event === 'sync' && c.detail.state['bob']), 'sync with bob')
      expect(aliceLobby.channel.presenceState?.()).toEqual({ bob: [bobMeta] })
      expect(bobLobby.channel.presenceState?.()).toEqual({ bob: [bobMeta] })

      await expect(bobLobby.channel.untrack?.()).resolves.toBe('ok')
      const leave = await until(() => aliceLobby.of('presence').find((c) => c.event === 'leave' && c.detail.key === 'bob'), 'leave of bob')
      expect(leave.detail.left).toEqual([bobMeta])
      // realtime-js empties the key's list before the leave callback and deletes it just after.
      expect(leave.detail.state['bob'] ?? []).toEqual([])
      await until(() => aliceLobby.of('presence').at(-1)?.event === 'sync', 'the sync after the leave')
      expect(aliceLobby.of('presence').at(-1)?.detail.state).toEqual({})
    })

    it('postgres_changes: one change is one handlers.postgres call with the key of every filter it matched', async () => {
      const insertOne: PostgresFilter = { event: 'INSERT', schema: 'public', table: 'a', filter: 'id=eq.1' }
      const anyOnA: PostgresFilter = { event: '*', schema: 'public', table: 'a' }
      const alice = await peers.connect('alice')
      const feed = await alice.join(sub('feed', { bindings: changes(insertOne, anyOnA) }))
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

    it('server system messages reach handlers.system; a closed channel leaves the topic on the server', async () => {
      const alice = await peers.connect('alice')
      const feed = alice.open(sub('feed', { bindings: changes({ event: '*', schema: 'public', table: 'a' }) }))
      const system = await until(() => feed.of('system')[0], 'the postgres_changes system message')
      expect(system.payload).toEqual({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'feed' })
      expect(feed.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
      await feed.channel.close()
      await until(() => server.stats().topics['realtime:feed'] === undefined, 'the leave on the server')
      expect(server.emitChange({ schema: 'public', table: 'a', type: 'INSERT', record: { id: 2 } })).toBe(0)
    })

    it('the join carries the attempt\'s token; setAuth while joined moves it without a new socket', async () => {
      const carol = await peers.connect('carol')
      await carol.join(sub('room'))
      expect(server.stats().sockets.map((s) => s.sub)).toEqual(['carol'])
      await carol.attempt.setAuth(await server.mintToken({ sub: 'dave' }))
      await until(() => server.stats().sockets[0]?.sub === 'dave', 'the new token on the server')
      expect(server.stats().connectionsTotal).toBe(1)
    })

    it('a token expiring while joined is CHANNEL_ERROR unauthorized, with the server system messages passed on', async () => {
      // Valid for about 1 s from here, whenever in a second the test started (see nextSecond).
      await nextSecond()
      const token = await server.mintToken({ sub: 'brief', expiresInS: 1 })
      const brief = await peers.connect('brief', { credentials: await realtimeCredentials(server, 'brief', token) })
      const room = brief.open(sub('brief'))
      await until(() => room.of('status').length === 2, 'SUBSCRIBED, then the shutdown')
      expect(room.of('status')).toEqual([
        { kind: 'status', status: 'SUBSCRIBED' },
        { kind: 'status', status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: expect.stringMatching(/^Token has expired \d+ seconds? ago$/) } },
      ])
      expect(room.of('system').map((c) => c.payload)).toEqual([expect.objectContaining({ status: 'error', message: expect.stringMatching(/expired/) })])
    })

    it('an expired token at join is CHANNEL_ERROR unauthorized', async () => {
      const token = await server.mintToken({ sub: 'late', expiresInS: -10 })
      const late = await peers.connect('late', { credentials: await realtimeCredentials(server, 'late', token) })
      const room = late.open(sub('room'))
      const error = await until(() => room.of('status')[0], 'the join refusal')
      expect(error).toEqual({ kind: 'status', status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: expect.stringMatching(/expired/) } })
    })
  })
}
