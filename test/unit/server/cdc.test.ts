// postgres_changes from rows written to the database (PGlite and PostgreSQL), through the unmodified
// supabase-js client: INSERT/UPDATE/DELETE, old_record per replica identity, filters, columns,
// commit_timestamp, NOTIFY's 8000-byte cap, rollbacks, tables created after start-up.
import type { RealtimeChannel, RealtimePostgresChangesPayload } from '@supabase/supabase-js'
import { describe, expect, it } from 'vitest'
import { isReplyTo, RawClient, subscribed, waitFor } from '../helpers/realtime.ts'
import { BACKENDS, useDatabase, type DatabaseRig } from './backends.ts'

type Row = Record<string, unknown>
type Seen = RealtimePostgresChangesPayload<Row> & { binding: string }

function watch(rig: DatabaseRig, bindings: Record<string, { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string }>): { channel: RealtimeChannel; seen: Seen[] } {
  const seen: Seen[] = []
  const channel = rig.client().channel(rig.unique('cdc'))
  for (const [binding, filter] of Object.entries(bindings)) {
    channel.on('postgres_changes', { schema: 'public', ...filter } as { event: '*'; schema: string }, (p: RealtimePostgresChangesPayload<Row>) => seen.push({ ...p, binding }))
  }
  return { channel, seen }
}

