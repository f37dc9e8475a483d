import { beforeEach, describe, expect, it } from 'vitest'
import type { Json } from '../../../src/contract/protocol.ts'
import { closeReasonOf } from '../../../worker/transports/websocket/close.ts'
import { inboxFrames, websocketTransport, type WebSocketTransportOptions } from '../../../worker/transports/websocket/index.ts'
import { ManualClock } from '../fakes/clock.ts'
import { Peers, sub, type Peer } from '../transports/harness.ts'
import { FakeSocket, FakeWebSocket } from './fake-socket.ts'
import { jwt } from '../worker/harness.ts'

const ENDPOINT = 'ws://127.0.0.1:9/ws/inbox/'
const flush = (): Promise<void> => new Promise((resolve) => { setTimeout(resolve, 0) })

function setup(extra: WebSocketTransportOptions = {}) {
  const clock = new ManualClock()
  const transport = websocketTransport({ ...inboxFrames({ topicPrefix: 'conversation:' }), WebSocket: FakeWebSocket, clock, ...extra })
  const token = jwt({ sub: 'alice', exp: 2_000_000_000 })
  const peers = new Peers(transport, async () => ({ target: { transport: 'inbox', endpoint: ENDPOINT, params: {}, identity: null }, token }))
  return { clock, transport, token, peers }
}

beforeEach(() => { FakeSocket.all = [] })

// An attempt whose socket the server side opened.
async function connected(peers: Peers): Promise<Peer> {
  const peer = await peers.connect('alice', { isAwaitingOpen: false })
  FakeSocket.latest.open()
  return peer
}

