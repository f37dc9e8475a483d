/**
 * Resume without loss (issue #24) against the real servers: the WebSocket transport with
 * `inboxFrames({ replay: true })` keeps each conversation's last message_id in the connection's
 * memory, sends it as `since` on the next attempt, and reports a covered gap as a continuous
 * SUBSCRIBED (the hub then sends no resync) followed by the missed messages, in order, once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelStatus, Json } from '../../../src/contract/protocol.ts'
import { inboxFrames, websocketTransport } from '../../../worker/transports/websocket/index.ts'
import type { ChannelHandlers, CloseReason, StatusDetail, TransportConnection } from '../../../worker/transports/transport.ts'
import { InboxClient, mintToken } from '../inbox/client.ts'
import { conversationId, startDjangoTarget, startNodeTarget, type InboxTarget } from '../inbox/targets.ts'
import { until } from '../transports/harness.ts'
import { NodeWebSocket } from './servers.ts'

/** What one channel reported, in order. */
type Call = { status: ChannelStatus; detail?: StatusDetail } | { event: string; message: Json }

/** One attempt on `memory` (the hub passes the same Map to every attempt of a connection) with one channel. */
async function attemptOn(url: string, memory: Map<string, Json>, topic: string, replay = true): Promise<{ attempt: TransportConnection<unknown>; calls: Call[]; closed: CloseReason[] }> {
  const transport = websocketTransport({ ...inboxFrames({ replay, pingIntervalMs: 0 }), WebSocket: NodeWebSocket })
  const token = await mintToken('reader')
  const closed: CloseReason[] = []
  const attempt = transport.open({ target: { transport: 'inbox', endpoint: url, params: {}, identity: null }, token, memory, events: { open: () => undefined, closed: (reason) => { closed.push(reason) } } })
  const calls: Call[] = []
  const handlers: ChannelHandlers = {
    status: (status, _error, detail) => { calls.push(detail ? { status, detail } : { status }) },
    broadcast: (event, payload) => { calls.push({ event, message: typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload['message'] ?? null : null }) },
    presence: () => undefined, postgres: () => undefined, system: () => undefined,
  }
  attempt.join(topic, { topic }, handlers)
  await until(() => calls.some((c) => 'status' in c && c.status === 'SUBSCRIBED'), `${topic} SUBSCRIBED`)
  return { attempt, calls, closed }
}

const targets = [
  { name: 'Node endpoint (demo/server)', start: startNodeTarget },
  { name: 'Django Channels (daphne + Redis)', start: startDjangoTarget },
]

describe.each(targets)('$name', ({ start }) => {
  let target: InboxTarget
  let open: Array<{ close(): Promise<void> }> = []
  beforeAll(async () => { target = await start() })
  afterAll(() => target.stop())
  afterEach(async () => {
    await Promise.all(open.map((item) => item.close()))
    open = []
  })

  async function writer(id: string): Promise<InboxClient> {
    const client = await InboxClient.open(target.url, await mintToken('writer'))
    open.push(client)
    client.send({ type: 'subscribe', conversation_id: id })
    return client
  }
  async function sendAll(client: InboxClient, id: string, messages: string[]): Promise<void> {
    const before = client.ofType('TEXT').length
    for (const message of messages) client.send({ type: 'TEXT', conversation_id: id, message })
    await client.until((frames) => (frames.filter((f) => f['type'] === 'TEXT').length === before + messages.length ? true : undefined), 'own TEXT frames')
  }

  it('a second attempt on the same memory sends since, reports a continuous SUBSCRIBED, then exactly the missed messages in order', async () => {
    const id = conversationId()
    const source = await writer(id)
    const memory = new Map<string, Json>()
    const first = await attemptOn(target.url, memory, id)
    open.push(first.attempt)
    expect(first.calls).toEqual([{ status: 'SUBSCRIBED' }])
    await sendAll(source, id, ['live 1', 'live 2'])
    await until(() => first.calls.length === 3, 'two live messages')
    await first.attempt.close()
    await sendAll(source, id, ['missed 1', 'missed 2', 'missed 3'])
    const second = await attemptOn(target.url, memory, id)
    open.push(second.attempt)
    await sendAll(source, id, ['live 3'])
    await until(() => second.calls.length === 5, 'three missed and one live message')
    expect(second.calls).toEqual([
      { status: 'SUBSCRIBED', detail: { isContinuous: true } },
      ...['missed 1', 'missed 2', 'missed 3', 'live 3'].map((message) => ({ event: 'TEXT', message })),
    ])
  })

  it('a cursor the server cannot serve (newer than anything it has) rejoins without continuity, nothing replayed', async () => {
    const id = conversationId()
    const memory = new Map<string, Json>([[`ws:since:${id}`, 10_000_000]])
    const attempt = await attemptOn(target.url, memory, id)
    open.push(attempt.attempt)
    expect(attempt.calls).toEqual([{ status: 'SUBSCRIBED' }])
    // The cursor moved to the server's newest: the next rejoin can be continuous again.
    expect(memory.get(`ws:since:${id}`)).toBe(0)
  })

  it('without replay: no since is sent, nothing is replayed, SUBSCRIBED is never continuous', async () => {
    const id = conversationId()
    const source = await writer(id)
    await sendAll(source, id, ['before'])
    const memory = new Map<string, Json>([[`ws:since:${id}`, 0]])
    const attempt = await attemptOn(target.url, memory, id, false)
    open.push(attempt.attempt)
    await sendAll(source, id, ['after'])
    await until(() => attempt.calls.length === 2, 'the live message')
    expect(attempt.calls).toEqual([{ status: 'SUBSCRIBED' }, { event: 'TEXT', message: 'after' }])
  })
})
