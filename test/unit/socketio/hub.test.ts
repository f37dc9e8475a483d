/**
 * Tab clients (createRelay) and a real hub over MessageChannel, on the Socket.IO transport, against
 * one real socket.io node: N tabs are one Socket.IO connection, a short drop is recovered without a
 * resync and nothing is lost or doubled, and joins that the server does not ack work too.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createHub } from '../../../worker/index.ts'
import type { Hub } from '../../../worker/hub.ts'
import { startSocketIoNode, type SocketIoNode } from '../../servers/socketio.ts'
import { mintToken } from '../inbox/client.ts'
import { until } from '../transports/harness.ts'
import { startNodeServer, stopServers, testTransport } from './servers.ts'
import { cleanup, workerOf } from '../helpers/real-hub.ts'

afterAll(stopServers)

async function tab(hub: Hub, node: SocketIoNode, user: string): Promise<Relay> {
  const token = await mintToken(user)
  const relay = createRelay({ transport: 'socketio', endpoint: node.url, accessToken: () => token, worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
  cleanup.push(() => relay.close())
  return relay
}

interface Seen { texts: string[]; resyncs: number }

function listen(relay: Relay, topic: string): Seen {
  const seen: Seen = { texts: [], resyncs: 0 }
  const room = relay.topic(topic, { ack: true })
  room.on<{ text: string }>('message', (payload) => seen.texts.push(payload.text))
  room.onResync(() => { seen.resyncs += 1 })
  return seen
}

describe('createRelay tabs + real hub + socketioTransport + a socket.io node', () => {
  it('3 tabs: one connection; a short drop is recovered: reconnecting → open, no resync, what was emitted meanwhile arrives once in every tab', async () => {
    const node = await startSocketIoNode()
    cleanup.push(() => node.stop())
    const hub = createHub({ transports: { socketio: testTransport() }, minUptimeMs: 0 })
    const tabs = [await tab(hub, node, 'alice'), await tab(hub, node, 'alice'), await tab(hub, node, 'alice')]
    const seen = tabs.map((relay) => listen(relay, 'room'))
    await until(() => tabs.every((t) => t.topic('room').state === 'joined'), 'every tab joined')
    expect(await node.stats()).toMatchObject({ sockets: 1, joins: { room: 1 } })
    const statuses: string[] = []
    tabs[0]?.onStatus((status) => statuses.push(status))
    await node.emit('room', 'message', { text: 'm1' })
    await until(() => seen.every((s) => s.texts.length === 1), 'm1 in every tab')
    await node.drop()
    for (const text of ['m2', 'm3']) await node.emit('room', 'message', { text })
    await until(() => statuses.includes('open'), 'open again')
    await node.emit('room', 'message', { text: 'm4' })
    await until(() => seen.every((s) => s.texts.length >= 4), 'every message in every tab')
    for (const s of seen) expect(s).toEqual({ texts: ['m1', 'm2', 'm3', 'm4'], resyncs: 0 })
    // The hub reports 'reconnecting' with its retry time, then again as the attempt starts.
    expect(statuses.filter((status, i) => status !== statuses[i - 1])).toEqual(['reconnecting', 'open'])
    expect(await node.stats()).toMatchObject({ sockets: 1, recovered: 1 })
  })

  it('isJoinAcked false: a topic is joined once its join is written, also on an open connection; an acked send from one tab reaches the other tabs once', async () => {
    const { node } = await startNodeServer()
    const hub = createHub({ transports: { socketio: testTransport({ isJoinAcked: false }) } })
    const [a1, a2] = [await tab(hub, node, 'erin'), await tab(hub, node, 'erin')]
    const [seen1, seen2] = [listen(a1, 'unacked'), listen(a2, 'unacked')]
    await until(() => a1.topic('unacked').state === 'joined' && a2.topic('unacked').state === 'joined', 'both joined')
    await expect(a1.topic('unacked').send('message', { text: 'hi' })).resolves.toBe('ok')
    await node.emit('unacked', 'message', { text: 'marker' })
    await until(() => seen2.texts.includes('marker') && seen1.texts.includes('marker'), 'the marker')
    expect(seen2.texts).toEqual(['hi', 'marker'])
    expect(seen1.texts).toEqual(['marker'])
    // A topic joined while the connection is already open.
    const later = listen(a2, 'later')
    await until(() => a2.topic('later').state === 'joined', 'the later topic joined')
    await node.emit('later', 'message', { text: 'late' })
    await until(() => later.texts.length === 1, 'a message on the later topic')
  })
})
