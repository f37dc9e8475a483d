import { afterEach, describe, expect, it, vi } from 'vitest'
import { bindingKey } from '../../../src/contract/bindings.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'
import type { BroadcastMessage } from '../../../src/supabase/listen.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig
afterEach(() => rig.dispose())

const pg = { event: 'INSERT', schema: 'public', table: 'messages', filter: 'room=eq.1' } as const

describe('channel → hub', () => {
  it('sends one join with topic, config and the bindings as data', async () => {
    rig = setup()
    const statuses: string[] = []
    const config = { broadcast: { ack: true, self: true }, presence: { key: 'u1' } }
    const room = rig.realtime.channel('room:1', { config })
      .on('broadcast', { event: 'message' }, () => {})
      .on('presence', { event: 'sync' }, () => {})
      .on('postgres_changes', pg, () => {})
      .on('system', { event: 'resync' }, () => {})
      .subscribe((status) => statuses.push(status))
    expect(room.topic).toBe('realtime:room:1')
    expect(room.state).toBe('joining')
    await until(() => statuses.length === 1, 'SUBSCRIBED')
    expect(statuses).toEqual(['SUBSCRIBED'])
    expect(room.state).toBe('joined')
    expect(rig.hub().joins).toEqual([{
      subId: '1', topic: 'room:1', config,
      bindings: [
        { type: 'broadcast', event: 'message' },
        { type: 'presence', event: 'sync' },
        { type: 'postgres_changes', filter: pg },
        { type: 'system', event: 'resync' },
      ],
    }])
    const [hello] = rig.hub().hellos
    expect(hello).toMatchObject({ tabId: 'tab-1', protocol: PROTOCOL_VERSION, target: { transport: 'supabase', endpoint: 'http://127.0.0.1:54321', params: { apikey: 'anon-key' }, identity: null }, lockName: 'tabrelay-tab-tab-1', pauseWhenHiddenMs: 300_000, heartbeatIntervalMs: 5_000, lingerMs: 1_000 })
  })

  it('re-sends the join with the same subId when .on() follows subscribe(), once per chain', async () => {
    rig = setup()
    const room = rig.realtime.channel('room:1').on('broadcast', { event: 'a' }, () => {}).subscribe()
    await until(() => room.state === 'joined')
    room.on('broadcast', { event: 'b' }, () => {}).on('broadcast', { event: 'c' }, () => {})
    await until(() => rig.hub().joins.length === 2, 'updated join')
    const update = rig.hub().joins[1]
    expect(update?.subId).toBe(rig.hub().joins[0]?.subId)
    expect(update?.bindings.map((b) => (b.type === 'broadcast' ? b.event : ''))).toEqual(['a', 'b', 'c'])
    await rig.realtime.stats()
    expect(rig.hub().joins).toHaveLength(2)
  })

  it('returns the existing channel for the same topic and gives each channel its own subId', async () => {
    rig = setup()
    const a = rig.realtime.channel('room:1')
    expect(rig.realtime.channel('room:1')).toBe(a)
    a.subscribe()
    rig.realtime.channel('room:2').subscribe()
    await until(() => rig.hub().joins.length === 2)
    expect(rig.hub().joins.map((j) => [j.subId, j.topic])).toEqual([['1', 'room:1'], ['2', 'room:2']])
    expect(rig.realtime.getChannels()).toHaveLength(2)
  })

  it('seeds presence from the join snapshot at once and fires sync', async () => {
    const presence = { u2: [{ presence_ref: 'r1', typing: true }] }
    rig = setup({}, (hub) => { hub.snapshot = { status: 'SUBSCRIBED', presence } })
    const syncs = vi.fn()
    const room = rig.realtime.channel('room:1').on('presence', { event: 'sync' }, syncs).subscribe()
    await until(() => syncs.mock.calls.length === 1, 'sync')
    expect(syncs).toHaveBeenCalledWith({ event: 'sync' })
    expect(room.presenceState()).toEqual(presence)
  })

  it('waits for a pending join before send() and sends after it', async () => {
    let open = () => {}
    rig = setup({}, (hub) => { hub.joinGate = new Promise<void>((resolve) => { open = resolve }) })
    const room = rig.realtime.channel('room:1').subscribe()
    const sent = room.send({ type: 'broadcast', event: 'message', payload: { text: 'hi' } })
    await until(() => rig.hub().joins.length === 1)
    expect(rig.hub().sends).toHaveLength(0)
    open()
    await expect(sent).resolves.toBe('ok')
    expect(rig.hub().log.filter((l) => l !== 'hello')).toEqual(['join 1', 'send 1'])
    expect(rig.hub().sends[0]).toEqual({ subId: '1', message: { type: 'broadcast', event: 'message', payload: { text: 'hi' } } })
  })

  it('track, untrack and unsubscribe go to the hub with the subId; unsubscribe reports CLOSED', async () => {
    rig = setup()
    const statuses: string[] = []
    const room = rig.realtime.channel('room:1').subscribe((s) => statuses.push(s))
    await expect(room.track({ typing: false })).resolves.toBe('ok')
    await expect(room.untrack()).resolves.toBe('ok')
    await expect(room.unsubscribe()).resolves.toBe('ok')
    expect(rig.hub().tracks).toEqual([{ subId: '1', meta: { typing: false } }])
    expect(rig.hub().untracks).toEqual(['1'])
    expect(rig.hub().leaves).toEqual(['1'])
    expect(statuses).toEqual(['SUBSCRIBED', 'CLOSED'])
    expect(room.state).toBe('closed')
  })

  it('removeChannel leaves and forgets the channel', async () => {
    rig = setup()
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    await expect(rig.realtime.removeChannel(room)).resolves.toBe('ok')
    expect(rig.realtime.getChannels()).toEqual([])
    expect(rig.hub().leaves).toEqual(['1'])
    expect(rig.realtime.channel('room:1')).not.toBe(room)
  })
})

