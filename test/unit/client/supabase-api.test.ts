/**
 * The Supabase adapter as a drop-in for supabase-js (issue #11): channels left are forgotten,
 * the API supabase-js apps call, per-call timeouts, and failures a developer can diagnose.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RelayError } from '../../../src/contract/errors.ts'
import type { StatusEvent } from '../../../src/contract/protocol.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig
afterEach(() => { vi.restoreAllMocks(); rig.dispose() })

describe('supabase-js parity: channels', () => {
  it('after unsubscribe() (a React effect cleanup) channel(topic) is a fresh channel: three remounts, one callback per message', async () => {
    rig = setup()
    const calls: string[] = []
    for (let mount = 1; mount <= 3; mount += 1) {
      const room = rig.realtime.channel('room:1').on<string>('broadcast', { event: 'message' }, ({ payload }) => calls.push(`${mount}:${payload}`)).subscribe()
      await until(() => room.state === 'joined', `mount ${mount} joined`)
      if (mount < 3) await room.unsubscribe()
    }
    expect(rig.realtime.getChannels()).toHaveLength(1)
    // Every mount's channel had its own subId; the hub now routes to the last one only.
    await rig.hub().deliver([{ kind: 'broadcast', subIds: [rig.hub().joins.at(-1)?.subId ?? ''], event: 'message', payload: 'hi' }])
    expect(calls).toEqual(['3:hi'])
    expect(rig.hub().leaves).toHaveLength(2)
  })

  it("on('system', {}, cb) (supabase-js's idiom) and on('presence', { event: '*' }) are accepted and fire", async () => {
    rig = setup()
    const system: unknown[] = []
    const presence: unknown[] = []
    const room = rig.realtime.channel('room:1')
      .on('system', {}, (payload) => system.push(payload))
      .on('presence', { event: '*' }, (payload) => presence.push(payload?.event))
      .subscribe()
    await until(() => room.state === 'joined')
    expect(rig.hub().joins[0]?.bindings).toEqual([{ type: 'system', event: '' }, { type: 'presence', event: '*' }])
    const subIds = [rig.hub().joins[0]?.subId ?? '']
    await rig.hub().deliver([
      { kind: 'system', subIds, event: 'system', payload: { extension: 'postgres_changes', status: 'ok' } },
      { kind: 'presence', subIds, event: 'join', key: 'u', currentPresences: [], newPresences: [], state: {} },
      { kind: 'presence', subIds, event: 'sync', state: {} },
    ])
    expect(system).toEqual([{ extension: 'postgres_changes', status: 'ok' }])
    expect(presence).toEqual(['join', 'sync'])
  })

  it('subscribe(cb, timeout) reports TIMED_OUT when the join is not answered in time', async () => {
    rig = setup({}, (hub) => { hub.hang.add('join') })
    const statuses: string[] = []
    rig.realtime.channel('room:1').subscribe((status) => statuses.push(status), 500)
    await until(() => rig.hub().joins.length === 1, 'the join')
    rig.clock.advance(499)
    expect(statuses).toEqual([])
    rig.clock.advance(1)
    expect(statuses).toEqual(['TIMED_OUT'])
  })

  it('send/track take { timeout }, unsubscribe(timeout): a call the hub does not answer fails after that long', async () => {
    rig = setup({}, (hub) => { hub.hang.add('send') })
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    const sent = room.send({ type: 'broadcast', event: 'x', payload: {} }, { timeout: 300 }).catch((e: RelayError) => e.code)
    await until(() => rig.hub().sends.length === 1, 'the send')
    rig.clock.advance(300)
    await expect(sent).resolves.toBe('timeout')
    await expect(room.track({ a: 1 }, { timeout: 0 })).rejects.toMatchObject({ code: 'bad-input' })
  })

  it('httpSend goes through the hub with the server ack and resolves { success: true }', async () => {
    rig = setup()
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    await expect(room.httpSend('message', { text: 'hi' })).resolves.toEqual({ success: true })
    expect(rig.hub().sends.at(-1)?.message).toEqual({ type: 'broadcast', event: 'message', payload: { text: 'hi' }, ack: true })
    await expect(room.httpSend('message', null)).rejects.toMatchObject({ code: 'bad-input' })
  })

  it('presenceState<T>() types the metas; a presence key served as another tab\'s is reported once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    rig = setup({}, (hub) => { hub.snapshot = { status: 'SUBSCRIBED', presence: { u1: [{ presence_ref: 'r', name: 'Ann' }] }, notice: "presence key 'tab2' is served as 'tab1'" } })
    const room = rig.realtime.channel('room:1', { config: { presence: { key: 'tab2' } } }).subscribe()
    await until(() => room.state === 'joined')
    const state = room.presenceState<{ name: string }>()
    expect(state['u1']?.[0]?.name).toBe('Ann')
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("presence key 'tab2' is served as 'tab1'"))
  })
})

describe('supabase-js parity: the client', () => {
  it('setAuth() without a token asks accessToken() again and hands that token to the hub', async () => {
    let token = 'first'
    rig = setup({ accessToken: async () => token })
    await until(() => rig.realtime.status === 'open')
    token = 'second'
    await rig.realtime.setAuth()
    expect(rig.hub().auths).toEqual(['second'])
  })

  it('isConnected(), connectionState(), and disconnect()/connect() for this tab\'s channels only', async () => {
    rig = setup()
    expect(rig.realtime.connectionState()).toBe('connecting')
    await until(() => rig.realtime.isConnected(), 'open')
    expect(rig.realtime.connectionState()).toBe('open')
    const room = rig.realtime.channel('room:1').subscribe()
    await until(() => room.state === 'joined')
    await rig.realtime.disconnect()
    expect(room.state).toBe('closed')
    expect(rig.hub().leaves).toEqual(['1'])
    expect(rig.realtime.getChannels()).toEqual([room])
    rig.realtime.connect()
    await until(() => room.state === 'joined', 'joined again')
    expect(rig.hub().joins).toHaveLength(2)
  })
})

describe('diagnosable failures', () => {
  it("an accessToken() that throws is a console warning and a 'token-failed' status error, not a silent anonymous join", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const errors: Array<StatusEvent['error']> = []
    rig = setup({ accessToken: async () => { throw new Error('session store unavailable') } })
    rig.realtime.onStatus((_s, detail) => { if (detail.error) errors.push(detail.error) })
    await until(() => errors.length === 1, 'the token problem')
    expect(errors[0]).toMatchObject({ code: 'token-failed', message: expect.stringMatching(/session store unavailable.*anonymous/) })
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/accessToken\(\) failed/))
  })

  it("a worker script that fails to load reports 'worker-failed' at once, not a hello timeout", async () => {
    const failing = new EventTarget()
    const { port1, port2 } = new MessageChannel()
    const worker = Object.assign(failing, { port: port2 })
    rig = setup({ worker: () => worker })
    const errors: Array<StatusEvent['error']> = []
    rig.realtime.onStatus((status, detail) => { if (status === 'closed' && detail.error) errors.push(detail.error) })
    failing.dispatchEvent(Object.assign(new Event('error'), { message: '404' }))
    await until(() => errors.length === 1, 'the worker failure')
    expect(errors[0]).toMatchObject({ code: 'worker-failed', message: expect.stringMatching(/failed to load.*MIME type/) })
    port1.close()
  })

  it("with host 'auto', a real SharedWorker whose script fails to load reports 'worker-failed', never falls back to a tab host", async () => {
    // A SharedWorker global, so the 'auto' host probes this worker as it probes a browser's.
    class FakeSharedWorker extends EventTarget {
      readonly port: MessagePort
      constructor(port: MessagePort) { super(); this.port = port }
    }
    vi.stubGlobal('SharedWorker', FakeSharedWorker)
    const { port1, port2 } = new MessageChannel()
    const failing = new FakeSharedWorker(port2)
    const dedicated = vi.fn(() => { throw new Error('a dedicated Worker was asked for') })
    rig = setup({ worker: (kind) => (kind === 'shared' ? failing : dedicated()) })
    const closed: Array<StatusEvent['error']> = []
    const errors: Array<StatusEvent['error']> = []
    rig.realtime.onStatus((status, detail) => {
      if (detail.error) errors.push(detail.error)
      if (status === 'closed') closed.push(detail.error)
    })
    failing.dispatchEvent(Object.assign(new Event('error'), { message: '404' }))
    await until(() => closed.length === 1, 'the worker failure')
    expect(closed[0]).toMatchObject({ code: 'worker-failed', message: expect.stringMatching(/failed to load.*MIME type/) })
    expect(errors.every((e) => e?.code === 'worker-failed')).toBe(true)
    expect(dedicated).not.toHaveBeenCalled()
    port1.close()
    vi.unstubAllGlobals()
  })

  it("setAuth() with a token that is not a JWT rejects 'unauthorized' at once and leaves the connection's token alone", async () => {
    rig = setup()
    await until(() => rig.hubs[0]?.hellos.length === 1, 'hello')
    await expect(rig.realtime.setAuth('not-a-jwt')).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/takes a JWT/) })
    expect(rig.hub().auths).toEqual([])
    await rig.realtime.setAuth('header.payload.signature')
    expect(rig.hub().auths).toEqual(['header.payload.signature'])
  })
})
