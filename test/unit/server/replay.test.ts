// Broadcast Replay and `persist` (demo/server/replay.ts) with the unmodified supabase-js client.
import type { RealtimeChannel } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { ReplayStore } from '../../../demo/server/replay.ts'
import { isReplyTo, RawClient, subscribed, useServer, VSNS, waitFor } from '../helpers/realtime.ts'

const rig = useServer('replay')
const { client, room } = rig

type Got = { event: string; payload: unknown; meta?: { replayed?: boolean; id: string } }
const live = { config: { private: true } }

function listen(channel: RealtimeChannel, into: Got[]): RealtimeChannel {
  return channel.on('broadcast', { event: '*' }, (msg: Got) => {
    into.push(msg.meta === undefined ? { event: msg.event, payload: msg.payload } : { event: msg.event, payload: msg.payload, meta: msg.meta })
  })
}

async function persistMany(name: string, count: number, from = 0): Promise<void> {
  const sender = client('2.0.0').channel(name, live)
  for (let n = from; n < from + count; n++) expect(await sender.httpSend('n', { n }, { persist: true })).toEqual({ success: true })
}

let raws: RawClient[] = []
afterEach(async () => {
  await Promise.all(raws.map((r) => r.close()))
  raws = []
})

describe.each(VSNS)('vsn %s', (vsn) => {
  it('a persisted httpSend reaches live channels with meta.id, and a later join replays it before live messages', async () => {
    const name = room()
    const seen: Got[] = []
    await subscribed(listen(client(vsn).channel(name, live), seen))
    await persistMany(name, 1)
    await waitFor(() => seen.length === 1, 3000, 'live copy')
    const id = seen[0]?.meta?.id
    expect(typeof id).toBe('string')
    expect(seen[0]?.meta?.replayed).toBeUndefined()

    const late: Got[] = []
    await subscribed(listen(client(vsn).channel(name, { config: { private: true, broadcast: { replay: { since: 0 } } } }), late))
    await waitFor(() => late.length === 1, 3000, 'replayed copy')
    const sender = client('2.0.0').channel(name, live)
    await sender.httpSend('after', { n: 99 })
    await waitFor(() => late.length === 2, 3000, 'live after replay')
    expect(late).toEqual([{ event: 'n', payload: { n: 0 }, meta: { replayed: true, id } }, { event: 'after', payload: { n: 99 } }])
  })

  it('replay returns the newest `limit` messages at or after `since`, oldest first, at most 25', async () => {
    const name = room()
    await persistMany(name, 3)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const since = Date.now()
    await persistMany(name, 27, 3)
    const got = async (replay: { since: number; limit?: number }): Promise<number[]> => {
      const into: Got[] = []
      await subscribed(listen(client(vsn).channel(name, { config: { private: true, broadcast: { replay } } }), into))
      const expected = Math.min(replay.limit ?? 25, 25)
      await waitFor(() => into.length === expected, 3000, `${expected} replayed`)
      return into.map((m) => (m.payload as { n: number }).n)
    }
    expect(await got({ since, limit: 4 })).toEqual([26, 27, 28, 29])
    expect(await got({ since, limit: 100 })).toEqual(Array.from({ length: 25 }, (_, i) => i + 5))
    expect(await got({ since: 0, limit: 25 })).toEqual(Array.from({ length: 25 }, (_, i) => i + 5))
  })

  it('a broadcast without persist, and any broadcast on a public channel, is not stored', async () => {
    const name = room()
    const sender = await subscribed(client('2.0.0').channel(name, live))
    await sender.send({ type: 'broadcast', event: 'plain', payload: { n: 1 } })
    await sender.httpSend('plain', { n: 2 })
    await client('2.0.0').channel(name).httpSend('public', { n: 3 })
    await persistMany(name, 1, 4)
    const into: Got[] = []
    await subscribed(listen(client(vsn).channel(name, { config: { private: true, broadcast: { replay: { since: 0 } } } }), into))
    await waitFor(() => into.length === 1, 3000, 'the persisted one')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(into.map((m) => m.payload)).toEqual([{ n: 4 }])
  })
})

it('send({ persist }) over a vsn 2.0.0 socket stores the message; live copies carry meta.id', async () => {
  const name = room()
  const seen: Got[] = []
  await subscribed(listen(client('2.0.0').channel(name, live), seen))
  const sender = await subscribed(client('2.0.0').channel(name, { config: { private: true, broadcast: { ack: true } } }))
  expect(await sender.send({ type: 'broadcast', event: 'kept', payload: { n: 1 }, persist: { ttl: 60 } })).toBe('ok')
  await waitFor(() => seen.length === 1, 3000, 'live copy')
  const late: Got[] = []
  await subscribed(listen(client('2.0.0').channel(name, { config: { private: true, broadcast: { replay: { since: 0, limit: 5 } } } }), late))
  await waitFor(() => late.length === 1, 3000, 'replayed')
  expect(late[0]).toEqual({ event: 'kept', payload: { n: 1 }, meta: { replayed: true, id: seen[0]?.meta?.id } })
})

it('the server refuses replay on a public channel and replay params that are not integers', async () => {
  const raw = await RawClient.open(rig.server.url, rig.server.anonKey)
  raws.push(raw)
  const join = (ref: string, config: unknown): void => raw.send([ref, ref, `realtime:${room()}`, 'phx_join', { config }])
  join('1', { private: false, broadcast: { replay: { since: 0 } } })
  join('2', { private: true, broadcast: { replay: { since: 'yesterday' } } })
  const reason = async (ref: string): Promise<unknown> => ((await raw.waitFrame(isReplyTo(ref), `reply ${ref}`))[4] as { response: { reason: string } }).response.reason
  expect(await reason('1')).toBe('UnableToReplayMessages: Replay is not allowed for public channels')
  expect(await reason('2')).toBe('UnableToReplayMessages: Replay params are not valid')
})

describe('ReplayStore', () => {
  it('forgets a message after its ttl, caps ttl at the retention, and keeps at most maxPerTopic', () => {
    let now = 1_000
    const store = new ReplayStore({ maxTtlS: 10, maxPerTopic: 3 }, () => now)
    const msg = (n: number): { event: string; encoding: 1; payload: Buffer } => ({ event: 'n', encoding: 1, payload: Buffer.from(String(n)) })
    store.put('k', msg(1), 1)
    store.put('k', msg(2), 3600)
    now += 1_000
    expect(store.since('k', 0, 25).map((m) => m.payload.toString())).toEqual(['2'])
    now += 9_000
    expect(store.since('k', 0, 25)).toEqual([])
    for (let n = 3; n < 8; n++) store.put('k', msg(n), 10)
    expect(store.since('k', 0, 25).map((m) => m.payload.toString())).toEqual(['5', '6', '7'])
    expect(store.since('k', 0, 0).map((m) => m.payload.toString())).toEqual(['7'])
  })
})