describe('deliveries → callbacks', () => {
  it('routes broadcasts by event: exact, case-insensitive and *; other subIds ignored', async () => {
    rig = setup()
    const exact: BroadcastMessage[] = []
    const all: string[] = []
    const other = vi.fn()
    const room = rig.realtime.channel('room:1')
      .on('broadcast', { event: 'Message' }, (m) => exact.push(m))
      .on('broadcast', { event: '*' }, (m) => all.push(m.event))
      .subscribe()
    rig.realtime.channel('room:2').on('broadcast', { event: '*' }, other).subscribe()
    await until(() => room.state === 'joined' && rig.hub().joins.length === 2)
    await rig.hub().deliver([
      { kind: 'broadcast', subIds: ['1'], event: 'MESSAGE', payload: { n: 1 }, meta: { id: 'x' } },
      { kind: 'broadcast', subIds: ['1'], event: 'typing', payload: null },
      { kind: 'broadcast', subIds: ['99'], event: 'message', payload: { n: 2 } },
    ])
    expect(exact).toEqual([{ type: 'broadcast', event: 'MESSAGE', payload: { n: 1 }, meta: { id: 'x' } }])
    expect(all).toEqual(['MESSAGE', 'typing'])
    expect(other).not.toHaveBeenCalled()
  })

  it('routes presence by event and keeps presenceState from the delivered state', async () => {
    rig = setup()
    const seen: unknown[] = []
    const room = rig.realtime.channel('room:1')
      .on('presence', { event: 'join' }, (e) => seen.push(e))
      .on('presence', { event: 'leave' }, (e) => seen.push(e))
      .on('presence', { event: 'sync' }, (e) => seen.push(e))
      .subscribe()
    await until(() => room.state === 'joined')
    const state = { u1: [{ presence_ref: 'a', typing: false }] }
    await rig.hub().deliver([
      { kind: 'presence', subIds: ['1'], event: 'join', key: 'u1', currentPresences: [], newPresences: [{ presence_ref: 'a', typing: false }], state },
      { kind: 'presence', subIds: ['1'], event: 'sync', state },
    ])
    expect(seen).toEqual([
      { event: 'join', key: 'u1', currentPresences: [], newPresences: [{ presence_ref: 'a', typing: false }] },
      { event: 'sync' },
    ])
    expect(room.presenceState()).toEqual(state)
    await rig.hub().deliver([{ kind: 'presence', subIds: ['1'], event: 'leave', key: 'u1', currentPresences: [], leftPresences: [{ presence_ref: 'a' }], state: {} }])
    expect(seen.at(-1)).toEqual({ event: 'leave', key: 'u1', currentPresences: [], leftPresences: [{ presence_ref: 'a' }] })
    expect(room.presenceState()).toEqual({})
  })

  it('routes postgres changes by the binding keys the hub says matched', async () => {
    rig = setup()
    const inserts = vi.fn()
    const updates = vi.fn()
    const room = rig.realtime.channel('db')
      .on('postgres_changes', pg, inserts)
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'messages' }, updates)
      .subscribe()
    await until(() => room.state === 'joined')
    const change = { schema: 'public', table: 'messages', commit_timestamp: 't', eventType: 'INSERT', new: { id: 1 }, old: {}, errors: null }
    await rig.hub().deliver([{ kind: 'postgres_changes', subIds: ['1'], bindingKeys: [bindingKey({ event: 'INSERT', schema: 'public', table: 'messages', filter: 'room=eq.1' })], payload: change }])
    expect(inserts).toHaveBeenCalledExactlyOnceWith(change)
    expect(updates).not.toHaveBeenCalled()
  })

  it('routes system events: * and "" get all, resync carries since', async () => {
    rig = setup()
    const resync = vi.fn()
    const star = vi.fn()
    const empty = vi.fn()
    const room = rig.realtime.channel('room:1')
      .on('system', { event: 'resync' }, resync)
      .on('system', { event: '*' }, star)
      .on('system', { event: '' }, empty)
      .subscribe()
    await until(() => room.state === 'joined')
    await rig.hub().deliver([
      { kind: 'system', subIds: ['1'], event: 'resync', payload: { since: 1234, reason: 'replay-gap' } },
      { kind: 'system', subIds: ['1'], event: 'system', payload: { message: 'ok' } },
    ])
    expect(resync).toHaveBeenCalledExactlyOnceWith({ since: 1234, reason: 'replay-gap' })
    expect(star).toHaveBeenCalledTimes(2)
    expect(empty).toHaveBeenCalledTimes(2)
  })

  it('reports each channel status transition once, with a RelayError for CHANNEL_ERROR', async () => {
    rig = setup()
    const calls: Array<[string, unknown]> = []
    const room = rig.realtime.channel('room:1').subscribe((status, err) => calls.push([status, err]))
    await until(() => calls.length === 1)
    await rig.hub().deliver([
      { kind: 'channel', subIds: ['1'], status: 'SUBSCRIBED' },
      { kind: 'channel', subIds: ['1'], status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: 'token expired' } },
      { kind: 'channel', subIds: ['1'], status: 'CHANNEL_ERROR', error: { code: 'unauthorized', message: 'token expired' } },
      { kind: 'channel', subIds: ['1'], status: 'SUBSCRIBED' },
    ])
    expect(calls.map(([s]) => s)).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR', 'SUBSCRIBED'])
    const error = calls[1]?.[1]
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'unauthorized' })
    expect(room.state).toBe('joined')
  })

  it('keeps delivering to other listeners when one throws', async () => {
    rig = setup()
    const good = vi.fn()
    const errors: unknown[] = []
    const onError = (error: unknown) => errors.push(error)
    process.on('uncaughtException', onError)
    try {
      const room = rig.realtime.channel('room:1')
        .on('broadcast', { event: '*' }, () => { throw new Error('app bug') })
        .on('broadcast', { event: '*' }, good)
        .subscribe()
      await until(() => room.state === 'joined')
      await rig.hub().deliver([{ kind: 'broadcast', subIds: ['1'], event: 'm', payload: 1 }])
      expect(good).toHaveBeenCalledOnce()
      await until(() => errors.length === 1, 'the rethrown app error')
      expect(errors[0]).toMatchObject({ message: 'app bug' })
    } finally {
      process.off('uncaughtException', onError)
    }
  })
})