describe('websocketTransport: routing and frames (Django inbox preset)', () => {
  it('connects to endpoint?token=, writes one subscribe frame per topic once open, then reports SUBSCRIBED', async () => {
    const { peers, token } = setup()
    const connecting = connected(peers)
    const alice = await connecting
    expect(FakeSocket.latest.url).toBe(`${ENDPOINT}?token=${encodeURIComponent(token)}`)
    const [a1, a2] = [alice.open(sub('conversation:42')), alice.open(sub('conversation:42', { subId: 's2' }))]
    const user = alice.open(sub('user'))
    await flush()
    expect(FakeSocket.latest.sent).toEqual([{ type: 'subscribe', conversation_id: '42' }])
    for (const room of [a1, a2, user]) expect(room.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
  })

  it('routes conversation frames by conversation_id, user-level frames to the user topic, and ignores pong and non-JSON', async () => {
    const { peers } = setup()
    const connecting = connected(peers)
    const alice = await connecting
    const [room, other, user] = [alice.open(sub('conversation:42')), alice.open(sub('conversation:7')), alice.open(sub('user'))]
    await flush()
    const text = { type: 'TEXT', conversation_id: '42', message: 'hi', sender_name: 'Bob' }
    const notify = { type: 'NOTIFY', message: 'ring', sender_id: 'bob' }
    const frames: Array<Json | string> = [text, notify, { type: 'pong' }, '{nope', { type: 'error', message: 'bad' }]
    for (const frame of frames) FakeSocket.latest.receive(frame)
    expect(room.of('broadcast')).toEqual([{ kind: 'broadcast', event: 'TEXT', payload: text }])
    expect(other.of('broadcast')).toEqual([])
    expect(user.of('broadcast')).toEqual([{ kind: 'broadcast', event: 'NOTIFY', payload: notify }, { kind: 'broadcast', event: 'error', payload: { type: 'error', message: 'bad' } }])
  })

  it("encodes sends as the app's frames, fails what cannot be encoded with 'error', and unsubscribes on the last leave", async () => {
    const { peers } = setup()
    const connecting = connected(peers)
    const alice = await connecting
    const [a1, a2, user] = [alice.open(sub('conversation:42')), alice.open(sub('conversation:42', { subId: 's2' })), alice.open(sub('user'))]
    await flush()
    await expect(a1.channel.send('TEXT', { message: 'hi' }, false)).resolves.toBe('ok')
    await expect(a1.channel.send('typing', { typing: true }, false)).resolves.toBe('ok')
    await expect(user.channel.send('notify', { to: 'bob', message: 'ring' }, false)).resolves.toBe('ok')
    await expect(a1.channel.send('TEXT', 'not an object', false)).resolves.toBe('error')
    await a1.channel.close()
    await a2.channel.close()
    await user.channel.close()
    expect(FakeSocket.latest.sent).toEqual([
      { type: 'subscribe', conversation_id: '42' },
      { message: 'hi', type: 'TEXT', conversation_id: '42' },
      { typing: true, type: 'typing', conversation_id: '42' },
      { to: 'bob', message: 'ring', type: 'notify' },
      { type: 'unsubscribe', conversation_id: '42' },
    ])
  })

  it('a channel joined before the socket opens waits; a new attempt subscribes every topic again', async () => {
    const { peers } = setup()
    const first = await peers.connect('alice', { isAwaitingOpen: false })
    const room = first.open(sub('conversation:42'))
    await flush()
    expect(room.of('status')).toEqual([])
    FakeSocket.latest.open()
    expect(room.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
    FakeSocket.latest.closed(1006)
    expect(first.events.at(-1)).toEqual({ kind: 'closed', reason: { kind: 'retry', error: { code: 'transport', message: 'the connection to the server at http://127.0.0.1:9/ws/inbox/ was lost (1006: no close frame); reconnecting' } } })
    const again = await peers.connect('alice', { isAwaitingOpen: false })
    again.open(sub('conversation:42'))
    FakeSocket.latest.open()
    expect(FakeSocket.all.map((s) => s.sent)).toEqual([[{ type: 'subscribe', conversation_id: '42' }], [{ type: 'subscribe', conversation_id: '42' }]])
  })

  it("a send on a socket that is closing is reported 'timed out' (not written), never 'ok'", async () => {
    const { peers } = setup()
    const connecting = connected(peers)
    const room = (await connecting).open(sub('conversation:42'))
    await flush()
    FakeSocket.latest.readyState = 2
    await expect(room.channel.send('TEXT', { message: 'lost?' }, false)).resolves.toBe('timed out')
  })
})

describe('websocketTransport: keep-alive, close codes, auth', () => {
  it('pings every intervalMs; a pong in time keeps the attempt, a missed one closes it (retry) and the socket', async () => {
    const { peers, clock } = setup({ ping: { frame: { type: 'ping' }, intervalMs: 1_000, timeoutMs: 300, isPong: (f: Json) => JSON.stringify(f) === '{"type":"pong"}' } })
    const connecting = connected(peers)
    const alice = await connecting
    clock.advance(1_000)
    expect(FakeSocket.latest.sent).toEqual([{ type: 'ping' }])
    clock.advance(299)
    FakeSocket.latest.receive({ type: 'pong' })
    clock.advance(1)
    expect(alice.events).toEqual([{ kind: 'open' }])
    clock.advance(700)
    expect(FakeSocket.latest.sent).toEqual([{ type: 'ping' }, { type: 'ping' }])
    clock.advance(299)
    expect(alice.events).toEqual([{ kind: 'open' }])
    clock.advance(1)
    expect(alice.events).toEqual([{ kind: 'open' }, { kind: 'closed', reason: { kind: 'retry', error: { code: 'transport', message: expect.stringContaining('no pong within 300 ms') } } }])
    expect(FakeSocket.latest.closedWith).toBe(4000)
    // The late close event of that socket reports nothing more, and no timer is left behind.
    FakeSocket.latest.closed(4000)
    expect(alice.events).toHaveLength(2)
    expect(clock.pending).toBe(0)
  })

  it('maps close codes: 4401/4403 unauthorized, the fatal list fatal, anything else retry; no token in any message', async () => {
    const codes = { unauthorized: [4401, 4403], fatal: [4400] }
    expect(closeReasonOf(4401, '', codes).kind).toBe('unauthorized')
    expect(closeReasonOf(4403, 'forbidden', codes)).toMatchObject({ kind: 'unauthorized', error: { code: 'unauthorized', message: expect.stringContaining('4403: forbidden') } })
    expect(closeReasonOf(4400, '', codes).kind).toBe('fatal')
    expect(closeReasonOf(1001, '', codes).kind).toBe('retry')
    const { peers, token } = setup({ closeCodes: { fatal: [4400] } })
    const results = []
    for (const code of [4401, 4400, 1011]) {
      const peer = await peers.connect('alice', { isAwaitingOpen: false })
      FakeSocket.latest.closed(code)
      results.push(peer.events)
    }
    expect(results.map((events) => events.map((e) => (e.kind === 'closed' ? e.reason.kind : e.kind)))).toEqual([['unauthorized'], ['fatal'], ['retry']])
    expect(JSON.stringify(results)).not.toContain(token)
  })

  it('a socket that cannot be constructed ends the attempt as fatal, in a later task', async () => {
    const transport = websocketTransport({ url: () => 'not a url', WebSocket: globalThis.WebSocket ?? class { constructor() { throw new SyntaxError('Invalid URL') } } as unknown as typeof WebSocket })
    const events: string[] = []
    transport.open({ target: { transport: 'x', endpoint: 'x', params: {}, identity: null }, token: null, memory: new Map(), events: { open: () => events.push('open'), closed: (r) => events.push(r.kind) } })
    expect(events).toEqual([])
    await flush()
    expect(events).toEqual(['fatal'])
  })

  it('setAuth writes the authFrame on the open socket; without one it writes nothing (the next attempt uses the token)', async () => {
    const withFrame = setup({ authFrame: (token) => ({ type: 'auth', token }) })
    const connecting = connected(withFrame.peers)
    await (await connecting).attempt.setAuth('fresh')
    expect(FakeSocket.latest.sent).toEqual([{ type: 'auth', token: 'fresh' }])
    const without = setup()
    const plain = connected(without.peers)
    await (await plain).attempt.setAuth('fresh')
    expect(FakeSocket.latest.sent).toEqual([])
  })

  it('identity: an explicit identity wins, else the JWT user_id or sub, else a digest of the opaque token; capabilities say what the hub refuses', () => {
    const { transport } = setup()
    const target = { transport: 'inbox', endpoint: ENDPOINT, params: {}, identity: null }
    expect(transport.identify({ ...target, identity: 'user-7' }, jwt({ sub: 'alice' }))).toBe('id:user-7')
    expect(transport.identify(target, jwt({ sub: 'alice' }))).toBe('sub:"alice"')
    expect(transport.identify(target, jwt({ user_id: 7, sub: 'alice' }))).toBe('user_id:7')
    expect(transport.identify(target, 'opaque')).toMatch(/^token#[0-9a-f]{32}$/)
    expect(transport.identify(target, 'opaque')).not.toContain('opaque')
    expect(transport.capabilities).toMatchObject({ presence: false, postgresChanges: false, privateTopics: false, acks: false, echoesToSender: true })
    expect(websocketTransport({ capabilities: { maxPayloadBytes: 10 } }).capabilities).toMatchObject({ echoesToSender: false, maxPayloadBytes: 10 })
  })

  it('a frame over maxFrameBytes is not decoded or delivered: the attempt ends (retry, transport) with the sizes and the option, and the socket closes', async () => {
    const { peers } = setup({ maxFrameBytes: 100 })
    const connecting = connected(peers)
    const alice = await connecting
    const room = alice.open(sub('conversation:42'))
    await flush()
    FakeSocket.latest.receive({ type: 'TEXT', conversation_id: '42', message: 'fits' })
    FakeSocket.latest.receive({ type: 'TEXT', conversation_id: '42', message: 'x'.repeat(200) })
    FakeSocket.latest.receive({ type: 'TEXT', conversation_id: '42', message: 'after' })
    expect(room.of('broadcast').map((b) => (b.payload as { message: string }).message)).toEqual(['fits'])
    expect(alice.events.at(-1)).toEqual({ kind: 'closed', reason: { kind: 'retry', error: { code: 'transport', message: expect.stringMatching(/frame of 2\d\d .*over the 100 .*maxFrameBytes/) } } })
    expect(FakeSocket.latest.closedWith).toBe(4000)
  })

  it("the inbox preset reserves its control frames' types as event names, kept when the app overrides other capabilities", () => {
    const { transport } = setup()
    expect(transport.capabilities.reservedEvents).toEqual(['subscribe', 'unsubscribe', 'ping', 'pong'])
    const custom = websocketTransport({ ...inboxFrames(), capabilities: { maxPayloadBytes: 10, reservedEvents: ['hello'] }, WebSocket: FakeWebSocket })
    expect(custom.capabilities).toMatchObject({ maxPayloadBytes: 10, reservedEvents: ['hello', 'subscribe', 'unsubscribe', 'ping', 'pong'] })
    expect(websocketTransport({ WebSocket: FakeWebSocket }).capabilities.reservedEvents).toBeUndefined()
  })
})
