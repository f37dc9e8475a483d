// postgres_changes routing and token handling, through the unmodified supabase-js client.
import { describe, expect, it } from 'vitest'
import { makeClient, nextSecond, subscribed, useServer, VSNS, waitFor } from '../helpers/realtime.ts'

const rig = useServer('db')
const { client, room } = rig

type Seen = { binding: string; eventType: string; new: unknown; old: unknown }

describe.each(VSNS)('vsn %s', (vsn) => {
  it('routes changes by binding id and filter (eq, in, is, not., quoted values)', async () => {
    const seen: Seen[] = []
    const channel = client(vsn).channel(room())
    const bind = (binding: string, filter: Record<string, string>): void => {
      channel.on(
        'postgres_changes',
        { schema: 'public', ...filter } as { event: '*'; schema: string },
        (p: { eventType: string; new: unknown; old: unknown }) =>
          seen.push({ binding, eventType: p.eventType, new: p.new, old: p.old }),
      )
    }
    bind('insert-id-1', { event: 'INSERT', table: 'todos', filter: 'id=eq.1' })
    bind('all-todos', { event: '*', table: 'todos' })
    bind('status-in', { event: 'UPDATE', table: 'todos', filter: 'status=in.(open,"in progress")' })
    bind('done-is-null', { event: 'INSERT', table: 'todos', filter: 'done=is.null' })
    bind('not-quoted', { event: 'INSERT', table: 'todos', filter: 'title=not.eq."a,b"' })
    bind('other-table', { event: '*', table: 'users' })
    await subscribed(channel)

    const insert = { schema: 'public', table: 'todos', type: 'INSERT' as const, record: { id: 1, title: 'a,b', done: null } }
    expect(rig.server.emitChange(insert)).toBe(1)
    await waitFor(() => seen.length >= 3, 3000, 'insert bindings')
    expect(seen.map((s) => s.binding).sort()).toEqual(['all-todos', 'done-is-null', 'insert-id-1'])
    expect(seen[0]).toMatchObject({ eventType: 'INSERT', new: { id: 1, title: 'a,b', done: null }, old: {} })

    seen.length = 0
    const update = { schema: 'public', table: 'todos', type: 'UPDATE' as const, record: { id: 2, status: 'in progress' }, old_record: { id: 2 } }
    rig.server.emitChange(update)
    await waitFor(() => seen.length >= 2, 3000, 'update bindings')
    expect(seen.map((s) => s.binding).sort()).toEqual(['all-todos', 'status-in'])
    expect(seen[0]).toMatchObject({ eventType: 'UPDATE', old: { id: 2 } })

    seen.length = 0
    rig.server.emitChange({ ...insert, record: { id: 3, title: 'c', done: true } })
    await waitFor(() => seen.length >= 2, 3000, 'second insert')
    expect(seen.map((s) => s.binding).sort()).toEqual(['all-todos', 'not-quoted'])
  })

  it('the join reply echoes bindings with integer ids, then "Subscribed to PostgreSQL"', async () => {
    const system: { extension: string; status: string; message: string }[] = []
    const channel = client(vsn)
      .channel(room())
      .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'todos', filter: 'id=gte.10' }, () => undefined)
      .on('system', {}, (msg: { extension: string; status: string; message: string }) => system.push(msg))
    await subscribed(channel)
    await waitFor(() => system.length === 1, 3000, 'system message')
    expect(system[0]).toMatchObject({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL' })
    // A DELETE is matched against the old row image only.
    expect(rig.server.emitChange({ schema: 'public', table: 'todos', type: 'DELETE', old_record: { id: 12 } })).toBe(1)
    expect(rig.server.emitChange({ schema: 'public', table: 'todos', type: 'DELETE', old_record: { id: 9 } })).toBe(0)
    expect(rig.server.emitChange({ schema: 'public', table: 'todos', type: 'DELETE', record: { id: 12 } })).toBe(0)
  })

  it('a bad filter still joins, and a system error names the params', async () => {
    const system: { status: string; message: string }[] = []
    const channel = client(vsn)
      .channel(room())
      .on('postgres_changes', { event: '*', schema: 'public', table: 't', filter: 'foo=hey.1' }, () => undefined)
      .on('system', {}, (msg: { status: string; message: string }) => system.push(msg))
    await subscribed(channel)
    await waitFor(() => system.length === 1, 3000, 'system error')
    expect(system[0]).toMatchObject({ status: 'error', message: 'Error parsing `filter` params: ["foo", "hey", "1"]' })
  })

  it('an invalid access token fails the join with the exact reason', async () => {
    const token = await rig.server.mintToken({ sub: 'mallory' })
    const forged = `${token.slice(0, -4)}AAAA`
    const c = client(vsn, { accessToken: async () => forged })
    await c.realtime.setAuth()
    await expect(subscribed(c.channel(room()))).rejects.toThrow(
      'CHANNEL_ERROR: JwtSignatureError: Failed to validate JWT signature',
    )
    const junk = client(vsn, { accessToken: async () => 'not-a-jwt' })
    await junk.realtime.setAuth()
    await expect(subscribed(junk.channel(room()))).rejects.toThrow(
      'CHANNEL_ERROR: MalformedJWT: The token provided is not a valid JWT',
    )
  })

  it('a join with an expired token gets InvalidJWTToken: Token has expired N seconds ago', async () => {
    const expired = await rig.server.mintToken({ sub: 'late', expiresInS: -5 })
    const c = client(vsn, { accessToken: async () => expired })
    await c.realtime.setAuth()
    await expect(subscribed(c.channel(room()))).rejects.toThrow(
      /^CHANNEL_ERROR: InvalidJWTToken: Token has expired [5-7] seconds ago$/,
    )
  })

  it('a token that expires while joined: system error, then CLOSED', async () => {
    // Valid for about 1 s from here, whenever in a second the test started (see nextSecond).
    await nextSecond()
    const token = await rig.server.mintToken({ sub: 'brief', expiresInS: 1 })
    const c = client(vsn, { accessToken: async () => token })
    await c.realtime.setAuth()
    const events: string[] = []
    const channel = c.channel(room()).on('system', {}, (msg: { message: string }) => events.push(`system:${msg.message}`))
    await new Promise<void>((resolve, reject) => {
      channel.subscribe((status) => {
        events.push(status)
        if (status === 'SUBSCRIBED') resolve()
        if (status === 'CHANNEL_ERROR') reject(new Error('join failed'))
      })
    })
    await waitFor(() => events.includes('CLOSED'), 3000, 'CLOSED after expiry')
    expect(events).toEqual(['SUBSCRIBED', expect.stringMatching(/^system:Token has expired [0-2] seconds ago$/), 'CLOSED'])
    expect(rig.server.stats().sockets.find((s) => s.sub === 'brief')?.channels).toBe(0)
  })

  it('without a join token the socket apikey is used, and /stats reports the token subject', async () => {
    const alice = await rig.server.mintToken({ sub: 'alice' })
    const c = makeClient(rig.server.url, alice, { vsn })
    rig.keep(c)
    await subscribed(c.channel(room()))
    expect(rig.server.stats().sockets.some((s) => s.sub === 'alice' && s.channels === 1)).toBe(true)
  })
})
