// Reconnect paths of the unmodified client: server restart, unanswered heartbeats, server-side drops.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { closeClient, makeClient, RawClient, VSNS, waitFor, type SentLog } from '../helpers/realtime.ts'

let servers: RealtimeServer[] = []
let clients: SupabaseClient[] = []

afterEach(async () => {
  await Promise.all(clients.map(closeClient))
  await Promise.all(servers.map((s) => s.close()))
  clients = []
  servers = []
})

async function start(port = 0): Promise<RealtimeServer> {
  const server = await startRealtimeServer({ port })
  servers.push(server)
  return server
}

// Counts SUBSCRIBED callbacks: realtime-js reports SUBSCRIBED again after every rejoin.
function track(channel: RealtimeChannel): { subscribed: number; received: string[] } {
  const state = { subscribed: 0, received: [] as string[] }
  channel.on('broadcast', { event: '*' }, (msg: { event: string }) => state.received.push(msg.event))
  channel.subscribe((status) => {
    if (status === 'SUBSCRIBED') state.subscribed++
  })
  return state
}

// join_refs of the phx_join frames a client sent for a topic, in either serializer.
function joinRefs(sent: SentLog, topic: string): string[] {
  return sent.flatMap((text) => {
    if (text.startsWith('binary:')) return []
    const frame: unknown = JSON.parse(text)
    if (Array.isArray(frame)) return frame[2] === topic && frame[3] === 'phx_join' ? [String(frame[0])] : []
    const msg = frame as { topic: string; event: string; join_ref: string }
    return msg.topic === topic && msg.event === 'phx_join' ? [msg.join_ref] : []
  })
}

async function sendAndReceive(from: RealtimeChannel, state: { received: string[] }, event: string): Promise<void> {
  await from.send({ type: 'broadcast', event, payload: {} })
  await waitFor(() => state.received.includes(event), 3000, `${event} delivered`)
}

describe.each(VSNS)('vsn %s', (vsn) => {
  it('server restart on the same port: the client reconnects and rejoins with a new join_ref', async () => {
    const first = await start()
    const sent: SentLog = []
    const c = makeClient(first.url, first.anonKey, { vsn, sent })
    clients.push(c)
    const state = track(c.channel('restart'))
    await waitFor(() => state.subscribed === 1, 3000, 'first SUBSCRIBED')
    await first.close()
    servers = servers.filter((s) => s !== first)
    const second = await start(first.port)
    await waitFor(() => state.subscribed === 2, 5000, 'SUBSCRIBED after restart')
    const refs = joinRefs(sent, 'realtime:restart')
    expect(refs.length).toBeGreaterThanOrEqual(2)
    expect(new Set(refs).size).toBe(refs.length)
    expect(second.stats().topics['realtime:restart']).toBe(1)
    // The rejoined channel really works on the new server.
    const other = makeClient(second.url, second.anonKey, { vsn })
    clients.push(other)
    const sender = other.channel('restart')
    const senderState = track(sender)
    await waitFor(() => senderState.subscribed === 1, 3000, 'sender joined')
    await sendAndReceive(sender, state, 'after-restart')
  })

  it('a server that stops answering heartbeats makes the client reconnect', async () => {
    const server = await start()
    const statuses: string[] = []
    const c = makeClient(server.url, server.anonKey, { vsn, heartbeatIntervalMs: 300 })
    clients.push(c)
    c.realtime.onHeartbeat((status) => statuses.push(status))
    const state = track(c.channel('hb'))
    await waitFor(() => statuses.includes('ok'), 3000, 'a heartbeat answered')
    const accepted = server.stats().connectionsTotal
    server.setHeartbeatReplies(false)
    await waitFor(() => statuses.includes('timeout'), 3000, 'heartbeat timeout')
    server.setHeartbeatReplies(true)
    await waitFor(() => server.stats().connectionsTotal > accepted && state.subscribed >= 2, 5000, 'reconnect + rejoin')
    expect(server.stats().connections).toBe(1)
  })

  it('dropAllConnections: clients reconnect and rejoin on their own', async () => {
    const server = await start()
    const a = makeClient(server.url, server.anonKey, { vsn })
    const b = makeClient(server.url, server.anonKey, { vsn })
    clients.push(a, b)
    const channelA = a.channel('drop')
    const stateA = track(channelA)
    const stateB = track(b.channel('drop'))
    await waitFor(() => stateA.subscribed === 1 && stateB.subscribed === 1, 3000, 'both joined')
    server.dropAllConnections()
    await waitFor(() => stateA.subscribed === 2 && stateB.subscribed === 2, 5000, 'both rejoined')
    expect(server.stats().connections).toBe(2)
    await sendAndReceive(channelA, stateB, 'after-drop')
  })
})

describe('idle timeout', () => {
  it('closes a socket that sends nothing, but not one that heartbeats', async () => {
    const server = await startRealtimeServer({ port: 0, idleTimeoutMs: 400 })
    servers.push(server)
    const silent = await RawClient.open(server.url, server.anonKey)
    const chatty = await RawClient.open(server.url, server.anonKey)
    let ref = 0
    const beat = setInterval(() => chatty.send([null, String(++ref), 'phoenix', 'heartbeat', {}]), 100)
    try {
      await waitFor(() => silent.closeCode !== null, 3000, 'silent socket closed')
      expect(silent.closeCode).toBe(1000)
      expect(chatty.closeCode).toBeNull()
      expect(server.stats().connections).toBe(1)
    } finally {
      clearInterval(beat)
      await chatty.close()
    }
  })
})
