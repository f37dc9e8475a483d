import { describe, expect, it } from 'vitest'
import type { PostgresFilter, PresenceState } from '../../../src/contract/protocol.ts'
import { bindingKey } from '../../../src/contract/bindings.ts'
import { byTab, wantsBroadcast, wantsChange, wantsPresence, wantsSystem, type TopicSub } from '../../../worker/topic/listeners.ts'
import { createHarness, onBroadcast, sub } from './harness.ts'

const insert: PostgresFilter = { event: 'INSERT', schema: 'public', table: 'messages' }
const all: PostgresFilter = { event: '*', schema: 'public', table: 'messages' }
const item = (tabId: string, s: ReturnType<typeof sub>): TopicSub => ({ tabId, sub: s })

describe('routing matchers', () => {
  it('broadcast events match case-insensitively and * matches all', () => {
    expect(wantsBroadcast('MESSAGE')(item('a', sub('s', 't', [onBroadcast('message')])))).toBe(true)
    expect(wantsBroadcast('anything')(item('a', sub('s', 't', [onBroadcast('*')])))).toBe(true)
    expect(wantsBroadcast('other')(item('a', sub('s', 't', [onBroadcast('message')])))).toBe(false)
    expect(wantsBroadcast('x')(item('a', sub('s', 't', [{ type: 'system', event: 'x' }])))).toBe(false)
  })

  it('changes match the binding keys the server matched; presence and system listeners as declared', () => {
    const s = sub('s', 't', [{ type: 'postgres_changes', filter: insert }])
    expect(wantsChange(new Set([bindingKey(insert)]))(item('a', s))).toBe(true)
    expect(wantsChange(new Set([bindingKey(all)]))(item('a', s))).toBe(false)
    expect(wantsPresence(item('a', sub('s', 't', [], { presence: { enabled: true } })))).toBe(true)
    expect(wantsPresence(item('a', sub('s', 't', [onBroadcast()])))).toBe(false)
    expect(wantsSystem('resync')(item('a', sub('s', 't', [{ type: 'system', event: '' }])))).toBe(true)
    expect(wantsSystem('resync')(item('a', sub('s', 't', [{ type: 'system', event: 'system' }])))).toBe(false)
  })

  it('groups subscriptions by tab, one delivery per tab', () => {
    const groups = byTab([item('a', sub('s1', 't')), item('b', sub('s1', 't')), item('a', sub('s3', 't'))])
    expect([...groups]).toEqual([['a', ['s1', 's3']], ['b', ['s1']]])
  })
})

describe('routing through the hub', () => {
  it('delivers a server broadcast to the matching subscriptions of each tab in one delivery', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [onBroadcast('Message')]))
    h.hub.join('a', sub('s2', 'room', [onBroadcast('*')]))
    h.hub.join('a', sub('s3', 'room', [onBroadcast('other')]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast('other')]))
    await h.net.latest.subscribe('room')
    h.net.latest.broadcast('room', 'MESSAGE', { text: 'hi' })
    await h.settle()
    expect(h.sink('a').deliveries('broadcast')).toEqual([{ kind: 'broadcast', subIds: ['s1', 's2'], event: 'MESSAGE', payload: { text: 'hi' } }])
    expect(h.sink('b').deliveries('broadcast')).toEqual([])
  })

  it('routes a postgres change only to subscriptions whose binding matched', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'db', [{ type: 'postgres_changes', filter: insert }]))
    h.hub.join('b', sub('s1', 'db', [{ type: 'postgres_changes', filter: all }]))
    await h.net.latest.subscribe('db')
    h.net.latest.postgres('db', [bindingKey(all)], { eventType: 'UPDATE' })
    h.net.latest.postgres('db', [bindingKey(insert), bindingKey(all)], { eventType: 'INSERT' })
    await h.settle()
    expect(h.sink('a').deliveries('postgres_changes').map((d) => d.payload)).toEqual([{ eventType: 'INSERT' }])
    expect(h.sink('b').deliveries('postgres_changes').map((d) => d.payload)).toEqual([{ eventType: 'UPDATE' }, { eventType: 'INSERT' }])
  })

  it('presence events update the topic state and reach presence listeners only; a late tab sees the state at once', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [{ type: 'presence', event: 'sync' }]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    expect(h.net.latest.single('room').spec.hasPresence).toBe(true)
    const state: PresenceState = { u1: [{ presence_ref: 'r1', online: true }] }
    h.net.latest.presence('room', 'join', { key: 'u1', state, current: [], joined: [{ presence_ref: 'r1', online: true }] })
    h.net.latest.presence('room', 'sync', { state })
    await h.settle()
    expect(h.sink('a').deliveries('presence').map((d) => [d.event, d.state, d.key])).toEqual([['join', state, 'u1'], ['sync', state, undefined]])
    expect(h.sink('a').deliveries('presence')[0]).toMatchObject({ newPresences: [{ presence_ref: 'r1', online: true }], currentPresences: [] })
    expect(h.sink('b').deliveries('presence')).toEqual([])
    h.tab('c')
    expect(h.hub.join('c', sub('s1', 'room'))).toEqual({ status: 'SUBSCRIBED', presence: state })
  })

  it('system messages reach system listeners; channel status reaches every subscription', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [{ type: 'system', event: '*' }]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    h.net.latest.system('room', { extension: 'postgres_changes', status: 'ok', message: 'subscribed' })
    await h.settle()
    expect(h.sink('a').deliveries('system')).toEqual([{ kind: 'system', subIds: ['s1'], event: 'system', payload: { extension: 'postgres_changes', status: 'ok', message: 'subscribed' } }])
    expect(h.sink('b').deliveries('system')).toEqual([])
    expect(h.sink('b').deliveries('channel')).toEqual([{ kind: 'channel', subIds: ['s1'], status: 'SUBSCRIBED' }])
  })

  it("a channel error reaches the tabs and a late joiner's snapshot", async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room'))
    const error = { code: 'unauthorized', message: 'InvalidJWTToken' }
    await h.net.latest.error('room', error)
    await h.settle()
    expect(h.sink('a').deliveries('channel')).toEqual([{ kind: 'channel', subIds: ['s1'], status: 'CHANNEL_ERROR', error }])
    expect(h.hub.join('a', sub('s2', 'room'))).toEqual({ status: 'CHANNEL_ERROR', error, presence: {} })
  })

  it("a rejoin sends 'resync' with the time of the last event to resync listeners only", async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room', [{ type: 'system', event: 'resync' }, onBroadcast()]))
    h.hub.join('a', sub('s2', 'room', [{ type: 'system', event: 'system' }]))
    h.net.latest.open()
    const subscribedAt = h.clock.now()
    await h.net.latest.subscribe('room')
    await h.net.latest.subscribe('room')
    h.clock.advance(4_000)
    h.net.latest.broadcast('room', 'msg', 1)
    h.clock.advance(6_000)
    await h.net.latest.subscribe('room')
    await h.settle()
    const resyncs = h.sink('a').deliveries('system').filter((d) => d.event === 'resync')
    expect(resyncs).toEqual([
      { kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: subscribedAt, reason: 'not-replayable' } },
      { kind: 'system', subIds: ['s1'], event: 'resync', payload: { since: subscribedAt + 4_000, reason: 'not-replayable' } },
    ])
  })
})
