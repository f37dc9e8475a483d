// HTTP surface: upgrade refusals, CORS, dev routes and REST broadcast error paths.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { isReplyTo, RawClient, waitFor } from '../helpers/realtime.ts'

let server: RealtimeServer
let raws: RawClient[] = []

beforeAll(async () => {
  server = await startRealtimeServer({ port: 0 })
})
afterAll(() => server.close())
afterEach(async () => {
  await Promise.all(raws.map((r) => r.close()))
  raws = []
})

// The HTTP status and JSON body a refused upgrade answers with.
function upgradeRefusal(query: string, path = '/realtime/v1/websocket'): Promise<{ status: number; body: unknown }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}?${query}`)
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('upgrade unexpectedly accepted')))
    ws.on('error', () => undefined)
    ws.on('unexpected-response', (_req, res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    })
  })
}

async function joined(topic: string): Promise<RawClient> {
  const r = await RawClient.open(server.url, server.anonKey)
  raws.push(r)
  r.send(['1', '1', topic, 'phx_join', {}])
  await r.waitFrame(isReplyTo('1'), 'join')
  return r
}

describe('upgrade', () => {
  it('refuses missing, malformed, badly signed and expired apikeys with 401 JSON', async () => {
    const expired = await server.mintToken({ sub: 'x', expiresInS: -10 })
    const forged = `${server.anonKey.slice(0, -3)}abc`
    expect(await upgradeRefusal('vsn=2.0.0')).toEqual({ status: 401, body: { error: 'API key is missing' } })
    expect(await upgradeRefusal('apikey=nope&vsn=2.0.0')).toEqual({ status: 401, body: { error: 'The token provided is not a valid JWT' } })
    expect(await upgradeRefusal(`apikey=${forged}&vsn=2.0.0`)).toEqual({ status: 401, body: { error: 'Failed to validate JWT signature' } })
    expect(await upgradeRefusal(`apikey=${expired}&vsn=2.0.0`)).toEqual({ status: 401, body: { error: 'Token has expired' } })
  })

  it('refuses unknown serializer versions (403) and paths (404); accepts /socket/websocket', async () => {
    expect((await upgradeRefusal(`apikey=${server.anonKey}&vsn=3.0.0`)).status).toBe(403)
    expect((await upgradeRefusal(`apikey=${server.anonKey}`, '/elsewhere')).status).toBe(404)
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket/websocket?apikey=${server.anonKey}&vsn=2.0.0`)
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.close()
  })
})

describe('http routes', () => {
  it('OPTIONS preflight and /stats carry permissive CORS headers', async () => {
    const preflight = await fetch(`${server.url}/realtime/v1/api/broadcast?apikey=x`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('apikey, authorization, content-type, x-client-info')
    const stats = await fetch(`${server.url}/stats`)
    expect(stats.headers.get('access-control-allow-origin')).toBe('*')
    expect(await stats.json()).toMatchObject({ connections: expect.any(Number), topics: {}, sockets: expect.any(Array) })
  })

  it('/dev/token mints HS256 tokens the server accepts, with role and expiry', async () => {
    const response = await fetch(`${server.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'zoe', expiresInS: 60 }) })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const { access_token: token } = (await response.json()) as { access_token: string }
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
    expect(claims).toMatchObject({ sub: 'zoe', role: 'authenticated' })
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(60)
    const r = await RawClient.open(server.url, token)
    raws.push(r)
    await waitFor(() => server.stats().sockets.some((s) => s.sub === 'zoe'), 3000, 'socket with sub zoe')
    const anon = await fetch(`${server.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'anon', role: 'anon' }) })
    expect(anon.status).toBe(200)
    expect((await fetch(`${server.url}/dev/token`, { method: 'POST', body: '{}' })).status).toBe(422)
  })

  it('/dev/emit routes a change; /dev/drop closes every socket', async () => {
    const r = await RawClient.open(server.url, server.anonKey)
    raws.push(r)
    r.send(['1', '1', 'realtime:emit', 'phx_join', { config: { postgres_changes: [{ event: '*', schema: 'public', table: 't' }] } }])
    await r.waitFrame(isReplyTo('1'), 'join')
    const change = { schema: 'public', table: 't', type: 'INSERT', record: { id: 1 } }
    const emitted = await fetch(`${server.url}/dev/emit`, { method: 'POST', body: JSON.stringify(change) })
    expect(await emitted.json()).toEqual({ delivered: 1 })
    const message = await r.waitFrame((f) => f[3] === 'postgres_changes', 'change')
    expect(message.slice(0, 3)).toEqual([null, null, 'realtime:emit'])
    expect(message[4]).toMatchObject({ ids: [expect.any(Number)], data: { type: 'INSERT', record: { id: 1 }, errors: null } })
    await fetch(`${server.url}/dev/drop`, { method: 'POST' })
    await waitFor(() => r.closeCode !== null, 3000, 'socket dropped')
  })

  it('REST broadcast: 401 without a valid key, 415 for other media types, 422 for bad batches', async () => {
    const single = `${server.url}/realtime/v1/api/broadcast/room/events/e?apikey=${server.anonKey}&vsn=2.0.0`
    const json = { 'content-type': 'application/json' }
    expect((await fetch(single, { method: 'POST', headers: json, body: '{}' })).status).toBe(401)
    const authed = { apikey: server.anonKey }
    const bad = await fetch(single, { method: 'POST', headers: { ...authed, 'content-type': 'text/plain' }, body: 'x' })
    expect(bad.status).toBe(415)
    const batch = `${server.url}/realtime/v1/api/broadcast`
    const invalid = await fetch(batch, { method: 'POST', headers: { ...authed, ...json }, body: JSON.stringify({ messages: [{ topic: 1 }] }) })
    expect(invalid.status).toBe(422)
    const bearer = { authorization: `Bearer ${await server.mintToken({ sub: 'u' })}`, ...json }
    expect((await fetch(batch, { method: 'POST', headers: bearer, body: JSON.stringify({ messages: [] }) })).status).toBe(202)
  })

  it('REST single with octet-stream reaches vsn 2.0.0 sockets as an exact kind-4 frame', async () => {
    const r = await joined('realtime:bytes')
    const url = `${server.url}/realtime/v1/api/broadcast/bytes/events/blob`
    const response = await fetch(url, { method: 'POST', headers: { apikey: server.anonKey, 'content-type': 'application/octet-stream' }, body: new Uint8Array([9, 8, 7]) })
    expect(response.status).toBe(202)
    const frame = await r.waitFrame((f) => f[0] === 'binary', 'binary frame')
    const expected = Buffer.concat([Buffer.from([4, 14, 4, 0, 0]), Buffer.from('realtime:bytesblob'), Buffer.from([9, 8, 7])])
    expect(Buffer.from(frame[1] as Buffer).equals(expected)).toBe(true)
  })
})
