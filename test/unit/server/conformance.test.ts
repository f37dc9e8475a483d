// Protocol conformance: the unmodified supabase-js client against demo/server, for both serializers.
import type { RealtimeChannel } from '@supabase/supabase-js'
import { describe, expect, it } from 'vitest'
import { closeClient, subscribed, useServer, VSNS, waitFor } from '../helpers/realtime.ts'

const rig = useServer('room')
const { client, room } = rig

type Received = { event: string; payload: unknown }

function listen(channel: RealtimeChannel, into: Received[]): RealtimeChannel {
  return channel.on('broadcast', { event: '*' }, (msg: { event: string; payload: unknown }) => {
    into.push({ event: msg.event, payload: msg.payload })
  })
}

describe.each(VSNS)('vsn %s', (vsn) => {
  it('two clients exchange broadcasts', async () => {
    const name = room()
    const [gotA, gotB]: [Received[], Received[]] = [[], []]
    const a = await subscribed(listen(client(vsn).channel(name), gotA))
    const b = await subscribed(listen(client(vsn).channel(name), gotB))
    await a.send({ type: 'broadcast', event: 'msg', payload: { text: 'héllo from a' } })
    await waitFor(() => gotB.length === 1, 3000, 'b receives a')
    await b.send({ type: 'broadcast', event: 'msg', payload: { text: 'from b' } })
    await waitFor(() => gotA.length === 1, 3000, 'a receives b')
    expect(gotB).toEqual([{ event: 'msg', payload: { text: 'héllo from a' } }])
    // a joined without self: its own message (sent first, so it would have arrived first) never came back.
    expect(gotA).toEqual([{ event: 'msg', payload: { text: 'from b' } }])
  })

  it('self + ack: the sender gets its own message and an ok ack', async () => {
    const got: Received[] = []
    const config = { config: { broadcast: { self: true, ack: true } } }
    const channel = await subscribed(listen(client(vsn).channel(room(), config), got))
    expect(await channel.send({ type: 'broadcast', event: 'echo', payload: { n: 1 } })).toBe('ok')
    await waitFor(() => got.length === 1, 3000, 'own message')
    expect(got[0]).toEqual({ event: 'echo', payload: { n: 1 } })
  })

  it('presence: join, sync, re-track replaces the meta, leave — seen by the other client and by itself', async () => {
    const name = room()
    const a = client(vsn).channel(name, { config: { presence: { key: 'alice' } } })
    const b = client(vsn).channel(name, { config: { presence: { key: 'bob' } } })
    const joinsSeenByB: string[] = []
    const leavesSeenByB: unknown[] = []
    b.on('presence', { event: 'join' }, ({ key }: { key: string }) => joinsSeenByB.push(key))
    b.on('presence', { event: 'leave' }, ({ key, leftPresences }: { key: string; leftPresences: unknown[] }) =>
      leavesSeenByB.push({ key, left: leftPresences.length }),
    )
    a.on('presence', { event: 'sync' }, () => undefined)
    await subscribed(a)
    await subscribed(b)
    expect(await a.track({ name: 'Alice' })).toBe('ok')
    await waitFor(() => joinsSeenByB.includes('alice'), 3000, 'b sees alice join')
    await waitFor(() => a.presenceState()['alice']?.length === 1, 3000, 'alice sees herself')
    expect(b.presenceState()['alice']?.[0]).toMatchObject({ name: 'Alice' })

    expect(await a.track({ name: 'Alice 2' })).toBe('ok')
    await waitFor(() => b.presenceState<{ name: string }>()['alice']?.[0]?.name === 'Alice 2', 3000, 'b sees the new meta')
    expect(b.presenceState()['alice']).toHaveLength(1)
    expect(a.presenceState()['alice']).toHaveLength(1)

    expect(await a.untrack()).toBe('ok')
    await waitFor(() => b.presenceState()['alice'] === undefined, 3000, 'alice gone for b')
    expect(leavesSeenByB).toContainEqual({ key: 'alice', left: 1 })
  })

  it('presence_state on join shows who is already there', async () => {
    const name = room()
    const a = client(vsn).channel(name, { config: { presence: { key: 'first' } } })
    a.on('presence', { event: 'sync' }, () => undefined)
    await subscribed(a)
    await a.track({ online: true })
    const b = client(vsn).channel(name, { config: { presence: { key: 'second' } } })
    b.on('presence', { event: 'sync' }, () => undefined)
    await subscribed(b)
    await waitFor(() => b.presenceState<{ online: boolean }>()['first']?.[0]?.online === true, 3000, 'b gets presence_state')
  })

  it('httpSend: 202 and delivery to subscribers', async () => {
    const name = room()
    const got: Received[] = []
    await subscribed(listen(client(vsn).channel(name), got))
    const sender = client(vsn).channel(name)
    await expect(sender.httpSend('rest', { via: 'httpSend' })).resolves.toEqual({ success: true })
    await waitFor(() => got.length === 1, 3000, 'httpSend delivery')
    expect(got[0]).toEqual({ event: 'rest', payload: { via: 'httpSend' } })
  })

  it('REST batch: 202 from fetch, and the send() fallback of an unjoined channel', async () => {
    const name = room()
    const got: Received[] = []
    await subscribed(listen(client(vsn).channel(name), got))
    const response = await fetch(`${rig.server.url}/realtime/v1/api/broadcast?apikey=${rig.server.anonKey}&vsn=${vsn}`, {
      method: 'POST',
      headers: { apikey: rig.server.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: name, event: 'batch', payload: { n: 1 }, private: false }] }),
    })
    expect(response.status).toBe(202)
    await waitFor(() => got.length === 1, 3000, 'batch delivery')
    const unjoined = client(vsn).channel(name)
    expect(await unjoined.send({ type: 'broadcast', event: 'fallback', payload: { n: 2 } })).toBe('ok')
    await waitFor(() => got.length === 2, 3000, 'fallback delivery')
    expect(got).toEqual([
      { event: 'batch', payload: { n: 1 } },
      { event: 'fallback', payload: { n: 2 } },
    ])
  })

  it('public and private namespaces of one topic are separate', async () => {
    const name = room()
    const [gotPublic, gotPrivate]: [Received[], Received[]] = [[], []]
    await subscribed(listen(client(vsn).channel(name), gotPublic))
    await subscribed(listen(client(vsn).channel(name, { config: { private: true } }), gotPrivate))
    const privateSender = await subscribed(client(vsn).channel(name, { config: { private: true } }))
    await privateSender.send({ type: 'broadcast', event: 'secret', payload: {} })
    const publicSender = await subscribed(client(vsn).channel(name))
    await publicSender.send({ type: 'broadcast', event: 'open', payload: {} })
    await waitFor(() => gotPrivate.length === 1 && gotPublic.length === 1, 3000, 'one message per namespace')
    expect(gotPrivate.map((m) => m.event)).toEqual(['secret'])
    expect(gotPublic.map((m) => m.event)).toEqual(['open'])
    expect(rig.server.stats().topics).toMatchObject({ [`realtime:${name}`]: 2, [`private:realtime:${name}`]: 2 })
  })

  it('/stats connections and topics go up and back down', async () => {
    const name = room()
    const topic = `realtime:${name}`
    const before = rig.server.stats().connections
    const c1 = client(vsn)
    const c2 = client(vsn)
    await subscribed(c1.channel(name))
    await subscribed(c2.channel(name))
    const up = rig.server.stats()
    expect(up.connections).toBe(before + 2)
    expect(up.topics[topic]).toBe(2)
    await c1.removeAllChannels()
    await waitFor(() => rig.server.stats().topics[topic] === 1, 3000, 'one channel left')
    await closeClient(c1)
    await closeClient(c2)
    await waitFor(() => rig.server.stats().connections === before, 3000, 'connections back down')
    expect(rig.server.stats().topics[topic]).toBeUndefined()
  })
})

