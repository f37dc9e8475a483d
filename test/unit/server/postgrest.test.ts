// The PostgREST subset on /rest/v1, through supabase-js's own from(): select with filters, order and
// limit, single(), insert().select(), PostgREST's error shape, and the token checks of Realtime.
import { describe, expect, it } from 'vitest'
import { makeClient } from '../helpers/realtime.ts'
import { BACKENDS, useDatabase } from './backends.ts'

describe.each(BACKENDS)('%s', (kind) => {
  const rig = useDatabase(kind)

  async function seed(room: string, texts: string[]): Promise<number[]> {
    const { data, error } = await rig.client().from('messages').insert(texts.map((text) => ({ room, name: 'bob', text }))).select('id')
    expect(error).toBeNull()
    return (data ?? []).map((row) => Number(row['id']))
  }

  it('insert().select() returns the stored rows with their defaults; without select() nothing comes back', async () => {
    const room = rig.unique('ins')
    const { data, error, status } = await rig.client().from('messages').insert([{ room, name: 'alice', text: 'a' }, { room, name: 'bob', text: 'b' }]).select()
    expect([error, status]).toEqual([null, 201])
    expect(data).toEqual([
      { id: expect.any(Number), room, name: 'alice', text: 'a', created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { id: expect.any(Number), room, name: 'bob', text: 'b', created_at: expect.any(String) },
    ])
    const quiet = await rig.client().from('messages').insert({ room, name: 'carol', text: 'c' })
    expect([quiet.error, quiet.data, quiet.status]).toEqual([null, null, 201])
  })

  it('select().eq().gt().order().limit() and the other filters', async () => {
    const room = rig.unique('sel')
    const ids = await seed(room, ['one', 'two', 'three', 'four'])
    const [first = 0, second = 0] = ids
    const messages = (): ReturnType<ReturnType<typeof rig.client>['from']> => rig.client().from('messages')
    const page = await messages().select('id,text').eq('room', room).gt('id', first).order('id', { ascending: false }).limit(2)
    expect(page.error).toBeNull()
    expect(page.data).toEqual([{ id: ids[3], text: 'four' }, { id: ids[2], text: 'three' }])
    const texts = async (query: PromiseLike<{ data: Record<string, unknown>[] | null }>): Promise<unknown[]> => ((await query).data ?? []).map((r) => r['text'])
    expect(await texts(messages().select('text').eq('room', room).in('id', [first, second]).order('id'))).toEqual(['one', 'two'])
    expect(await texts(messages().select('text').eq('room', room).neq('text', 'one').lte('id', second))).toEqual(['two'])
    expect(await texts(messages().select('text').eq('room', room).like('text', 't*').order('id'))).toEqual(['two', 'three'])
    expect(await texts(messages().select('text').eq('room', room).ilike('text', '%OU%'))).toEqual(['four'])
    expect(await texts(messages().select('text').eq('room', room).not('text', 'in', '(one,two,three)'))).toEqual(['four'])
    expect(await texts(messages().select('text').eq('room', room).is('text', null))).toEqual([])
    const since = await messages().select('text').eq('room', room).gte('created_at', new Date(Date.now() - 60_000).toISOString()).order('id').range(1, 2)
    expect(since.data?.map((r) => r['text'])).toEqual(['two', 'three'])
  })

  it('single() gives one object, or PostgREST’s 406 when the result is not one row', async () => {
    const room = rig.unique('one')
    const [id] = await seed(room, ['only'])
    const one = await rig.client().from('messages').select('text').eq('id', id ?? 0).single()
    expect([one.error, one.data]).toEqual([null, { text: 'only' }])
    const none = await rig.client().from('messages').select().eq('room', `${room}-empty`).single()
    expect([none.status, none.error]).toEqual([406, {
      code: 'PGRST116', details: 'The result contains 0 rows', hint: null, message: 'JSON object requested, multiple (or no) rows returned',
    }])
  })

  it('errors have PostgREST’s shape: unknown table and column, constraint violations, bad operators', async () => {
    const client = rig.client()
    const table = await client.from('nope').select()
    expect([table.status, table.error]).toEqual([404, { code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'public.nope' in the schema cache" }])
    const column = await client.from('messages').select('bogus')
    expect([column.status, column.error]).toEqual([400, { code: '42703', details: null, hint: null, message: 'column messages.bogus does not exist' }])
    const check = await client.from('messages').insert({ room: 'r', name: 'n', text: '' })
    expect(check.status).toBe(400)
    expect(check.error).toMatchObject({ code: '23514', message: expect.stringContaining('messages_text_check') })
    const missing = await client.from('messages').insert({ room: 'r', text: 'no name' })
    expect(missing.error).toMatchObject({ code: '23502' })
    const typed = await client.from('messages').select().eq('id', 'abc')
    expect([typed.status, typed.error?.code]).toEqual([400, '22P02'])
    const op = await client.from('messages').select().filter('id', 'between', '1')
    expect([op.status, op.error]).toEqual([400, { code: 'PGRST100', details: null, hint: null, message: 'failed to parse filter (between.1)' }])
  })

  it('tokens are checked as for Realtime: the apikey must verify, and so must the bearer token', async () => {
    const ok = await rig.client({ accessToken: async () => rig.server.mintToken({ sub: 'alice' }) }).from('messages').select('id').limit(1)
    expect(ok.error).toBeNull()
    const expired = await rig.client({ accessToken: async () => rig.server.mintToken({ sub: 'late', expiresInS: -5 }) }).from('messages').select()
    expect([expired.status, expired.error]).toEqual([401, { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' }])
    const forgedToken = `${(await rig.server.mintToken({ sub: 'm' })).slice(0, -4)}AAAA`
    const forged = await rig.client({ accessToken: async () => forgedToken }).from('messages').select()
    expect([forged.status, forged.error?.code, forged.error?.message]).toEqual([401, 'PGRST301', 'JWSError JWSInvalidSignature'])
    const badKey = makeClient(rig.server.url, 'not-a-key')
    const refused = await badKey.from('messages').select()
    expect([refused.status, refused.error?.message]).toEqual([401, 'Invalid API key'])
  })

  it('CORS: the preflight of a REST route allows the headers postgrest-js sends, and content-range is exposed', async () => {
    const preflight = await fetch(`${rig.server.url}/rest/v1/messages`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('prefer')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('accept-profile')
    const get = await fetch(`${rig.server.url}/rest/v1/messages?select=id&limit=1`, { headers: { apikey: rig.server.anonKey } })
    expect([get.status, get.headers.get('access-control-allow-origin'), get.headers.get('access-control-expose-headers')]).toEqual([200, '*', 'content-range'])
  })
})
