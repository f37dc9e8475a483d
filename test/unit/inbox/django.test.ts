// The Django project's own users (issue #24): a session cookie read by AuthMiddlewareStack, or a
// SimpleJWT access token in `?token=`; integer sender ids, stored messages and the history endpoint.
// Access tokens live 2 s here, so one can expire within the test.
import { SignJWT } from 'jose'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInboxServer, startRedis, type InboxServer, type RedisServer } from '../../servers/django.ts'
import { InboxClient, type Frame } from './client.ts'
import { inboxStats } from './client.ts'
import { conversationId, eventually } from './targets.ts'

let redis: RedisServer
let server: InboxServer
beforeAll(async () => {
  redis = await startRedis()
  server = await startInboxServer({ redisUrl: redis.url, accessTokenS: 2 })
})
afterAll(async () => {
  await server.stop()
  await redis.stop()
})

/** A socket sending `cookie` (a browser sends the origin's cookies with the handshake); its close code or 'open'. */
function cookieSocket(cookie: string): Promise<{ ws: WebSocket; frames: Frame[]; code: Promise<number> }> {
  const ws = new WebSocket(server.url, { headers: { cookie } })
  const frames: Frame[] = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame))
  const code = new Promise<number>((resolve) => ws.once('close', resolve))
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, code }))
    ws.once('error', reject)
  })
}

/** 'open' when the server answers a ping on a socket with `token`, else the code it closed with. */
async function outcome(token: string): Promise<number | 'open'> {
  const client = await InboxClient.open(server.url, token)
  const answer = await Promise.race([client.ping().then(() => 'open' as const), client.closed])
  await client.close()
  return answer
}

describe('Django project auth', () => {
  it('a session cookie from /api/login authenticates the socket as the Django user; after /api/logout it is refused with 4401', async () => {
    const { cookie, user } = await server.login('alice')
    expect(user).toEqual({ id: 1, username: 'alice', name: 'Alice' })
    expect(await server.me(cookie)).toEqual(user)
    const socket = await cookieSocket(cookie)
    await eventually(async () => (await inboxStats(`${server.httpUrl}/stats`)).users['1'] === 1, "alice's socket counted under her id")
    const id = conversationId()
    socket.ws.send(JSON.stringify({ type: 'subscribe', conversation_id: id }))
    socket.ws.send(JSON.stringify({ type: 'TEXT', conversation_id: id, message: 'from a cookie' }))
    await eventually(async () => socket.frames.length > 0, 'own TEXT')
    expect(socket.frames[0]).toMatchObject({ sender_id: 1, sender_name: 'Alice', message: 'from a cookie', message_id: expect.any(Number) })
    socket.ws.close()
    await server.logout(cookie)
    expect(await server.me(cookie)).toBeNull()
    expect(await (await cookieSocket(cookie)).code).toBe(4401)
  })

  it('a SimpleJWT access token authenticates as user_id; a wrong password gets no token; a forged one is refused', async () => {
    const { access, refresh } = await server.token('bob')
    expect(typeof refresh).toBe('string')
    const claims = JSON.parse(Buffer.from(access.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
    expect(claims).toMatchObject({ token_type: 'access', user_id: 2 })
    // The demo's page names its user this way: /api/me with the access token, no cookie.
    const me = await fetch(`${server.httpUrl}/api/me`, { headers: { authorization: `Bearer ${access}` } })
    expect(await me.json()).toEqual({ id: 2, username: 'bob', name: 'Bob' })
    const bob = await InboxClient.open(server.url, access)
    const id = conversationId()
    bob.send({ type: 'subscribe', conversation_id: id })
    bob.send({ type: 'TEXT', conversation_id: id, message: 'from a JWT' })
    expect(await bob.next((f) => f['type'] === 'TEXT', 'own TEXT')).toMatchObject({ sender_id: 2, sender_name: 'Bob' })
    await bob.close()
    await expect(server.token('bob', 'wrong')).rejects.toThrow(/HTTP 401/)
    // The claims SimpleJWT writes, signed with a key that is not the server's SECRET_KEY.
    const nowS = Math.floor(Date.now() / 1000)
    const forged = await new SignJWT({ ...claims, exp: nowS + 60 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode('not-the-secret-key-of-this-server-0123456789'))
    expect(await InboxClient.closeCode(server.url, forged)).toBe(4401)
    expect((await fetch(`${server.httpUrl}/api/me`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401)
  })

  it('an access token is refused (4401) once it expires; the refresh view gives one that works', async () => {
    const { access, refresh } = await server.token('carol')
    expect(await outcome(access)).toBe('open')
    // The token lives 2 s: poll the server until it refuses it (bounded).
    await eventually(async () => (await outcome(access)) === 4401, 'the expired token refused', 6_000)
    const fresh = await server.refresh(refresh)
    expect(await outcome(fresh)).toBe('open')
  })

  it('history returns a conversation\'s stored messages oldest first to a signed-in user only', async () => {
    const { access } = await server.token('dave')
    const dave = await InboxClient.open(server.url, access)
    const id = conversationId()
    dave.send({ type: 'subscribe', conversation_id: id })
    for (const message of ['one', 'two', 'three']) dave.send({ type: 'TEXT', conversation_id: id, message })
    await dave.until((frames) => (frames.length === 3 ? true : undefined), 'three TEXT')
    await dave.close()
    const history = await server.history(id, access)
    expect(history.map((m) => [m.message, m.sender_id])).toEqual([['one', 4], ['two', 4], ['three', 4]])
    expect(history.map((m) => m.message_id)).toEqual(dave.frames.map((f) => f['message_id']))
    expect((await server.history(id, access, { before: history[2]?.message_id ?? 0, limit: 1 })).map((m) => m.message)).toEqual(['two'])
    const anonymous = await fetch(`${server.httpUrl}/api/conversations/${id}/messages`)
    expect(anonymous.status).toBe(401)
  })

  it('a user created through /api/users signs in with their password', async () => {
    const created = await server.createUser('erin', { name: 'Erin' })
    expect(created).toMatchObject({ username: 'erin', name: 'Erin', id: expect.any(Number) })
    expect((await server.login('erin')).user.id).toBe(created.id)
  })
})
