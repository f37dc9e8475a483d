/**
 * Tab clients and a real hub in one process, wired by Node's MessageChannel exactly as a
 * SharedWorker wires them (Comlink both ways on each port): the transport-neutral client over the
 * echo transport, and the Supabase adapter over the fake Supabase network.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { until } from './harness.ts'

const open: Array<{ close(): Promise<void> }> = []
const ports: MessagePort[] = []
afterEach(async () => {
  for (const client of open.splice(0)) await client.close()
  for (const port of ports.splice(0)) port.close()
})

// What `new SharedWorker(...)` gives a tab: a port whose other end the hub accepted.
function workerOf(hub: Hub): () => MessagePort {
  return () => {
    const { port1, port2 } = new MessageChannel()
    acceptTab(hub, port1)
    ports.push(port1, port2)
    return port2
  }
}

function relay(hub: Hub, identity: string): Relay {
  const client = createRelay({ transport: 'inbox', endpoint: 'memory://inbox', identity, worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
  open.push(client)
  return client
}

describe('tab clients and a real hub over MessageChannel', () => {
  it('createRelay: tabs of one user share one connection; each gets every message once, the sender too (the server echoes)', async () => {
    const server = new EchoServer()
    const hub = createHub({ transports: { inbox: echoTransport(server) } })
    const [a, b, c] = [relay(hub, 'user-1'), relay(hub, 'user-1'), relay(hub, 'user-2')]
    const got = { a: [] as unknown[], b: [] as unknown[], c: [] as unknown[] }
    a.topic('conversation:42').on('TEXT', (payload) => got.a.push(payload))
    b.topic('conversation:42').on('TEXT', (payload) => got.b.push(payload))
    c.topic('conversation:7').on('TEXT', (payload) => got.c.push(payload))
    await until(() => a.status === 'open' && b.status === 'open' && c.status === 'open', 'all three open')
    // One connection per identity, not per tab.
    expect(server.connections).toBe(2)
    await expect(a.topic('conversation:42').send('TEXT', { message: 'hi' })).resolves.toBe('ok')
    await expect(b.topic('conversation:42').send('TEXT', { message: 'hello' })).resolves.toBe('ok')
    await until(() => got.a.length === 2 && got.b.length === 2, 'both messages in both tabs')
    expect(got.a).toEqual([{ message: 'hi' }, { message: 'hello' }])
    expect(got.b).toEqual([{ message: 'hi' }, { message: 'hello' }])
    expect(got.c).toEqual([])
    const stats = await a.stats()
    expect(stats).toMatchObject({ tabs: 2, identities: 2, connections: 2 })
  })

  it('createRelay: a topic.on() returns its unsubscribe; a closed topic is replaced by a fresh one', async () => {
    const server = new EchoServer()
    const hub = createHub({ transports: { inbox: echoTransport(server) } })
    const a = relay(hub, 'user-1')
    const seen: unknown[] = []
    const off = a.topic('room').on('*', (payload, message) => seen.push([message.event, payload]))
    await a.topic('room').send('one', 1)
    await until(() => seen.length === 1, 'the first message')
    off()
    const topic = a.topic('room')
    await topic.close()
    expect(a.topic('room')).not.toBe(topic)
    await expect(topic.send('x', 1)).rejects.toMatchObject({ code: 'closed' })
    expect(seen).toEqual([['one', 1]])
  })

  it("createRelay: a transport the worker does not serve fails the tab's hello with 'unsupported', naming what it serves", async () => {
    const hub = createHub({ transports: { inbox: echoTransport(new EchoServer()) } })
    const statuses: Array<{ code?: string; message?: string }> = []
    const client = createRelay({ transport: 'sse', endpoint: 'memory://x', worker: workerOf(hub) })
    open.push(client)
    client.onStatus((_status, detail) => { if (detail.error) statuses.push(detail.error) })
    await until(() => client.status === 'closed', 'the refusal')
    expect(statuses.at(-1)).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/no 'sse' transport.*serves: inbox/) })
  })

  it('createSharedRealtime: the hub echoes a broadcast to the other tabs of the user (the server does not)', async () => {
    const net = new FakeNetwork()
    const hub = createHub({ transports: { supabase: net.transport } })
    const tab = (): SharedRealtime => {
      const client = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon', worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
      open.push(client)
      return client
    }
    const [a, b] = [tab(), tab()]
    const got: unknown[] = []
    const roomA = a.channel('room').subscribe()
    b.channel('room').on('broadcast', { event: 'msg' }, (message) => got.push(message.payload)).subscribe()
    await until(() => net.transports.length === 1 && net.latest.liveChannels('room') === 1, 'one server channel for both tabs')
    net.latest.open()
    await net.latest.subscribe('room')
    await until(() => roomA.state === 'joined', 'tab a joined')
    await expect(roomA.send({ type: 'broadcast', event: 'msg', payload: { n: 1 } })).resolves.toBe('ok')
    await until(() => got.length === 1, "tab b has tab a's broadcast")
    expect(got).toEqual([{ n: 1 }])
    expect(net.latest.single('room').sends.map((s) => s.payload)).toEqual([{ n: 1 }])
  })
})
