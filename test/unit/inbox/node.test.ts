// Node endpoint only: how the demo server mounts /ws/inbox/ beside the Realtime paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { INBOX_PATH, startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { InboxClient, mintToken } from './client.ts'
import { eventually } from './targets.ts'

let server: RealtimeServer
beforeAll(async () => {
  server = await startRealtimeServer({ port: 0 })
})
afterAll(() => server.close())

describe('demo server /ws/inbox/', () => {
  it('/dev/drop closes inbox sockets too (1001), and /stats.inbox follows', async () => {
    const client = await InboxClient.open(`${server.url.replace('http', 'ws')}${INBOX_PATH}`, await mintToken('alice'))
    expect(server.stats().inbox).toEqual({ sockets: 1, conversations: 0, users: { alice: 1 } })
    await fetch(`${server.url}/dev/drop`, { method: 'POST' })
    expect(await client.closed).toBe(1001)
    // The server forgets a socket when its own close handshake ends, which may be after the client's.
    await eventually(() => Promise.resolve(server.stats().inbox.sockets === 0), 'the server to count 0 sockets')
  })

  it('other paths still go to the Realtime upgrade (404 without a trailing slash)', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/inbox`)
    const status = await new Promise<number>((resolve) => {
      ws.on('error', () => undefined)
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    })
    expect(status).toBe(404)
  })
})