describe.each(BACKENDS)('%s', (kind) => {
  const rig = useDatabase(kind)

  it('a REST insert reaches the bindings whose filter matches, once each, with the stored row', async () => {
    const room = rig.unique('room')
    const { channel, seen } = watch(rig, {
      room: { event: 'INSERT', table: 'messages', filter: `room=eq.${room}` },
      other: { event: 'INSERT', table: 'messages', filter: 'room=eq.elsewhere' },
      updates: { event: 'UPDATE', table: 'messages' },
    })
    await subscribed(channel)
    const { data, error } = await rig.client().from('messages').insert({ room, name: 'alice', text: 'hello' }).select().single()
    expect(error).toBeNull()
    await waitFor(() => seen.length === 1, 3000, 'the insert')
    expect(seen[0]).toMatchObject({ binding: 'room', eventType: 'INSERT', schema: 'public', table: 'messages', new: data, old: {}, errors: null })
    expect(rig.server.database).toBe(kind)
  })

  it('UPDATE and DELETE carry old_record per replica identity: keys, the full row, nothing', async () => {
    const table = rig.unique('todos')
    await rig.server.sql(`create table ${table} (id int primary key, title text, done bool)`)
    const { channel, seen } = watch(rig, { all: { event: '*', table }, open: { event: 'DELETE', table, filter: 'done=eq.false' } })
    await subscribed(channel)
    await rig.server.sql(`insert into ${table} values (1, 'a', false), (2, 'b', false), (3, 'c', false)`)
    await rig.server.sql(`update ${table} set done = true where id = 1`)
    // Default identity: the old image has only the key, so a filter on `done` cannot match the delete.
    await rig.server.sql(`delete from ${table} where id = 2`)
    await rig.server.sql(`alter table ${table} replica identity full`)
    await rig.server.sql(`delete from ${table} where id = 3`)
    await rig.server.sql(`alter table ${table} replica identity nothing`)
    await rig.server.sql(`update ${table} set title = 'z' where id = 1`)
    await waitFor(() => seen.length === 8, 3000, 'eight deliveries')
    expect(seen.map((s) => `${s.binding}:${s.eventType}`)).toEqual(['all:INSERT', 'all:INSERT', 'all:INSERT', 'all:UPDATE', 'all:DELETE', 'all:DELETE', 'open:DELETE', 'all:UPDATE'])
    expect(seen[3]).toMatchObject({ new: { id: 1, title: 'a', done: true }, old: { id: 1 } })
    expect(seen[4]).toMatchObject({ new: {}, old: { id: 2 } })
    expect(seen[4]?.old).toEqual({ id: 2 })
    expect(seen[5]?.old).toEqual({ id: 3, title: 'c', done: false })
    expect(seen[6]?.old).toEqual({ id: 3, title: 'c', done: false })
    expect(seen[7]).toMatchObject({ new: { id: 1, title: 'z', done: true }, old: {} })
  })

  it('the wire message: ids, columns in attnum order with typnames, typed values, commit_timestamp in ms UTC', async () => {
    const table = rig.unique('typed')
    // Created after start-up: the event trigger attaches the capture, as a publication of the schema would.
    await rig.server.sql(`create table ${table} (id bigint primary key, tags int4[], meta jsonb, ok bool, at timestamptz)`)
    const raw = await RawClient.open(rig.server.url, rig.server.anonKey)
    const topic = `realtime:${rig.unique('raw')}`
    const binding = { event: 'INSERT', schema: 'public', table }
    raw.send(['1', '1', topic, 'phx_join', { config: { postgres_changes: [binding] } }])
    const joined = await raw.waitFrame(isReplyTo('1'), 'join reply')
    const id = (joined[4] as { response: { postgres_changes: { id: number }[] } }).response.postgres_changes[0]?.id
    const before = Date.now()
    await rig.server.sql(`insert into ${table} values (7, '{1,2}', '{"a":{"b":[1]}}', true, '2026-01-02T03:04:05.678Z')`)
    const frame = await raw.waitFrame((f) => f[3] === 'postgres_changes', 'the change')
    await raw.close()
    expect(frame.slice(0, 3)).toEqual([null, null, topic])
    const payload = frame[4] as { ids: number[]; data: Row }
    expect(payload.ids).toEqual([id])
    expect(payload.data).toMatchObject({
      schema: 'public', table, type: 'INSERT', errors: null,
      columns: [{ name: 'id', type: 'int8' }, { name: 'tags', type: '_int4' }, { name: 'meta', type: 'jsonb' }, { name: 'ok', type: 'bool' }, { name: 'at', type: 'timestamptz' }],
      record: { id: 7, tags: [1, 2], meta: { a: { b: [1] } }, ok: true },
    })
    expect(payload.data).not.toHaveProperty('old_record')
    const at = String(payload.data['commit_timestamp'])
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000)
    expect(Date.parse(String((payload.data['record'] as Row)['at']))).toBe(Date.parse('2026-01-02T03:04:05.678Z'))
  })

  it('a row over NOTIFY’s 8000-byte cap arrives whole, in order with the small changes around it', async () => {
    const table = rig.unique('notes')
    await rig.server.sql(`create table ${table} (id int primary key, body text)`)
    const { channel, seen } = watch(rig, { all: { event: 'INSERT', table } })
    await subscribed(channel)
    const overflowed = async (): Promise<number> =>
      (await rig.server.sql<{ n: number }>(`select case when is_called then last_value else 0 end::int as n from tabrelay.overflow_id_seq`)).rows[0]?.n ?? -1
    const before = await overflowed()
    const big = 'é'.repeat(5000) // 10000 bytes
    await rig.server.sql(`insert into ${table} values (1, 'one'), (2, $1), (3, 'three')`, [big])
    await waitFor(() => seen.length === 3, 3000, 'three inserts')
    expect(seen.map((s) => (s.new as Row)['body'])).toEqual(['one', big, 'three'])
    // Exactly the big change went through the overflow table, and was removed from it once read.
    expect(await overflowed()).toBe(before + 1)
    const { rows } = await rig.server.sql<{ n: number }>('select count(*)::int as n from tabrelay.overflow')
    expect(rows[0]?.n).toBe(0)
  })

  it('a rolled-back statement delivers nothing; identical changes in one transaction each arrive', async () => {
    const room = rig.unique('tx')
    const { channel, seen } = watch(rig, { room: { event: '*', table: 'messages', filter: `room=eq.${room}` } })
    await subscribed(channel)
    // The second row breaks the check constraint: the whole statement, and its NOTIFY, roll back.
    await expect(rig.server.sql(`insert into messages (room, name, text) values ($1, 'a', 'kept?'), ($1, 'a', '')`, [room])).rejects.toThrow(/check constraint/)
    const { data } = await rig.client().from('messages').insert({ room, name: 'a', text: 'after' }).select('id').single()
    // NOTIFY folds identical payloads of one transaction; each change must still be delivered.
    await rig.server.sql(`do $$ begin update messages set text = text where id = ${Number(data?.['id'])}; update messages set text = text where id = ${Number(data?.['id'])}; end $$`)
    await waitFor(() => seen.length === 3, 3000, 'insert and two updates')
    expect(seen.map((s) => `${s.eventType}:${String((s.new as Row)['text'])}`)).toEqual(['INSERT:after', 'UPDATE:after', 'UPDATE:after'])
  })

  it('emitChange still routes injected changes beside the captured ones', async () => {
    const { channel, seen } = watch(rig, { todos: { event: 'INSERT', table: 'injected_only' } })
    await subscribed(channel)
    expect(rig.server.emitChange({ schema: 'public', table: 'injected_only', type: 'INSERT', record: { id: 1 } })).toBe(1)
    await waitFor(() => seen.length === 1, 3000, 'the injected change')
    expect(seen[0]?.new).toEqual({ id: 1 })
  })
})
