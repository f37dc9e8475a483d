/**
 * What the Socket.IO transport adds to the contract, against real socket.io 4.8 nodes: acks,
 * refused joins and tokens, connection-state recovery across the hub's attempts (no resync, nothing
 * lost or doubled), a node killed in a Redis cluster (the next attempt lands on the other node and
 * is not continuous: the hub resyncs), one socket per identity, and the identity rule.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Json } from '../../../src/contract/protocol.ts'
import { socketioIdentity } from '../../../worker/transports/socketio/index.ts'
import type { AttemptEvents, ChannelHandlers, CloseReason, StatusDetail, Transport, TransportChannel, TransportConnection } from '../../../worker/transports/transport.ts'
import { startSocketIoCluster, startSocketIoNode } from '../../servers/socketio.ts'
import { mintToken } from '../inbox/client.ts'
import { sub, until } from '../transports/harness.ts'
import { startNodeServer, stopServers, testTransport } from './servers.ts'

afterAll(stopServers)

type Call = { kind: 'status'; status: string; code?: string; detail?: StatusDetail } | { kind: 'broadcast'; event: string; payload: Json }

interface Joined {
  channel: TransportChannel
  calls: Call[]
  messages(): Json[]
  statuses(): string[]
}

interface Opened {
  attempt: TransportConnection<unknown>
  opened: boolean[]
  closed: CloseReason[]
  join(topic: string): Joined
}

function open(transport: Transport, endpoint: string, token: string | null, memory = new Map<string, Json>()): Opened {
  const opened: boolean[] = []
  const closed: CloseReason[] = []
  const events: AttemptEvents = { open: () => { opened.push(true) }, closed: (reason) => { closed.push(reason) } }
  const attempt = transport.open({ target: { transport: 'socketio', endpoint, params: {}, identity: null }, token, memory, events })
  const join = (topic: string): Joined => {
    const calls: Call[] = []
    const handlers: ChannelHandlers = {
      status: (status, error, detail) => { calls.push({ kind: 'status', status, ...(error ? { code: error.code } : {}), ...(detail ? { detail } : {}) }) },
      broadcast: (event, payload) => { calls.push({ kind: 'broadcast', event, payload }) },
      presence: () => undefined, postgres: () => undefined, system: () => undefined,
    }
    const subscription = sub(topic)
    const channel = attempt.join(transport.key(subscription), transport.merge([subscription], false), handlers)
    return {
      channel, calls,
      messages: () => calls.flatMap((c) => (c.kind === 'broadcast' ? [c.payload] : [])),
      statuses: () => calls.flatMap((c) => (c.kind === 'status' ? [c.status] : [])),
    }
  }
  return { attempt, opened, closed, join }
}

const subscribed = (room: Joined, label: string): Promise<unknown> => until(() => room.statuses().includes('SUBSCRIBED'), label)

describe('socket.io transport on one node', () => {
  it("an acked send resolves 'ok' on the server's ack and 'timed out' when no ack comes within ackTimeoutMs; a refusal is 'error'", async () => {
    const { node } = await startNodeServer()
    const transport = testTransport({ ackTimeoutMs: 300 })
    const alice = open(transport, node.url, await mintToken('alice'))
    const room = alice.join('room')
    await subscribed(room, 'room SUBSCRIBED')
    await expect(room.channel.send('message', { n: 1 }, true)).resolves.toBe('ok')
    const startedAt = Date.now()
    await expect(room.channel.send('no-ack', { n: 2 }, true)).resolves.toBe('timed out')
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290)
    await expect(room.channel.send('message', { n: 3 }, false)).resolves.toBe('ok')
    // The default encode names the channel's own room; a custom one that names another is refused.
    const stray = open(testTransport({ encode: (_topic, event, payload) => [event, 'elsewhere', payload] }), node.url, await mintToken('alice'))
    const strayRoom = stray.join('room')
    await subscribed(strayRoom, 'stray SUBSCRIBED')
    await expect(strayRoom.channel.send('message', {}, true)).resolves.toBe('error')
    await Promise.all([alice.attempt.close(), stray.attempt.close()])
  })

  it('a join the server refuses fails that topic with join-failed; the other topics on the socket carry on; a refused token ends the attempt as unauthorized', async () => {
    const { node } = await startNodeServer()
    const transport = testTransport()
    const alice = open(transport, node.url, await mintToken('alice'))
    const [denied, fine] = [alice.join('forbidden:x'), alice.join('fine')]
    await until(() => denied.calls.length > 0, 'the refusal')
    expect(denied.calls).toEqual([{ kind: 'status', status: 'CHANNEL_ERROR', code: 'join-failed' }])
    await subscribed(fine, 'fine SUBSCRIBED')
    await node.emit('fine', 'message', { n: 1 })
    await until(() => fine.messages().length === 1, 'a message on the topic that joined')
    const forged = open(transport, node.url, await mintToken('alice', { secret: 'another-secret-of-at-least-32-characters!' }))
    await until(() => forged.closed.length > 0, 'the refused token ends the attempt')
    expect(forged.closed).toEqual([expect.objectContaining({ kind: 'unauthorized', error: expect.objectContaining({ code: 'unauthorized' }) })])
    expect(forged.opened).toEqual([])
    await alice.attempt.close()
  })

  it('a short drop: the next attempt of the connection recovers the session; SUBSCRIBED is continuous and what was emitted meanwhile arrives once, in order', async () => {
    const node = await startSocketIoNode()
    try {
      const transport = testTransport()
      const token = await mintToken('alice')
      const memory = new Map<string, Json>()
      const first = open(transport, node.url, token, memory)
      const before = first.join('room')
      await subscribed(before, 'room SUBSCRIBED')
      await node.emit('room', 'message', 'm1')
      await until(() => before.messages().length === 1, 'm1 before the drop')
      await node.drop()
      await until(() => first.closed.length === 1, 'the drop ends the attempt')
      for (const m of ['m2', 'm3', 'm4']) await node.emit('room', 'message', m)
      // The hub's next attempt: the same connection (memory), the topic joined again.
      const second = open(transport, node.url, token, memory)
      const after = second.join('room')
      await subscribed(after, 'room SUBSCRIBED again')
      expect(after.calls.filter((c) => c.kind === 'status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED', detail: { isContinuous: true } }])
      await node.emit('room', 'message', 'm5')
      await until(() => after.messages().length >= 4, 'the missed and the new messages')
      expect([...before.messages(), ...after.messages()]).toEqual(['m1', 'm2', 'm3', 'm4', 'm5'])
      expect(await node.stats()).toMatchObject({ sockets: 1, recovered: 1, users: { alice: 1 } })
      // A new connection (another memory) is a new session: nothing to recover.
      const fresh = open(transport, node.url, token)
      const freshRoom = fresh.join('room')
      await subscribed(freshRoom, 'a new connection SUBSCRIBED')
      expect(freshRoom.calls).toEqual([{ kind: 'status', status: 'SUBSCRIBED', detail: { isContinuous: false } }])
      await Promise.all([second.attempt.close(), fresh.attempt.close()])
    } finally {
      await node.stop()
    }
  })

  it("two identities on one endpoint never share a Socket.IO connection; an identity's attempts reuse its socket, one connection at a time", async () => {
    const node = await startSocketIoNode()
    try {
      const transport = testTransport()
      const [aliceToken, bobToken] = [await mintToken('alice'), await mintToken('bob')]
      const memory = new Map<string, Json>()
      const alice = open(transport, node.url, aliceToken, memory)
      const bob = open(transport, node.url, bobToken)
      await until(() => alice.opened.length === 1 && bob.opened.length === 1, 'both open')
      expect((await node.stats()).users).toEqual({ alice: 1, bob: 1 })
      await alice.attempt.close()
      const again = open(transport, node.url, aliceToken, memory)
      await until(() => again.opened.length === 1, 'the next attempt open')
      expect(await node.stats()).toMatchObject({ sockets: 2, connects: 3, users: { alice: 1, bob: 1 } })
      await Promise.all([again.attempt.close(), bob.attempt.close()])
    } finally {
      await node.stop()
    }
  })
})

describe('socket.io transport on two nodes on one Redis', () => {
  it('node one killed mid-stream: the next attempt lands on node two, is not continuous (the hub resyncs), and gets what node two emits', async () => {
    const cluster = await startSocketIoCluster()
    try {
      const transport = testTransport()
      const token = await mintToken('alice')
      const memory = new Map<string, Json>()
      const first = open(transport, cluster.url, token, memory)
      const room = first.join('room')
      await subscribed(room, 'room SUBSCRIBED on node one')
      expect([(await cluster.one.stats()).sockets, (await cluster.two.stats()).sockets]).toEqual([1, 0])
      await cluster.two.emit('room', 'message', 'from two')
      await until(() => room.messages().length === 1, 'a message emitted on node two, through Redis')
      await cluster.one.kill()
      await until(() => first.closed.length === 1, 'the kill ends the attempt')
      const second = open(transport, cluster.url, token, memory)
      const again = second.join('room')
      await subscribed(again, 'room SUBSCRIBED on node two')
      expect(again.calls).toEqual([{ kind: 'status', status: 'SUBSCRIBED', detail: { isContinuous: false } }])
      expect((await cluster.two.stats()).users).toEqual({ alice: 1 })
      await cluster.two.emit('room', 'message', 'after')
      await until(() => again.messages().length === 1, 'the message after the move')
      expect([...room.messages(), ...again.messages()]).toEqual(['from two', 'after'])
      await second.attempt.close()
    } finally {
      await cluster.stop()
    }
  })
})

describe('socketioIdentity', () => {
  const target = { transport: 'socketio', endpoint: 'http://h', params: {}, identity: null }
  const jwt = (claims: object): string => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`

  it.each([
    ['an explicit identity wins', { ...target, identity: 'u7' }, jwt({ sub: 'a' }), 'sub', 'id:u7'],
    ['no token is anonymous', target, null, 'sub', 'anon'],
    ['the claim names the user', target, jwt({ sub: 'alice' }), 'sub', 'sub:"alice"'],
    ['a numeric claim (Django SimpleJWT user_id)', target, jwt({ user_id: 42 }), 'user_id', 'user_id:42'],
  ])('%s', (_label, t, token, claim, expected) => {
    expect(socketioIdentity(t, token, claim)).toBe(expected)
  })

  it.each([
    ['a JWT without the claim', jwt({ role: 'anon' })],
    ['an opaque token', 'opaque-session-id'],
    ['a malformed payload', 'a.%%%.c'],
  ])('%s is its own identity (a digest), never anonymous nor the raw token', (_label, token) => {
    const identity = socketioIdentity(target, token, 'sub')
    expect(identity).toMatch(/^token#/)
    expect(identity).not.toContain(token)
    expect(socketioIdentity(target, `${token}x`, 'sub')).not.toBe(identity)
  })
})
