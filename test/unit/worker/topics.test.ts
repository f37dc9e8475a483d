import { describe, expect, it } from 'vitest'
import type { PostgresFilter } from '../../../src/contract/protocol.ts'
import { TopicTable } from '../../../worker/topic/table.ts'
import type { Topic } from '../../../worker/topic/topic.ts'
import { mergeSupabase, type SupabaseSpec } from '../../../worker/transports/supabase/spec.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { ManualClock } from '../fakes/clock.ts'
import { createHarness, onBroadcast, sub } from './harness.ts'

const insert: PostgresFilter = { event: 'INSERT', schema: 'public', table: 'messages' }
const update: PostgresFilter = { event: 'UPDATE', schema: 'public', table: 'messages', filter: 'room=eq.1' }

function table(lingerMs = 1_000): { topics: TopicTable; clock: ManualClock; log: string[] } {
  const clock = new ManualClock()
  const log: string[] = []
  const name = (entry: Topic): string => `${entry.key}`
  const topics = new TopicTable({
    open: (entry) => log.push(`open ${name(entry)}`),
    respec: (entry) => log.push(`respec ${name(entry)} ${(entry.spec as SupabaseSpec).postgres.length}`),
    close: (entry) => log.push(`close ${name(entry)}`),
  }, new FakeNetwork().transport, clock, () => lingerMs)
  return { topics, clock, log }
}

describe('TopicTable', () => {
  it('opens a topic once for many tabs and subscriptions', () => {
    const { topics, log } = table()
    topics.add('a', sub('s1', 'room'))
    topics.add('a', sub('s2', 'room'))
    topics.add('b', sub('s1', 'room'))
    expect(log).toEqual(['open public:room'])
    expect(topics.size).toBe(1)
  })

  it('leaves only after lingerMs once the last subscription is gone', () => {
    const { topics, clock, log } = table(1_000)
    topics.add('a', sub('s1', 'room'))
    topics.add('b', sub('s1', 'room'))
    topics.remove('a', 's1')
    topics.removeTab('b')
    clock.advance(999)
    expect(log).toEqual(['open public:room'])
    clock.advance(1)
    expect(log).toEqual(['open public:room', 'close public:room'])
    expect(topics.size).toBe(0)
  })

  it('cancels the leave when the topic is subscribed again within the linger (no churn)', () => {
    const { topics, clock, log } = table(1_000)
    topics.add('a', sub('s1', 'room'))
    topics.remove('a', 's1')
    clock.advance(500)
    topics.add('a', sub('s2', 'room'))
    clock.advance(5_000)
    expect(log).toEqual(['open public:room'])
    expect(clock.pending).toBe(0)
  })

  it('keeps public and private topics of the same name apart', () => {
    const { topics, log } = table()
    topics.add('a', sub('s1', 'room'))
    topics.add('a', sub('s2', 'room', [], { private: true }))
    expect(log).toEqual(['open public:room', 'open private:room'])
  })

  it('re-specs only when the union of postgres bindings grows', () => {
    const { topics, log } = table()
    topics.add('a', sub('s1', 'db', [{ type: 'postgres_changes', filter: insert }]))
    topics.add('b', sub('s1', 'db', [{ type: 'postgres_changes', filter: { ...insert, event: 'INSERT' } }]))
    expect(log).toEqual(['open public:db'])
    topics.add('c', sub('s1', 'db', [{ type: 'postgres_changes', filter: update }]))
    expect(log).toEqual(['open public:db', 'respec public:db 2'])
    topics.removeTab('c')
    topics.add('d', sub('s1', 'db', [onBroadcast('x')]))
    expect(log).toEqual(['open public:db', 'respec public:db 2'])
  })
})

