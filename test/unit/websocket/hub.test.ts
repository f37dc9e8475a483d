/**
 * Tab clients (createRelay) and a real hub over MessageChannel, on the WebSocket transport, against
 * the demo's Node inbox endpoint: N tabs of a user are ONE socket at the server, every tab gets
 * each message exactly once (the server echoes; the hub adds no local echo), and sends made while
 * the server is down go out once after the reconnect.
 */
import { describe, expect, it } from 'vitest'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createHub } from '../../../worker/index.ts'
import type { Hub } from '../../../worker/hub.ts'
import { mintToken } from '../inbox/client.ts'
import { until } from '../transports/harness.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { hello } from '../worker/harness.ts'
import { inboxTransport, startNodeInbox } from './servers.ts'
import { cleanup, workerOf } from '../helpers/real-hub.ts'


async function tab(hub: Hub, endpoint: string, user: string): Promise<Relay> {
  const token = await mintToken(user, { name: user.toUpperCase() })
  const relay = createRelay({ transport: 'inbox', endpoint, accessToken: () => token, worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
  cleanup.push(() => relay.close())
  return relay
}

type Got = Array<{ message: unknown; sender_name: unknown }>

function listen(relay: Relay, topic: string): Got {
  const got: Got = []
  relay.topic(topic).on<{ message: unknown; sender_name: unknown }>('TEXT', (frame) => got.push({ message: frame.message, sender_name: frame.sender_name }))
  return got
}

describe('createRelay tabs + real hub + websocketTransport + the Node inbox endpoint', () => {
  it('3 tabs of alice, 1 of bob, 1 of carol: 3 sockets at the server; every message once and in order in every tab of the conversation', async () => {
    const server = await startNodeInbox()
    cleanup.push(() => server.stop())
    const hub = createHub({ transports: { inbox: inboxTransport() } })
    const tabs = [await tab(hub, server.url, 'alice'), await tab(hub, server.url, 'alice'), await tab(hub, server.url, 'alice'), await tab(hub, server.url, 'bob')]
    const got = tabs.map((relay) => listen(relay, 'lobby'))
    const carolsTab = await tab(hub, server.url, 'carol')
    const carol = listen(carolsTab, 'elsewhere')
    await until(() => tabs.every((t) => t.topic('lobby').state === 'joined') && carolsTab.topic('elsewhere').state === 'joined', 'every tab joined')
    expect(await server.connections()).toBe(3)
    const [a1, a2, , b] = tabs
    if (!a1 || !a2 || !b) throw new Error('four tabs')
    await expect(a1.topic('lobby').send('TEXT', { message: 'one' })).resolves.toBe('ok')
    await expect(a2.topic('lobby').send('TEXT', { message: 'two' })).resolves.toBe('ok')
    await expect(b.topic('lobby').send('TEXT', { message: 'three' })).resolves.toBe('ok')
    await until(() => got.every((g) => g.length >= 3), 'three messages in every tab')
    // bob's marker on another conversation carol is in: had anything been duplicated, it would be in by now.
    await b.topic('elsewhere').send('TEXT', { message: 'marker' })
    await until(() => carol.length === 1, 'the marker')
    const expected = [{ message: 'one', sender_name: 'ALICE' }, { message: 'two', sender_name: 'ALICE' }, { message: 'three', sender_name: 'BOB' }]
    for (const g of got) expect(g).toEqual(expected)
    expect(await a1.stats()).toMatchObject({ tabs: 3, connections: 3, identities: 3 })
  })

  it('sends made while the server is down are queued in the worker and arrive once, in order, after the reconnect', async () => {
    const server = await startNodeInbox()
    cleanup.push(() => server.stop())
    // minUptimeMs 0: every attempt counts as the first, so the backoff stays at its shortest.
    const hub = createHub({ transports: { inbox: inboxTransport() }, minUptimeMs: 0 })
    const [a1, a2] = [await tab(hub, server.url, 'alice'), await tab(hub, server.url, 'alice')]
    const [got1, got2] = [listen(a1, 'lobby'), listen(a2, 'lobby')]
    await until(() => a1.topic('lobby').state === 'joined' && a2.topic('lobby').state === 'joined', 'joined')
    const statuses: string[] = []
    a1.onStatus((status) => statuses.push(status))
    await server.stop()
    await until(() => a1.status === 'reconnecting', 'reconnecting')
    const sends = ['down 1', 'down 2', 'down 3'].map((message) => a1.topic('lobby').send('TEXT', { message }))
    sends.push(a2.topic('lobby').send('TEXT', { message: 'down from a2' }))
    await server.restart()
    await a1.reconnect()
    await expect(Promise.all(sends)).resolves.toEqual(['ok', 'ok', 'ok', 'ok'])
    await a1.topic('lobby').send('TEXT', { message: 'after' })
    await until(() => got1.length >= 5 && got2.length >= 5, 'five messages in both tabs')
    for (const got of [got1, got2]) {
      const messages = got.map((g) => g.message)
      // One tab's sends keep their order; two tabs' sends made at once may interleave.
      expect(messages.filter((m) => m !== 'down from a2')).toEqual(['down 1', 'down 2', 'down 3', 'after'])
      expect(messages.filter((m) => m === 'down from a2')).toHaveLength(1)
    }
    expect(statuses).toContain('open')
    expect(await server.connections()).toBe(1)
  })

  it("an event named like an inbox control frame is refused bad-input by the tab and again by the hub: no 'unsubscribe' reaches the shared socket, every tab keeps the conversation", async () => {
    const server = await startNodeInbox()
    cleanup.push(() => server.stop())
    const hub = createHub({ transports: { inbox: inboxTransport() } })
    const [a1, a2] = [await tab(hub, server.url, 'alice'), await tab(hub, server.url, 'alice')]
    const [got1, got2] = [listen(a1, 'lobby'), listen(a2, 'lobby')]
    await until(() => a1.topic('lobby').state === 'joined' && a2.topic('lobby').state === 'joined', 'joined')
    for (const event of ['unsubscribe', 'subscribe', 'ping']) {
      await expect(a1.topic('lobby').send(event, { message: 'x' })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/control frame/) })
    }
    // A port that skips the tab's checks (another script of the origin, a buggy tab) meets the hub's.
    const raw = new TabSession(hub, sinkSource(new FakeSink()).open)
    const token = await mintToken('alice', { name: 'ALICE' })
    await raw.hello(hello('raw', { target: { transport: 'inbox', endpoint: server.url, params: {}, identity: null }, token }))
    await raw.join({ subId: 'r1', topic: 'lobby', config: {}, bindings: [{ type: 'broadcast', event: '*' }] })
    await expect(raw.send('r1', { type: 'broadcast', event: 'unsubscribe', payload: {} })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(a2.topic('lobby').send('TEXT', { message: 'still here' })).resolves.toBe('ok')
    await until(() => got1.length === 1 && got2.length === 1, 'the message in both tabs')
    expect(await server.connections()).toBe(1)
  })
})
