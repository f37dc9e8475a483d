/**
 * Nothing lost through Supabase Broadcast Replay: tabs and a real hub over MessageChannel, the
 * Supabase transport (unmodified realtime-js) and the local Realtime server; the server drops the
 * socket while a persisted stream runs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ResyncPayload } from '../../../src/contract/protocol.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { createHub } from '../../../worker/index.ts'
import type { Hub } from '../../../worker/hub.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { closeClient, makeClient, waitFor } from '../helpers/realtime.ts'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const undo of cleanup.splice(0).reverse()) await undo() })

interface Rig {
  server: RealtimeServer
  /** A tab of the rig's hub, or of `hub` (another worker: its own connection). */
  tab(hub?: Hub, accessToken?: () => Promise<string | null>): SharedRealtime
  newHub(): Hub
  publish(topic: string, n: number, isPrivate: boolean): Promise<void>
}

async function rig(replayLimit: number | undefined, hardLimit: number): Promise<Rig> {
  const server = await startRealtimeServer({ port: 0, replay: { hardLimit } })
  cleanup.push(() => server.close())
  // Node 20 has no global WebSocket; ws's handler types differ from the DOM's, the runtime shape matches.
  const transport = supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, ...(replayLimit ? { replayLimit } : {}) })
  // random 0.5: the first reconnect waits 250 ms (half the 500 ms backoff base).
  const newHub = (): Hub => createHub({ transports: { supabase: transport }, random: () => 0.5 })
  const hub = newHub()
  const publisher = makeClient(server.url, server.anonKey, { vsn: '2.0.0' })
  cleanup.push(() => closeClient(publisher))
  return {
    server,
    newHub,
    tab(of = hub, accessToken) {
      const { port1, port2 } = new MessageChannel()
      acceptTab(of, port1)
      const client = createSharedRealtime({ url: server.url, apikey: server.anonKey, worker: () => port2, heartbeatIntervalMs: 60_000, ...(accessToken ? { accessToken } : {}) })
      cleanup.push(async () => { await client.close(); port1.close(); port2.close() })
      return client
    },
    async publish(topic, n, isPrivate) {
      const channel = publisher.channel(topic, { config: { private: isPrivate } })
      const result = await channel.httpSend('n', { n }, isPrivate ? { persist: true } : {})
      expect(result).toEqual({ success: true })
    },
  }
}

function listen(tab: SharedRealtime, topic: string, isPrivate: boolean): { got: number[]; resyncs: ResyncPayload[]; joined(): boolean } {
  const got: number[] = []
  const resyncs: ResyncPayload[] = []
  const channel = tab.channel(topic, { config: { private: isPrivate } })
    .on<{ n: number }>('broadcast', { event: 'n' }, (message) => got.push(message.payload.n))
    .on('system', { event: 'resync' }, (payload) => resyncs.push(payload))
    .subscribe()
  return { got, resyncs, joined: () => channel.state === 'joined' }
}

const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n)

