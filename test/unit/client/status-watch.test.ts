/**
 * A tab's connection status is `open` whenever the connection is, and stays so: after each kind
 * of re-open (a reconnect after the server dropped the connection; an SSE stream re-opened inside
 * its attempt because a room joined), the status is watched for 10 s of the hub's and the tab's
 * clock. The real hub and the real WebSocket and SSE transports run over a fake socket / fake
 * fetch and one manual clock, so the 10 s cost no wall time. (The demo's SSE mode once read
 * 'connecting' for good after its stream re-opened for the room while messages flowed.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionStatus } from '../../../src/contract/protocol.ts'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import { sseTransport } from '../../../worker/transports/sse/index.ts'
import { inboxFrames, websocketTransport } from '../../../worker/transports/websocket/index.ts'
import { FakeFetch } from '../fakes/sse-fetch.ts'
import { FakeSocket, FakeWebSocket } from '../websocket/fake-socket.ts'
import { manualClock, until, type ManualClock } from './harness.ts'

const open: Relay[] = []
const ports: MessagePort[] = []
afterEach(async () => {
  for (const client of open.splice(0)) await client.close()
  for (const port of ports.splice(0)) port.close()
})

const tick = (): Promise<void> => new Promise((resolve) => { setTimeout(resolve, 0) })

function tab(hub: Hub, clock: ManualClock, transport: string, endpoint: string): { client: Relay; seen: ConnectionStatus[] } {
  const client = createRelay({
    transport, endpoint, identity: 'user-1', clock, heartbeatIntervalMs: 60_000,
    worker: () => {
      const { port1, port2 } = new MessageChannel()
      acceptTab(hub, port1)
      ports.push(port1, port2)
      return port2
    },
  })
  open.push(client)
  const seen: ConnectionStatus[] = []
  client.onStatus((status) => seen.push(status))
  return { client, seen }
}

/** Advances both clocks 10 s in 250 ms steps; the status must read 'open' at every step, with no event after. */
async function watchOpen(clock: ManualClock, client: Relay, seen: ConnectionStatus[]): Promise<void> {
  const before = seen.length
  for (let ms = 0; ms < 10_000; ms += 250) {
    clock.advance(250)
    await tick()
    expect(client.status, `at ${ms + 250} ms`).toBe('open')
  }
  expect(seen.slice(before)).toEqual([])
}

describe("the connection status stays 'open' for 10 s after each kind of re-open", () => {
  it('SSE (multiplexed): the stream re-opens inside its attempt when a room joins, and after the server ends it', async () => {
    const clock = manualClock()
    const fetcher = new FakeFetch()
    const hub = createHub({ transports: { sse: sseTransport({ mode: 'multiplexed', debounceMs: 20, fetch: fetcher.fetch, clock }) }, clock, random: () => 0 })
    const { client, seen } = tab(hub, clock, 'sse', 'http://sse.test/')
    const lobby = client.topic('lobby')
    lobby.on('m', () => undefined)
    for (let i = 0; i < 10 && fetcher.requests.length === 0; i++) { clock.advance(20); await tick() }
    const first = await fetcher.request(0)
    first.answer(200)
    first.push(': hi\n\nid: 1\ndata: {"type":"m","topic":"lobby"}\n\n')
    await until(() => client.status === 'open', 'open')
    await watchOpen(clock, client, seen)

    // A room joins: the one stream re-opens with both topics, inside the same attempt.
    client.topic('room').on('m', () => undefined)
    for (let i = 0; i < 10 && fetcher.requests.length === 1; i++) { clock.advance(20); await tick() }
    const second = await fetcher.request(1)
    expect(second.url.pathname).toBe('/sub/lobby,room')
    second.answer(200)
    second.push(': hi\n\nid: 2\ndata: {"type":"m","topic":"room"}\n\n')
    await tick()
    expect(client.status).toBe('open')
    await watchOpen(clock, client, seen)

    // The server ends the stream: reconnecting, then open again on a new request.
    second.end()
    await until(() => seen.includes('reconnecting'), 'reconnecting')
    for (let i = 0; i < 400 && fetcher.requests.length === 2; i++) { clock.advance(50); await tick() }
    const third = await fetcher.request(2)
    third.answer(200)
    third.push(': hi\n\n')
    await until(() => client.status === 'open', 'open again')
    await watchOpen(clock, client, seen)
  })

  it('WebSocket: the socket drops and the hub reconnects', async () => {
    FakeSocket.all = []
    const clock = manualClock()
    const hub = createHub({ transports: { inbox: websocketTransport({ ...inboxFrames(), WebSocket: FakeWebSocket, clock }) }, clock, random: () => 0 })
    const { client, seen } = tab(hub, clock, 'inbox', 'ws://127.0.0.1:9/ws/inbox/')
    client.topic('conversation:1').on('TEXT', () => undefined)
    await until(() => FakeSocket.all.length === 1, 'a socket')
    FakeSocket.latest.open()
    await until(() => client.status === 'open', 'open')
    await watchOpen(clock, client, seen)
    // Dropped after it was open: no probe, the hub retries with backoff.
    FakeSocket.latest.closed(1006)
    await until(() => seen.includes('reconnecting'), 'reconnecting')
    for (let i = 0; i < 400 && FakeSocket.all.length === 1; i++) { clock.advance(50); await tick() }
    FakeSocket.latest.open()
    await until(() => client.status === 'open', 'open again')
    await watchOpen(clock, client, seen)
  })
})
