// The inbox contract (issue #14): ONE list of cases, run against the Node endpoint of demo/server and
// against the Django Channels server (daphne + Redis). "Never received" is proved with a marker the
// same sender sends afterwards: one sender's frames reach a socket in order, so once the marker is in,
// an earlier frame that was going to arrive would have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InboxClient, mintToken, type Frame } from './client.ts'
import { inboxStats } from './client.ts'
import { conversationId, eventually, startDjangoTarget, startNodeTarget, useClients, type InboxTarget } from './targets.ts'

const targets = [
  { name: 'Node endpoint (demo/server)', start: startNodeTarget },
  { name: 'Django Channels (daphne + Redis)', start: startDjangoTarget },
]

const messagesOf = (client: InboxClient, conversation: string): unknown[] =>
  client.ofType('TEXT').filter((f) => f['conversation_id'] === conversation).map((f) => f['message'])

const notice = (message: string) => (f: Frame): boolean => f['type'] === 'NOTIFY' && f['message'] === message

describe.each(targets)('$name', ({ start }) => {
  let target: InboxTarget
  beforeAll(async () => {
    target = await start()
  })
  afterAll(() => target.stop())
  const clients = useClients()

  async function subscribed(sub: string, conversation: string, name?: string): Promise<InboxClient> {
    const client = await clients.open(target.url, sub, name ? { name } : {})
    client.send({ type: 'subscribe', conversation_id: conversation })
    await client.ping()
    return client
  }

  it('closes with 4401 for a missing, malformed, wrongly signed or expired token', async () => {
    const forged = await mintToken('alice', { secret: 'another-secret-of-at-least-32-characters!' })
    const expired = await mintToken('alice', { expiresInS: -5 })
    const codes = await Promise.all([null, 'not-a-jwt', forged, expired].map((token) => InboxClient.closeCode(target.url, token)))
    expect(codes).toEqual([4401, 4401, 4401, 4401])
  })

  it('TEXT reaches every subscribed socket exactly once and in order, the sender included', async () => {
    const id = conversationId()
    const [alice1, alice2, bob] = [await subscribed('alice', id), await subscribed('alice', id), await subscribed('bob', id)]
    const sent = ['m1', 'm2', 'm3', 'm4', 'm5']
    for (const message of sent) alice1.send({ type: 'TEXT', conversation_id: id, message })
    for (const client of [alice1, alice2, bob]) {
      await client.until((frames) => (frames.filter((f) => f['type'] === 'TEXT').length >= 5 ? true : undefined), 'five TEXT')
      await client.ping()
      expect(messagesOf(client, id)).toEqual(sent)
    }
  })

  it('a TEXT frame carries the sender from the token, the same message_id everywhere, an ISO created_at', async () => {
    const id = conversationId()
    const alice = await subscribed('alice', id, 'Alice Liddell')
    const bob = await subscribed('bob', id)
    const before = Date.now()
    bob.send({ type: 'TEXT', conversation_id: id, message: 'héllo 👋' })
    const seen = await Promise.all([alice, bob].map((c) => c.next((f) => f['type'] === 'TEXT', 'the TEXT')))
    expect(seen[0]).toEqual({
      type: 'TEXT',
      message: 'héllo 👋',
      conversation_id: id,
      sender_id: 'bob',
      sender_name: 'bob', // no name claim: the sub
      sender_avatar: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      message_id: expect.any(Number), // the stored row's id (Django) or the endpoint's counter (Node)
    })
    expect(seen[1]).toEqual(seen[0])
    expect(Math.abs(Date.parse(String(seen[0]?.['created_at'])) - before)).toBeLessThan(5_000)
    alice.send({ type: 'TEXT', conversation_id: id, message: 'again' })
    const fromAlice = await bob.next((f) => f['message'] === 'again', 'alice TEXT')
    expect(fromAlice).toMatchObject({ sender_id: 'alice', sender_name: 'Alice Liddell' })
    expect(fromAlice['message_id']).toBeGreaterThan(Number(seen[0]?.['message_id']))
  })

  it('unsubscribe stops delivery to that socket only', async () => {
    const id = conversationId()
    const [alice, bob1, bob2] = [await subscribed('alice', id), await subscribed('bob', id), await subscribed('bob', id)]
    bob2.send({ type: 'unsubscribe', conversation_id: id })
    await bob2.ping()
    alice.send({ type: 'TEXT', conversation_id: id, message: 'after unsubscribe' })
    alice.send({ type: 'notify', to: 'bob', message: 'marker' })
    await bob1.next((f) => f['message'] === 'after unsubscribe', 'TEXT on the still-subscribed socket')
    await bob2.next(notice('marker'), 'the marker')
    expect(messagesOf(bob2, id)).toEqual([])
  })

  it("a user not subscribed to a conversation never sees its frames, even sharing another one", async () => {
    const [secret, shared] = [conversationId(), conversationId()]
    const alice = await subscribed('alice', secret)
    alice.send({ type: 'subscribe', conversation_id: shared })
    const bob = await subscribed('bob', shared)
    alice.send({ type: 'TEXT', conversation_id: secret, message: 'for alice only' })
    alice.send({ type: 'typing', conversation_id: secret, typing: true })
    alice.send({ type: 'TEXT', conversation_id: shared, message: 'marker' })
    await bob.next((f) => f['message'] === 'marker', 'the marker')
    expect(bob.frames.filter((f) => f['conversation_id'] === secret)).toEqual([])
  })

  it('ids outside the group-name charset work and stay distinct', async () => {
    const [a, b] = ['général: #1', 'général: #2']
    const alice = await subscribed('ålice@example.com', a)
    const bob = await subscribed('bob', b)
    alice.send({ type: 'TEXT', conversation_id: a, message: 'one' })
    alice.send({ type: 'notify', to: 'bob', message: 'marker' })
    expect(await alice.next((f) => f['type'] === 'TEXT', 'own TEXT')).toMatchObject({ conversation_id: a, sender_id: 'ålice@example.com' })
    await bob.next(notice('marker'), 'the marker')
    expect(bob.ofType('TEXT')).toEqual([])
  })

  it('typing reaches every subscribed socket with the sender', async () => {
    const id = conversationId()
    const alice = await subscribed('alice', id, 'Alice')
    const bob = await subscribed('bob', id)
    alice.send({ type: 'typing', conversation_id: id, typing: true })
    const expected = { type: 'typing', conversation_id: id, sender_id: 'alice', sender_name: 'Alice', typing: true }
    for (const client of [alice, bob]) expect(await client.next((f) => f['type'] === 'typing', 'typing')).toEqual(expected)
  })

  it('ping is answered with pong', async () => {
    const alice = await clients.open(target.url, 'alice')
    await alice.ping()
    await alice.ping()
    expect(alice.frames).toEqual([{ type: 'pong' }, { type: 'pong' }])
  })

  it('notify reaches every socket of the addressed user and no one else', async () => {
    const open = (sub: string): Promise<InboxClient> => clients.open(target.url, sub)
    const [alice1, alice2, bob, carol] = await Promise.all([open('alice'), open('alice'), open('bob'), open('carol')])
    bob.send({ type: 'notify', to: 'alice', message: 'for alice' })
    bob.send({ type: 'notify', to: 'bob', message: 'marker' })
    bob.send({ type: 'notify', to: 'carol', message: 'marker' })
    for (const client of [alice1, alice2]) {
      const frame = await client.next(notice('for alice'), 'NOTIFY')
      expect(frame).toMatchObject({ type: 'NOTIFY', sender_id: 'bob', sender_name: 'bob', message_id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    }
    for (const client of [bob, carol]) {
      await client.next(notice('marker'), 'the marker')
      expect(client.frames.filter(notice('for alice'))).toEqual([])
    }
    expect(alice1.ofType('NOTIFY')).toHaveLength(1)
  })

  it('bad frames get an error frame with what to fix, and the socket stays usable', async () => {
    const alice = await clients.open(target.url, 'alice')
    const bad: Array<[string | Buffer, string]> = [
      ['{not json', 'frames must be JSON text'],
      [Buffer.from([1, 2, 3]), 'frames must be JSON text'],
      ['[1,2]', 'a frame must be a JSON object with a string "type"'],
      ['{"conversation_id":"x"}', 'a frame must be a JSON object with a string "type"'],
      ['{"type":"shout"}', 'unknown frame type "shout": expected subscribe, unsubscribe, TEXT, typing, notify or ping'],
      ['{"type":"subscribe","conversation_id":7}', 'conversation_id must be a non-empty string of at most 256 characters'],
      ['{"type":"subscribe","conversation_id":"x","since":"5"}', '"since" must be a message_id (an integer of at least 0) or null'],
      ['{"type":"subscribe","conversation_id":"x","since":-1}', '"since" must be a message_id (an integer of at least 0) or null'],
      [JSON.stringify({ type: 'subscribe', conversation_id: 'x'.repeat(257) }), 'conversation_id must be a non-empty string of at most 256 characters'],
      ['{"type":"TEXT","conversation_id":"x","message":""}', '"message" must be a non-empty string'],
      ['{"type":"typing","conversation_id":"x","typing":"yes"}', '"typing" must be true or false'],
      ['{"type":"notify","message":"hi"}', '"to" must be a non-empty string (a user id)'],
      ['{"type":"TEXT","conversation_id":"nope","message":"hi"}', 'not subscribed to conversation "nope": send a subscribe frame first'],
      ['{"type":"typing","conversation_id":"nope","typing":true}', 'not subscribed to conversation "nope": send a subscribe frame first'],
    ]
    for (const [data] of bad) alice.sendRaw(data)
    await alice.ping()
    expect(alice.ofType('error')).toEqual(bad.map(([, message]) => ({ type: 'error', message })))
    expect(alice.isOpen).toBe(true)
  })

  it('/stats counts authenticated sockets per user and conversations with subscribers', async () => {
    const id = conversationId()
    await Promise.all([subscribed('stats-a', id), subscribed('stats-a', id), subscribed('stats-b', id)])
    await InboxClient.closeCode(target.url, null)
    await eventually(async () => {
      const stats = await inboxStats(target.statsUrl)
      return stats.users['stats-a'] === 2 && stats.users['stats-b'] === 1 && stats.sockets === 3 && stats.conversations === 1
    }, '3 sockets of 2 users in 1 conversation')
  })
})