describe('replay after the server drops the socket', () => {
  it('private channel, every broadcast persisted: each tab gets every message once, in order, and no resync', async () => {
    const { server, tab, publish } = await rig(500, 1_000)
    const [a, b] = [listen(tab(), 'feed', true), listen(tab(), 'feed', true)]
    await waitFor(() => a.joined() && b.joined(), 5_000, 'both tabs joined')
    for (const n of range(60)) {
      if (n === 20) server.dropAllConnections()
      await publish('feed', n, true)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await waitFor(() => a.got.length >= 60 && b.got.length >= 60, 8_000, 'every message in both tabs')
    // The cursor judges a replay within 3 s of the rejoin: past that, a resync could no longer come.
    await new Promise((resolve) => setTimeout(resolve, 3_500))
    expect(a.got).toEqual(range(60))
    expect(b.got).toEqual(range(60))
    expect([a.resyncs, b.resyncs]).toEqual([[], []])
  })

  it('a gap larger than the replay limit (25, as Supabase): exactly one resync per tab, reason replay-gap, no duplicate', async () => {
    const { server, tab, publish } = await rig(undefined, 25)
    // The hub asks a tab for a fresh token before it reconnects: held here while the gap fills.
    let gate = Promise.resolve()
    let open = (): void => undefined
    const a = listen(tab(undefined, async () => { await gate; return null }), 'wide', true)
    await waitFor(() => a.joined(), 5_000, 'joined')
    for (const n of range(5)) await publish('wide', n, true)
    await waitFor(() => a.got.length === 5, 3_000, 'the first five')
    gate = new Promise((resolve) => { open = resolve })
    const droppedAt = Date.now()
    server.dropAllConnections()
    // 40 while the hub cannot reconnect: more than one replay returns.
    for (const n of range(40)) await publish('wide', n + 5, true)
    open()
    await waitFor(() => a.resyncs.length === 1, 8_000, 'the resync')
    expect(a.resyncs).toEqual([{ since: expect.any(Number), reason: 'replay-gap' }])
    // From the last message before the drop, not from the replayed ones after the hole.
    expect(a.resyncs[0]?.since).toBeLessThanOrEqual(droppedAt)
    expect(new Set(a.got).size).toBe(a.got.length)
    expect(a.got.length).toBe(5 + 25)
  })

  it('private channel with postgres_changes listeners: one resync, reason postgres-changes (no server replays changes)', async () => {
    const { server, tab } = await rig(undefined, 25)
    const resyncs: ResyncPayload[] = []
    const channel = tab().channel('rows', { config: { private: true } })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'messages' }, () => undefined)
      .on('system', { event: 'resync' }, (payload) => resyncs.push(payload))
      .subscribe()
    await waitFor(() => channel.state === 'joined', 5_000, 'joined')
    server.dropAllConnections()
    await waitFor(() => resyncs.length === 1, 8_000, 'the resync')
    expect(resyncs).toEqual([{ since: expect.any(Number), reason: 'postgres-changes' }])
  })

  it('public channel: exactly one resync per topic and tab, reason public-channel', async () => {
    const { server, tab, publish } = await rig(undefined, 25)
    const [a, b] = [listen(tab(), 'lobby', false), listen(tab(), 'lobby', false)]
    await waitFor(() => a.joined() && b.joined(), 5_000, 'joined')
    await publish('lobby', 0, false)
    await waitFor(() => a.got.length === 1 && b.got.length === 1, 3_000, 'the first message')
    server.dropAllConnections()
    await waitFor(() => a.resyncs.length === 1 && b.resyncs.length === 1, 8_000, 'the resyncs')
    await publish('lobby', 1, false)
    await waitFor(() => a.got.length === 2 && b.got.length === 2, 3_000, 'live again')
    expect([a.resyncs, b.resyncs]).toEqual([[{ since: expect.any(Number), reason: 'public-channel' }], [{ since: expect.any(Number), reason: 'public-channel' }]])
  })
})

