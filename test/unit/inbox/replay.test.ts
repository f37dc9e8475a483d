// `since` on subscribe (issue #24), one list of cases against the Node endpoint of demo/server and the
// Django project: a socket that was away gets what it missed, in order and once, before live frames,
// then a `replayed` frame saying whether that was all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Frame, InboxClient } from './client.ts'
import { conversationId, startDjangoTarget, startNodeTarget, useClients, type InboxTarget } from './targets.ts'

const targets = [
  { name: 'Node endpoint (demo/server)', start: startNodeTarget },
  { name: 'Django Channels (daphne + Redis)', start: startDjangoTarget },
]

const texts = (client: InboxClient, id: string): unknown[] => client.ofType('TEXT').filter((f) => f['conversation_id'] === id).map((f) => f['message'])
const replayedOf = (id: string) => (f: Frame): boolean => f['type'] === 'replayed' && f['conversation_id'] === id

describe.each(targets)('$name', ({ start }) => {
  let target: InboxTarget
  beforeAll(async () => {
    target = await start()
  })
  afterAll(() => target.stop())
  const clients = useClients()

  async function sent(id: string, messages: string[]): Promise<number[]> {
    const writer = await clients.open(target.url, 'writer')
    writer.send({ type: 'subscribe', conversation_id: id })
    for (const message of messages) writer.send({ type: 'TEXT', conversation_id: id, message })
    const frames = await writer.until((all) => (all.filter((f) => f['type'] === 'TEXT').length === messages.length ? all : undefined), 'own TEXT frames')
    return frames.map((f) => Number(f['message_id']))
  }

  it('since: null replays nothing and names the newest message_id; a plain subscribe gets no replayed frame', async () => {
    const id = conversationId()
    const ids = await sent(id, ['a', 'b'])
    const reader = await clients.open(target.url, 'reader')
    reader.send({ type: 'subscribe', conversation_id: id, since: null })
    expect(await reader.next(replayedOf(id), 'replayed')).toEqual({ type: 'replayed', conversation_id: id, since: null, count: 0, last_message_id: ids[1], is_complete: true })
    const other = conversationId()
    reader.send({ type: 'subscribe', conversation_id: other })
    await reader.ping()
    expect(reader.frames.filter(replayedOf(other))).toEqual([])
    expect(texts(reader, id)).toEqual([])
  })

  it('since: what the socket missed, oldest first, once, before the replayed frame and the live ones', async () => {
    const id = conversationId()
    const [first = 0] = await sent(id, ['seen'])
    await sent(id, ['missed 1', 'missed 2', 'missed 3'])
    const reader = await clients.open(target.url, 'reader')
    reader.send({ type: 'subscribe', conversation_id: id, since: first })
    const done = await reader.next(replayedOf(id), 'replayed')
    expect(done).toMatchObject({ since: first, count: 3, is_complete: true })
    expect(texts(reader, id)).toEqual(['missed 1', 'missed 2', 'missed 3'])
    reader.send({ type: 'TEXT', conversation_id: id, message: 'live' })
    await reader.next((f) => f['message'] === 'live', 'the live TEXT')
    await reader.ping()
    expect(texts(reader, id)).toEqual(['missed 1', 'missed 2', 'missed 3', 'live'])
    expect(reader.frames.findIndex(replayedOf(id))).toBe(3)
  })

  it('since newer than any message (another server\'s cursor) is reported incomplete, nothing replayed', async () => {
    const id = conversationId()
    await sent(id, ['x'])
    const reader = await clients.open(target.url, 'reader')
    reader.send({ type: 'subscribe', conversation_id: id, since: 10_000_000 })
    expect(await reader.next(replayedOf(id), 'replayed')).toMatchObject({ count: 0, is_complete: false })
    expect(texts(reader, id)).toEqual([])
  })
})
