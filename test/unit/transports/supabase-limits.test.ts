/**
 * The presence meta limit with real parts: two tabs (createSharedRealtime) of one user and a real
 * hub on the unmodified realtime-js, against the local Realtime server, which closes a socket whose
 * frame is over its payload limit. A 4 MB track() from a port that skips the tab's own check (another
 * script of the origin, a buggy tab) must never reach that socket: it would drop the connection of
 * every tab, and presence is re-sent on every rejoin (a reconnect loop).
 */
import WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import { startRealtimeServer } from '../../../demo/server/index.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import { createHub } from '../../../worker/index.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { FakeSink, sinkSource } from '../fakes/sink.ts'
import { hello } from '../worker/harness.ts'
import { until } from './harness.ts'
import { cleanup, workerOf } from '../helpers/real-hub.ts'


describe('a 4 MB presence meta on the Supabase transport (realtime-js, local Realtime server)', () => {
  it("is refused bad-input in the tab and again in the hub; the shared socket stays up and the other tab keeps receiving", async () => {
    const server = await startRealtimeServer({ port: 0 })
    cleanup.push(() => server.close())
    const hub = createHub({ transports: { supabase: supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket }) }, joinWaitMs: 2_000 })
    const token = await server.mintToken({ sub: 'alice' })
    const tab = (): SharedRealtime => {
      const client = createSharedRealtime({ url: server.url, apikey: server.anonKey, accessToken: () => token, worker: workerOf(hub), heartbeatIntervalMs: 60_000 })
      cleanup.push(() => client.close().then(() => undefined))
      return client
    }
    const [a, b] = [tab(), tab()]
    const got: unknown[] = []
    const roomA = a.channel('room').subscribe()
    const roomB = b.channel('room').on('broadcast', { event: 'msg' }, (message) => got.push(message.payload)).subscribe()
    await until(() => roomA.state === 'joined' && roomB.state === 'joined', 'both tabs joined')
    const big = { blob: 'x'.repeat(4 * 1024 * 1024) }
    await expect(roomA.track(big)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/presence meta is 4\.0 MB/) })
    // A port that skips the tab's check meets the hub's.
    const raw = new TabSession(hub, sinkSource(new FakeSink(token)).open)
    await raw.hello(hello('raw', { target: { transport: 'supabase', endpoint: server.url, params: { apikey: server.anonKey }, identity: null }, token }))
    await raw.join({ subId: 'r1', topic: 'room', config: {}, bindings: [] })
    await expect(raw.track('r1', big)).rejects.toMatchObject({ code: 'bad-input' })
    await expect(roomA.send({ type: 'broadcast', event: 'msg', payload: { n: 1 } })).resolves.toBe('ok')
    await until(() => got.length === 1, "tab b has tab a's broadcast")
    expect(a.status).toBe('open')
    expect(server.stats().connections).toBe(1)
    await expect(roomA.track({ typing: true })).resolves.toBe('ok')
  })
})