describe('replay when tabs move to a new hub (a restarted worker, a handover)', () => {
  /** Tabs whose worker() reaches whichever hub is current; `restart()` silences the old one's ports. */
  function movable(server: RealtimeServer, newHub: () => Hub): { tab(): SharedRealtime; restart(): void } {
    let current = newHub()
    let ports: MessagePort[] = []
    return {
      tab() {
        const client = createSharedRealtime({
          url: server.url, apikey: server.anonKey, heartbeatIntervalMs: 100, callTimeoutMs: 300,
          worker: () => { const { port1, port2 } = new MessageChannel(); acceptTab(current, port1); ports.push(port1, port2); return port2 },
        })
        cleanup.push(async () => { await client.close().catch(() => undefined); for (const port of ports) port.close() })
        return client
      },
      restart() {
        // As a worker that died: its ports answer nothing, so each tab's heartbeat finds the new one.
        for (const port of ports) port.close()
        ports = []
        current = newHub()
      },
    }
  }

  it('private channel: each tab rejoins with its cursor, the new hub replays from the oldest; every message once, in order, no resync', async () => {
    const { server, newHub, publish } = await rig(500, 1_000)
    const hubs = movable(server, newHub)
    const [a, b] = [listen(hubs.tab(), 'moved', true), listen(hubs.tab(), 'moved', true)]
    await waitFor(() => a.joined() && b.joined(), 5_000, 'both tabs joined')
    for (const n of range(10)) await publish('moved', n, true)
    await waitFor(() => a.got.length === 10 && b.got.length === 10, 3_000, 'the first ten')
    hubs.restart()
    for (const n of range(30)) {
      await publish('moved', n + 10, true)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await waitFor(() => a.got.length >= 40 && b.got.length >= 40, 8_000, 'every message in both tabs')
    await new Promise((resolve) => setTimeout(resolve, 3_500)) // past the replay's 3 s judgement
    expect(a.got).toEqual(range(40))
    expect(b.got).toEqual(range(40))
    expect([a.resyncs, b.resyncs]).toEqual([[], []])
  })

  it('public channel: the new hub owes each tab one resync, reason public-channel', async () => {
    const { server, newHub, publish } = await rig(undefined, 25)
    const hubs = movable(server, newHub)
    const [a, b] = [listen(hubs.tab(), 'open', false), listen(hubs.tab(), 'open', false)]
    await waitFor(() => a.joined() && b.joined(), 5_000, 'both tabs joined')
    await publish('open', 0, false)
    await waitFor(() => a.got.length === 1 && b.got.length === 1, 3_000, 'the first message')
    hubs.restart()
    await waitFor(() => a.resyncs.length === 1 && b.resyncs.length === 1, 8_000, 'the resyncs')
    expect([a.resyncs, b.resyncs]).toEqual([[{ since: expect.any(Number), reason: 'public-channel' }], [{ since: expect.any(Number), reason: 'public-channel' }]])
  })
})

describe('replay and persist as supabase-js takes them', () => {
  it("a tab's send/httpSend with persist is stored; the app's own replay config is honoured on join", async () => {
    const { tab, newHub } = await rig(undefined, 25)
    const sender = tab().channel('kept', { config: { private: true } }).subscribe()
    await waitFor(() => sender.state === 'joined', 5_000, 'joined')
    await expect(sender.send({ type: 'broadcast', event: 'n', payload: { n: 1 }, persist: true })).resolves.toBe('ok')
    await expect(sender.httpSend('n', { n: 2 }, { persist: { ttl: 60 } })).resolves.toEqual({ success: true })
    await expect(sender.send({ type: 'broadcast', event: 'n', payload: { n: 3 } })).resolves.toBe('ok') // not stored
    // Another worker (its own connection) opens the topic with the app's replay config.
    const got: Array<{ n: number; replayed?: boolean }> = []
    const late = tab(newHub()).channel('kept', { config: { private: true, broadcast: { replay: { since: 0, limit: 10 } } } })
      .on<{ n: number }>('broadcast', { event: 'n' }, (m) => got.push(m.meta?.replayed === true ? { n: m.payload.n, replayed: true } : { n: m.payload.n }))
      .subscribe()
    await waitFor(() => late.state === 'joined' && got.length === 2, 5_000, 'the two stored messages replayed')
    await sender.send({ type: 'broadcast', event: 'n', payload: { n: 4 } })
    await waitFor(() => got.length === 3, 3_000, 'a live one after the replay')
    expect(got).toEqual([{ n: 1, replayed: true }, { n: 2, replayed: true }, { n: 4 }])
  })

  it("a tab's persisted sends survive a drop without a duplicate in the hub's other tabs, and without a resync", async () => {
    const { server, tab } = await rig(undefined, 25)
    const [a, b] = [tab(), listen(tab(), 'mine', true)]
    const room = a.channel('mine', { config: { private: true } }).subscribe()
    await waitFor(() => room.state === 'joined' && b.joined(), 5_000, 'joined')
    for (const n of range(3)) await room.send({ type: 'broadcast', event: 'n', payload: { n }, persist: true })
    await waitFor(() => b.got.length === 3, 3_000, 'the echoes')
    const joins = server.stats().joinsTotal
    server.dropAllConnections()
    await waitFor(() => server.stats().joinsTotal > joins && server.stats().topics['private:realtime:mine'] === 1, 5_000, 'rejoined')
    await room.send({ type: 'broadcast', event: 'n', payload: { n: 3 }, persist: true })
    await waitFor(() => b.got.length >= 4, 3_000, 'the one after the drop')
    await new Promise((resolve) => setTimeout(resolve, 3_500)) // past the replay's 3 s judgement
    expect(b.got).toEqual(range(4))
    expect(b.resyncs).toEqual([])
  })

  it('persist on a public channel and replay on a public channel fail bad-input in the tab, as supabase-js refuses them', async () => {
    const { tab } = await rig(undefined, 25)
    const client = tab()
    expect(() => client.channel('open', { config: { broadcast: { replay: { since: 0 } } } })).toThrow(expect.objectContaining({ code: 'bad-input' }))
    const lobby = client.channel('open').subscribe()
    await waitFor(() => lobby.state === 'joined', 5_000, 'joined')
    await expect(lobby.send({ type: 'broadcast', event: 'n', payload: {}, persist: true })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(lobby.httpSend('n', {}, { persist: true })).rejects.toMatchObject({ code: 'bad-input' })
  })
})
