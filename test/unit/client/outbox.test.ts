/**
 * The persisted outbox from a tab: createRelay({ outbox: 'persist' }) over a real hub (Comlink on
 * Node's MessageChannel), the echo server taken down and back, and IndexedDB from fake-indexeddb.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutboxReport } from '../../../src/contract/protocol.ts'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import { indexedDbStore, persistedSends } from '../../../worker/persist/index.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { until } from './harness.ts'

const open: Relay[] = []
const ports: MessagePort[] = []
afterEach(async () => {
  for (const client of open.splice(0)) await client.close()
  for (const port of ports.splice(0)) port.close()
})

function relay(hub: Hub, options: { outbox?: 'persist' } = {}): Relay {
  const worker = (): MessagePort => {
    const { port1, port2 } = new MessageChannel()
    acceptTab(hub, port1)
    ports.push(port1, port2)
    return port2
  }
  const client = createRelay({ transport: 'inbox', endpoint: 'memory://inbox', identity: 'user-1', worker, heartbeatIntervalMs: 60_000, ...options })
  open.push(client)
  return client
}

describe("createRelay({ outbox: 'persist' })", () => {
  it("a send while the server is down resolves 'queued'; onOutbox hears queued then ok, and the message arrives once", async () => {
    const server = new EchoServer()
    // random 0.01: the hub's backoff waits a few ms between attempts.
    const hub = createHub({ transports: { inbox: echoTransport(server) }, random: () => 0.01, persist: persistedSends({ store: indexedDbStore('client-outbox') }) })
    const client = relay(hub, { outbox: 'persist' })
    const topic = client.topic('room')
    const reports: OutboxReport[] = []
    const got: unknown[] = []
    topic.onOutbox((report) => reports.push(report))
    topic.on('TEXT', (payload) => got.push(payload))
    await until(() => client.status === 'open' && topic.state === 'joined', 'open and joined')
    server.down()
    await until(() => client.status === 'reconnecting', 'reconnecting')
    await expect(topic.send('TEXT', { text: 'hi' })).resolves.toBe('queued')
    await until(() => reports.length === 1, 'the queued report')
    server.up()
    await until(() => reports.length === 2 && got.length === 1, 'the ok report and the message', 5_000)
    expect(reports.map((r) => [r.state, r.event, r.payload])).toEqual([['queued', 'TEXT', { text: 'hi' }], ['ok', 'TEXT', { text: 'hi' }]])
    // The server echoes to the sender's socket; the key was taken out before the tab saw it.
    expect(got).toEqual([{ text: 'hi' }])
  })

  it("without the option, the same send waits in memory and is answered as before (never 'queued')", async () => {
    const server = new EchoServer()
    const hub = createHub({ transports: { inbox: echoTransport(server) }, random: () => 0.01, persist: persistedSends({ store: indexedDbStore('client-outbox-2') }) })
    const client = relay(hub)
    const topic = client.topic('room')
    await until(() => client.status === 'open' && topic.state === 'joined', 'open and joined')
    server.down()
    await until(() => client.status === 'reconnecting', 'reconnecting')
    const sent = topic.send('TEXT', { text: 'hi' })
    server.up()
    await expect(sent).resolves.toBe('ok')
  })
})