describe('mergeSupabase', () => {
  it('unions postgres bindings without duplicates and takes the first presence key', () => {
    const spec = mergeSupabase([
      sub('s1', 'db', [{ type: 'postgres_changes', filter: insert }], { presence: { key: 'u1' } }),
      sub('s1', 'db', [{ type: 'postgres_changes', filter: insert }, { type: 'postgres_changes', filter: update }], { presence: { key: 'u2' } }),
    ], false)
    expect(spec).toEqual({ topic: 'db', isPrivate: false, presenceKey: 'u1', hasPresence: false, postgres: [insert, update] })
  })

  it('enables presence for a presence listener, presence.enabled or a track', () => {
    expect(mergeSupabase([sub('s', 'r', [{ type: 'presence', event: 'sync' }])], false).hasPresence).toBe(true)
    expect(mergeSupabase([sub('s', 'r', [], { presence: { enabled: true } })], false).hasPresence).toBe(true)
    expect(mergeSupabase([sub('s', 'r')], true).hasPresence).toBe(true)
    expect(mergeSupabase([sub('s', 'r', [], { private: true })], false).isPrivate).toBe(true)
    // Once on, presence stays on across a re-join (the hub passes the current spec).
    expect(mergeSupabase([sub('s', 'r')], false, mergeSupabase([sub('s', 'r')], true)).hasPresence).toBe(true)
  })
})

describe('topics through the hub', () => {
  it('many tabs and subscriptions on one topic ride one transport channel', async () => {
    const h = createHarness()
    for (const tab of ['a', 'b', 'c']) {
      h.tab(tab)
      h.hub.join(tab, sub('s1', 'room', [onBroadcast()]))
      h.hub.join(tab, sub('s2', 'room', [onBroadcast('msg')]))
    }
    await h.settle()
    expect(h.net.transports).toHaveLength(1)
    expect(h.net.latest.channels).toHaveLength(1)
    expect(h.net.liveChannels('room')).toBe(1)
  })

  it('the last leave closes the channel after lingerMs; a rejoin within it keeps the channel', async () => {
    const h = createHarness()
    h.tab('a', { lingerMs: 2_000 })
    h.tab('b', { lingerMs: 2_000 })
    h.hub.join('a', sub('s1', 'room'))
    h.hub.join('b', sub('s1', 'room'))
    await h.net.latest.subscribe('room')
    h.hub.leave('a', 's1')
    h.hub.leave('b', 's1')
    h.clock.advance(1_999)
    await h.settle()
    h.hub.join('b', sub('s2', 'room'))
    h.clock.advance(10_000)
    await h.settle()
    expect(h.net.latest.channels).toHaveLength(1)
    expect(h.net.liveChannels('room')).toBe(1)
    h.hub.leave('b', 's2')
    h.clock.advance(1_999)
    expect(h.net.liveChannels('room')).toBe(1)
    h.clock.advance(1)
    await h.settle()
    expect(h.net.liveChannels('room')).toBe(0)
  })

  it('rejoins with the grown union of postgres bindings, and not when it shrinks', async () => {
    const h = createHarness()
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'db', [{ type: 'postgres_changes', filter: insert }]))
    await h.net.latest.subscribe('db')
    h.hub.join('b', sub('s1', 'db', [{ type: 'postgres_changes', filter: update }]))
    await h.settle()
    const transport = h.net.latest
    expect(transport.channels.map((c) => c.spec.postgres)).toEqual([[insert], [insert, update]])
    expect(transport.liveChannels('db')).toBe(1)
    h.hub.leave('b', 's1')
    await h.settle()
    expect(transport.channels).toHaveLength(2)
  })

  it('a public and a private topic of the same name are two channels', async () => {
    const h = createHarness()
    h.tab('a')
    h.hub.join('a', sub('s1', 'room'))
    h.hub.join('a', sub('s2', 'room', [], { private: true }))
    await h.settle()
    expect(h.net.latest.liveChannels('room', { isPrivate: false })).toBe(1)
    expect(h.net.latest.liveChannels('room', { isPrivate: true })).toBe(1)
  })
})
