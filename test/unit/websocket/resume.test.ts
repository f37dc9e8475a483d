/**
 * The WebSocket transport's resume bookkeeping (worker/transports/websocket/resume.ts) on a hand-driven
 * socket: duplicates dropped by message_id, a replay held until its end, an attempt that dies
 * mid-replay leaves the cursor where it was, a server that never ends a replay.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { ChannelStatus, Json } from '../../../src/contract/protocol.ts'
import { inboxFrames, websocketTransport } from '../../../worker/transports/websocket/index.ts'
import type { ChannelHandlers, StatusDetail } from '../../../worker/transports/transport.ts'
import { ManualClock } from '../fakes/clock.ts'
import { FakeSocket, FakeWebSocket } from './fake-socket.ts'

type Call = { status: ChannelStatus; detail?: StatusDetail } | { message: Json }

const text = (message_id: number, message = `m${message_id}`): Json => ({ type: 'TEXT', conversation_id: '42', message, message_id })
const replayed = (last: number, isComplete = true): Json => ({ type: 'replayed', conversation_id: '42', since: null, count: 0, last_message_id: last, is_complete: isComplete })

function attempt(memory: Map<string, Json>, clock: ManualClock): { calls: Call[]; socket: FakeSocket } {
  const transport = websocketTransport({ ...inboxFrames({ replay: true, pingIntervalMs: 0 }), WebSocket: FakeWebSocket, clock })
  const calls: Call[] = []
  const handlers: ChannelHandlers = {
    status: (status, _error, detail) => { calls.push(detail ? { status, detail } : { status }) },
    broadcast: (_event, payload) => { calls.push({ message: typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload['message'] ?? null : null }) },
    presence: () => undefined, postgres: () => undefined, system: () => undefined,
  }
  const opened = transport.open({ target: { transport: 'inbox', endpoint: 'ws://127.0.0.1:9/ws/inbox/', params: {}, identity: null }, token: null, memory, events: { open: () => undefined, closed: () => undefined } })
  opened.join('42', { topic: '42' }, handlers)
  const socket = FakeSocket.latest
  socket.open()
  return { calls, socket }
}

beforeEach(() => { FakeSocket.all = [] })

describe('websocket resume (inboxFrames replay: true)', () => {
  it('the first subscribe sends since: null and waits for replayed; live duplicates by message_id are dropped', () => {
    const { calls, socket } = attempt(new Map(), new ManualClock())
    expect(socket.sent).toEqual([{ type: 'subscribe', conversation_id: '42', since: null }])
    expect(calls).toEqual([])
    socket.receive(replayed(7))
    for (const frame of [text(8), text(8), text(10), text(9), text(10)]) socket.receive(frame)
    // 9 after 10 is delivered: ids of concurrent senders may arrive out of order.
    expect(calls).toEqual([{ status: 'SUBSCRIBED' }, { message: 'm8' }, { message: 'm10' }, { message: 'm9' }])
  })

  it('replayed frames are held until the end of the replay, then follow a continuous SUBSCRIBED; the next attempt sends the newest id', () => {
    const memory = new Map<string, Json>([['ws:since:42', 3]])
    const clock = new ManualClock()
    const first = attempt(memory, clock)
    expect(first.socket.sent).toEqual([{ type: 'subscribe', conversation_id: '42', since: 3 }])
    first.socket.receive(text(4))
    first.socket.receive(text(5))
    expect(first.calls).toEqual([])
    first.socket.receive(replayed(5))
    expect(first.calls).toEqual([{ status: 'SUBSCRIBED', detail: { isContinuous: true } }, { message: 'm4' }, { message: 'm5' }])
    first.socket.closed(1006)
    const second = attempt(memory, clock)
    expect(second.socket.sent).toEqual([{ type: 'subscribe', conversation_id: '42', since: 5 }])
  })

  it('an attempt that ends mid-replay leaves the cursor where it was: the next one asks again from there', () => {
    const memory = new Map<string, Json>([['ws:since:42', 3]])
    const clock = new ManualClock()
    const first = attempt(memory, clock)
    first.socket.receive(text(4))
    first.socket.closed(1006)
    expect(first.calls).toEqual([])
    const second = attempt(memory, clock)
    expect(second.socket.sent).toEqual([{ type: 'subscribe', conversation_id: '42', since: 3 }])
    second.socket.receive(text(4))
    second.socket.receive(replayed(4))
    expect(second.calls).toEqual([{ status: 'SUBSCRIBED', detail: { isContinuous: true } }, { message: 'm4' }])
  })

  it('an incomplete replay is not continuous (the hub resyncs) and moves the cursor to the server newest', () => {
    const memory = new Map<string, Json>([['ws:since:42', 3]])
    const { calls, socket } = attempt(memory, new ManualClock())
    socket.receive(replayed(900, false))
    expect(calls).toEqual([{ status: 'SUBSCRIBED' }])
    expect(memory.get('ws:since:42')).toBe(900)
  })

  it('a server that never ends the replay: SUBSCRIBED without continuity after 10 s, with what it sent', () => {
    const memory = new Map<string, Json>([['ws:since:42', 3]])
    const clock = new ManualClock()
    const { calls, socket } = attempt(memory, clock)
    socket.receive(text(4))
    clock.advance(9_999)
    expect(calls).toEqual([])
    clock.advance(1)
    expect(calls).toEqual([{ status: 'SUBSCRIBED' }, { message: 'm4' }])
    socket.receive(text(5))
    expect(calls.at(-1)).toEqual({ message: 'm5' })
  })
})
