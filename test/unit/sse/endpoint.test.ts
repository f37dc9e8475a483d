// What the demo server's SSE endpoint does beyond the shared contract (contract.test.ts), and that
// mounting it left the Supabase routes as they were.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { SseReader } from './reader.ts'

let server: RealtimeServer
const opened: SseReader[] = []

beforeAll(async () => {
  server = await startRealtimeServer({ port: 0, sse: { retryMs: 2500 } })
})
afterAll(() => server.close())
afterEach(() => {
  for (const reader of opened.splice(0)) reader.close()
})

async function open(path: string, lastEventId?: string): Promise<SseReader> {
  const reader = await SseReader.open(`${server.url}${path}`, lastEventId === undefined ? {} : { lastEventId })
  opened.push(reader)
  return reader
}

const post = (path: string, body: string): Promise<Response> => fetch(`${server.url}${path}`, { method: 'POST', body })

describe('demo server SSE endpoint', () => {
  it('starts each stream with a retry: line and answers publishes with 202 JSON', async () => {
    const reader = await open('/sub/retry')
    expect(reader.retryMs).toBe(2500)
    const answer = await post('/pub/retry', 'x')
    expect(answer.status).toBe(202)
    const body = (await answer.json()) as { last_message_id: string }
    expect(body).toEqual({ messages: 1, subscribers: 1, last_message_id: expect.any(String) })
    const [event] = await reader.waitEvents(1)
    expect(event?.id).toBe(body.last_message_id)
  })

  it('sends a multi-line body as one event; percent-encoded channel names are decoded', async () => {
    const reader = await open('/sub/room%3A1')
    await post('/pub/room:1', 'line 1\nline 2')
    const [event] = await reader.waitEvents(1)
    expect(event?.data).toBe('line 1\nline 2')
  })

  it('refuses ids it never made (400), replays all it holds for an id of an earlier run', async () => {
    await post('/pub/epoch', 'kept')
    const foreign = await open('/sub/epoch', '1796119016:0')
    expect(foreign.status).toBe(400)
    const stale = await open('/sub/epoch', 'aaaaaa-7')
    await stale.waitEvents(1)
    expect(stale.data).toEqual(['kept'])
  })

  it('refuses a publish to several channels, other methods and empty channel names', async () => {
    expect((await post('/pub/a,b', 'x')).status).toBe(400)
    expect((await fetch(`${server.url}/pub/a`)).status).toBe(405)
    expect((await fetch(`${server.url}/sub/a,,b`, { headers: { accept: 'text/event-stream' } })).status).toBe(400)
  })

  it('leaves the Supabase routes as they were: * CORS, 404 elsewhere, /stats fields', async () => {
    const preflight = await fetch(`${server.url}/realtime/v1/api/broadcast`, { method: 'OPTIONS', headers: { origin: 'http://o.test' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect((await post('/subscribe', 'x')).status).toBe(404)
    await open('/sub/stats-a,stats-b')
    await post('/pub/stats-a', 'x')
    const stats = (await (await fetch(`${server.url}/stats`)).json()) as Record<string, unknown>
    expect(stats).toMatchObject({ connections: 0, channels: 0, topics: {}, sockets: [], messagesIn: expect.any(Number) })
    expect(stats['sse']).toMatchObject({ streams: 1, channels: 2, published: expect.any(Number) })
  })

  it('ends open streams when the server closes', async () => {
    const own = await startRealtimeServer({ port: 0 })
    const reader = await SseReader.open(`${own.url}/sub/bye`)
    await own.close()
    await reader.waitEnded(3000)
    expect(reader.comments).toContain('server shutting down')
  })
})
