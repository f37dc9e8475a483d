// Frame-level protocol checks with a raw `ws` client: exact replies, channel lifecycle, and bad input.
import type { SupabaseClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { closeClient, isReplyTo, makeClient, RawClient, subscribed, waitFor } from '../helpers/realtime.ts'

let server: RealtimeServer
let raws: RawClient[] = []
let clients: SupabaseClient[] = []

beforeAll(async () => {
  server = await startRealtimeServer({ port: 0 })
})
afterAll(() => server.close())
afterEach(async () => {
  await Promise.all([...raws.map((r) => r.close()), ...clients.map(closeClient)])
  raws = []
  clients = []
})

async function raw(): Promise<RawClient> {
  const r = await RawClient.open(server.url, server.anonKey)
  raws.push(r)
  return r
}

const JOIN_CONFIG = { config: { broadcast: { self: true, ack: true }, presence: { key: 'k', enabled: true }, private: false } }

describe('frames', () => {
  it('answers heartbeats on topic phoenix with the same ref', async () => {
    const r = await raw()
    r.send([null, '7', 'phoenix', 'heartbeat', {}])
    const frame = await r.waitFrame(isReplyTo('7'), 'heartbeat reply')
    expect(frame).toEqual([null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
  })

  it('join reply echoes postgres_changes verbatim with deterministic integer ids, then presence_state, then system', async () => {
    const r = await raw()
    const entry = { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=eq.1' }
    const config = { ...JOIN_CONFIG.config, postgres_changes: [entry, { ...entry }, { event: '*', schema: 'public' }] }
    r.send(['3', '3', 'realtime:pg', 'phx_join', { config }])
    await r.waitFrame((f) => f[3] === 'system', 'system message')
    const [replyFrame, state, system] = r.frames
    const response = (replyFrame?.[4] as { response: { postgres_changes: { id: number }[] } }).response
    expect(replyFrame?.slice(0, 4)).toEqual(['3', '3', 'realtime:pg', 'phx_reply'])
    const [first, second, third] = response.postgres_changes
    expect(first).toEqual({ ...entry, id: expect.any(Number) })
    expect(Object.keys(first ?? {})).toEqual(['event', 'schema', 'table', 'filter', 'id'])
    expect(Number.isInteger(first?.id) && (first?.id ?? -1) >= 0).toBe(true)
    expect(second?.id).toBe(first?.id)
    expect(third?.id).not.toBe(first?.id)
    expect(state).toEqual(['3', null, 'realtime:pg', 'presence_state', {}])
    expect(system).toEqual(['3', null, 'realtime:pg', 'system', {
      extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'pg',
    }])
  })

  it('phx_leave: ok reply, then phx_close with ref = join_ref; leave of an unjoined topic is ok', async () => {
    const r = await raw()
    r.send(['1', '1', 'realtime:leave', 'phx_join', JOIN_CONFIG])
    await r.waitFrame(isReplyTo('1'), 'join reply')
    r.send(['1', '2', 'realtime:leave', 'phx_leave', {}])
    const close = await r.waitFrame((f) => f[3] === 'phx_close', 'phx_close')
    expect(r.frames.find(isReplyTo('2'))?.[4]).toEqual({ status: 'ok', response: {} })
    expect(close).toEqual(['1', '1', 'realtime:leave', 'phx_close', {}])
    r.send([null, '3', 'realtime:never', 'phx_leave', {}])
    expect((await r.waitFrame(isReplyTo('3'), 'leave reply'))[4]).toEqual({ status: 'ok', response: {} })
  })

  it('duplicate join closes the old channel; pushes with the stale join_ref are ignored', async () => {
    const r = await raw()
    r.send(['1', '1', 'realtime:dup', 'phx_join', JOIN_CONFIG])
    await r.waitFrame(isReplyTo('1'), 'first join')
    r.send(['5', '5', 'realtime:dup', 'phx_join', JOIN_CONFIG])
    await r.waitFrame(isReplyTo('5'), 'second join')
    expect(r.frames).toContainEqual(['1', '1', 'realtime:dup', 'phx_close', {}])
    expect(server.stats().sockets.find((s) => s.channels > 0)?.channels).toBe(1)
    // Stale join_ref with ack: no reply. The later heartbeat reply proves the push was processed first.
    r.send(['1', '6', 'realtime:dup', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }])
    r.send([null, '7', 'phoenix', 'heartbeat', {}])
    await r.waitFrame(isReplyTo('7'), 'heartbeat')
    expect(r.frames.find(isReplyTo('6'))).toBeUndefined()
    r.send(['5', '8', 'realtime:dup', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }])
    expect((await r.waitFrame(isReplyTo('8'), 'ack'))[4]).toEqual({ status: 'ok', response: {} })
  })

  it('rejects topic "realtime:" and the 101st channel of a socket', async () => {
    const r = await raw()
    r.send(['1', '1', 'realtime:', 'phx_join', {}])
    expect((await r.waitFrame(isReplyTo('1'), 'reply'))[4]).toEqual({
      status: 'error', response: { reason: 'TopicNameRequired: You must provide a topic name' },
    })
    for (let i = 0; i < 101; i++) r.send([`j${i}`, `j${i}`, `realtime:many-${i}`, 'phx_join', {}])
    const last = await r.waitFrame(isReplyTo('j100'), '101st reply')
    expect(last[4]).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } })
    expect(r.frames.filter((f) => f[3] === 'phx_reply' && (f[4] as { status: string }).status === 'ok')).toHaveLength(100)
  })

  it('an invalid access_token push shuts the channel down: system error, then phx_close', async () => {
    const r = await raw()
    r.send(['1', '1', 'realtime:auth', 'phx_join', {}])
    await r.waitFrame(isReplyTo('1'), 'join')
    r.send(['1', '2', 'realtime:auth', 'access_token', { access_token: 'garbage' }])
    const close = await r.waitFrame((f) => f[3] === 'phx_close', 'phx_close')
    expect(close).toEqual(['1', '1', 'realtime:auth', 'phx_close', {}])
    expect(r.frames).toContainEqual(['1', null, 'realtime:auth', 'system', {
      extension: 'system', status: 'error', message: 'The token provided is not a valid JWT', channel: 'auth',
    }])
    expect(r.frames.find(isReplyTo('2'))).toBeUndefined()
  })

  it('re-track sends one diff with joins (phx_ref_prev) and leaves, to the tracker too', async () => {
    const r = await raw()
    r.send(['1', '1', 'realtime:pres', 'phx_join', JOIN_CONFIG])
    await r.waitFrame((f) => f[3] === 'presence_state', 'presence_state')
    r.send(['1', '2', 'realtime:pres', 'presence', { type: 'presence', event: 'TRACK', payload: { v: 1 } }])
    const first = await r.waitFrame((f) => f[3] === 'presence_diff', 'first diff')
    const ref1 = (first[4] as { joins: { k: { metas: { phx_ref: string }[] } } }).joins.k.metas[0]?.phx_ref
    r.send(['1', '3', 'realtime:pres', 'presence', { type: 'presence', event: 'track', payload: { v: 2 } }])
    await r.waitFrame(isReplyTo('3'), 'second track reply')
    const second = await r.waitFrame((f) => f[3] === 'presence_diff' && f !== first, 'second diff')
    expect(second).toEqual([null, null, 'realtime:pres', 'presence_diff', {
      joins: { k: { metas: [{ v: 2, phx_ref: expect.any(String), phx_ref_prev: ref1 }] } },
      leaves: { k: { metas: [{ v: 1, phx_ref: ref1 }] } },
    }])
    r.send(['1', '4', 'realtime:pres', 'presence', { type: 'presence', event: 'track', payload: 'nope' }])
    expect((await r.waitFrame(isReplyTo('4'), 'bad track'))[4]).toEqual({
      status: 'error', response: { reason: 'Presence track payload must be a map' },
    })
  })

  it('delays join error replies by joinErrorDelayMs', async () => {
    const slow = await startRealtimeServer({ port: 0, joinErrorDelayMs: 300 })
    try {
      const r = await RawClient.open(slow.url, slow.anonKey)
      raws.push(r)
      const sentAt = Date.now()
      r.send(['1', '1', 'realtime:', 'phx_join', {}])
      await r.waitFrame(isReplyTo('1'), 'delayed error')
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(290)
    } finally {
      await slow.close()
    }
  })

  it('vsn 1.0.0 replies are objects without join_ref', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${server.anonKey}&vsn=1.0.0`)
    const got: unknown[] = []
    ws.on('message', (data) => got.push(JSON.parse(String(data))))
    await new Promise((resolve) => ws.once('open', resolve))
    ws.send(JSON.stringify({ topic: 'realtime:v1', event: 'phx_join', payload: {}, ref: '1', join_ref: '1' }))
    await waitFor(() => got.length === 1, 3000, 'join reply')
    expect(got[0]).toEqual({ topic: 'realtime:v1', event: 'phx_reply', payload: { status: 'ok', response: { postgres_changes: [] } }, ref: '1' })
    ws.close()
  })
})

describe('bad input', () => {
  it('errors or drops bad frames on one socket while supabase-js clients keep broadcasting', async () => {
    const received: string[] = []
    const a = makeClient(server.url, server.anonKey)
    const b = makeClient(server.url, server.anonKey)
    clients.push(a, b)
    const sender = await subscribed(a.channel('steady'))
    await subscribed(b.channel('steady').on('broadcast', { event: '*' }, (m: { event: string }) => received.push(m.event)))

    const r = await raw()
    r.ws.send('{not json')
    r.ws.send('[1,2]')
    r.ws.send(Buffer.from([3, 200, 200, 200, 200, 200, 9, 1, 2]))
    r.ws.send(Buffer.from([0, 1, 2, 3]))
    r.send(['1', '1', `realtime:${'x'.repeat(300)}`, 'phx_join', {}])
    r.send([null, '2', 'realtime:unjoined', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }])
    r.send(['3', '3', 'realtime:ok', 'phx_join', {}])
    r.send(['3', '4', 'realtime:ok', 'no_such_event', {}])
    r.send([null, '5', 'phoenix', 'heartbeat', {}])
    await r.waitFrame(isReplyTo('5'), 'heartbeat after bad input')
    const reason = (ref: string): unknown => (r.frames.find(isReplyTo(ref))?.[4] as { response: unknown }).response
    expect(reason('1')).toEqual({ reason: 'TopicNameTooLong: A topic name must be at most 255 bytes' })
    expect(r.frames.find(isReplyTo('2'))).toEqual([null, '2', 'realtime:unjoined', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }])
    expect(r.frames.find(isReplyTo('4'))).toBeUndefined()

    await sender.send({ type: 'broadcast', event: 'still-alive', payload: {} })
    await waitFor(() => received.includes('still-alive'), 3000, 'broadcast after bad input')
  })

  it('a frame that breaks the WebSocket layer closes only that socket', async () => {
    const victim = await raw()
    const bystander = await raw()
    // Invalid UTF-8 in a text frame: ws closes with 1007 (a protocol error of this socket only).
    victim.ws.send(Buffer.from([0xff, 0xfe]), { binary: false })
    await waitFor(() => victim.closeCode !== null, 3000, 'victim closed')
    expect(victim.closeCode).toBe(1007)
    bystander.send([null, '1', 'phoenix', 'heartbeat', {}])
    await bystander.waitFrame(isReplyTo('1'), 'bystander heartbeat')
  })
})