describe('mixed serializers', () => {
  it('vsn 2.0.0 ArrayBuffer payloads round-trip as binary; vsn 1.0.0 receivers only get JSON ones', async () => {
    const name = room()
    const [gotV2, gotV1]: [Received[], Received[]] = [[], []]
    await subscribed(listen(client('2.0.0').channel(name), gotV2))
    await subscribed(listen(client('1.0.0').channel(name), gotV1))
    const sender = await subscribed(client('2.0.0').channel(name))
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await sender.send({ type: 'broadcast', event: 'bin', payload: bytes.buffer })
    await sender.send({ type: 'broadcast', event: 'json', payload: { ok: true } })
    await waitFor(() => gotV2.length === 2 && gotV1.length === 1, 3000, 'deliveries')
    const binary = gotV2[0]?.payload
    expect(binary).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(binary as ArrayBuffer)]).toEqual([...bytes])
    expect(gotV1).toEqual([{ event: 'json', payload: { ok: true } }])
  })

  it('a vsn 1.0.0 sender reaches a vsn 2.0.0 receiver', async () => {
    const name = room()
    const got: Received[] = []
    await subscribed(listen(client('2.0.0').channel(name), got))
    const sender = await subscribed(client('1.0.0').channel(name))
    await sender.send({ type: 'broadcast', event: 'old', payload: { v: 1 } })
    await waitFor(() => got.length === 1, 3000, 'delivery')
    expect(got[0]).toEqual({ event: 'old', payload: { v: 1 } })
  })
})
