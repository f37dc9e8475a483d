// Django only: two daphne processes on one Redis, as an app runs behind a load balancer, and a server
// killed and started again on the same port (what the e2e suite does to the transport).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startInboxServer, startRedis, type InboxServer, type RedisServer } from '../../servers/django.ts'
import { InboxClient, mintToken, type Frame } from './client.ts'
import { inboxStats } from './client.ts'
import { conversationId, eventually, useClients } from './targets.ts'

let redis: RedisServer
let one: InboxServer
let two: InboxServer

beforeAll(async () => {
  redis = await startRedis()
  ;[one, two] = await Promise.all([startInboxServer({ redisUrl: redis.url }), startInboxServer({ redisUrl: redis.url })])
})
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()])
  await redis?.stop()
})

const clients = useClients()
const texts = (client: InboxClient): unknown[] => client.ofType('TEXT').map((f) => f['message'])
const isText = (message: string) => (f: Frame): boolean => f['type'] === 'TEXT' && f['message'] === message

async function subscribed(server: InboxServer, sub: string, conversation: string): Promise<InboxClient> {
  const client = await clients.open(server.url, sub)
  client.send({ type: 'subscribe', conversation_id: conversation })
  await client.ping()
  return client
}

describe('two daphne processes on one Redis', () => {
  it('a TEXT sent on server 1 reaches subscribers on both servers exactly once, in order', async () => {
    expect(one.port).not.toBe(two.port)
    const id = conversationId()
    const alice = await subscribed(one, 'alice', id)
    const [bob1, bob2] = [await subscribed(two, 'bob', id), await subscribed(two, 'bob', id)]
    for (const message of ['a1', 'a2', 'a3']) alice.send({ type: 'TEXT', conversation_id: id, message })
    bob1.send({ type: 'TEXT', conversation_id: id, message: 'b1' })
    // alice's marker comes after her three: once it is in, a duplicate of them would be too.
    alice.send({ type: 'TEXT', conversation_id: id, message: 'end' })
    for (const client of [alice, bob1, bob2]) {
      await client.next(isText('end'), 'the end marker')
      await client.next(isText('b1'), "bob's TEXT")
      expect(texts(client).filter((m) => m !== 'b1')).toEqual(['a1', 'a2', 'a3', 'end'])
      expect(texts(client).filter((m) => m === 'b1')).toHaveLength(1)
    }
  })

  it('notify crosses servers to every socket of the user; /stats counts each process', async () => {
    const [carolOne, carolTwo] = [await clients.open(one.url, 'carol'), await clients.open(two.url, 'carol')]
    const dave = await clients.open(two.url, 'dave')
    dave.send({ type: 'notify', to: 'carol', message: 'ring' })
    for (const carol of [carolOne, carolTwo]) {
      expect(await carol.next((f) => f['type'] === 'NOTIFY', 'NOTIFY')).toMatchObject({ message: 'ring', sender_id: 'dave' })
    }
    await eventually(async () => {
      const [a, b] = await Promise.all([inboxStats(`${one.httpUrl}/stats`), inboxStats(`${two.httpUrl}/stats`)])
      return a.users['carol'] === 1 && b.users['carol'] === 1 && b.users['dave'] === 1 && a.users['dave'] === undefined
    }, 'carol on each server, dave on server 2')
  })
})

describe('restart on the same port', () => {
  it('kill() drops the sockets; start() serves the same URL again and groups work across servers', async () => {
    const id = conversationId()
    const stale = await subscribed(two, 'erin', id)
    const alice = await subscribed(one, 'alice', id)
    await two.kill()
    expect(await stale.closed).not.toBe(1000)
    await expect(InboxClient.open(two.url, await mintToken('erin'))).rejects.toThrow(/ECONNREFUSED/)
    const startedAt = Date.now()
    await two.start()
    expect(Date.now() - startedAt).toBeLessThan(10_000)
    const erin = await subscribed(two, 'erin', id)
    alice.send({ type: 'TEXT', conversation_id: id, message: 'after restart' })
    alice.send({ type: 'TEXT', conversation_id: id, message: 'end' })
    await erin.next(isText('end'), 'the end marker')
    expect(texts(erin)).toEqual(['after restart', 'end'])
  })
})
