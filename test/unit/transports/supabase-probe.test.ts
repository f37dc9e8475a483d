/**
 * A socket that never opened: the Supabase transport asks the server over HTTP why, so a refused
 * apikey (fatal: retrying cannot fix it) reads differently from a server that is down (retry).
 */
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import type { CloseReason } from '../../../worker/transports/transport.ts'
import { until } from './harness.ts'

const transport = supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket })
let server: RealtimeServer | null = null
afterEach(async () => { await server?.close(); server = null })

async function closeReasonOf(endpoint: string, apikey: string): Promise<CloseReason> {
  const reasons: CloseReason[] = []
  const attempt = transport.open({
    target: { transport: 'supabase', endpoint, params: { apikey }, identity: null }, token: null, memory: new Map(),
    events: { open: () => { throw new Error('the socket must not open') }, closed: (reason) => { reasons.push(reason) } },
  })
  const reason = await until(() => reasons[0], 'the attempt to end')
  await attempt.close()
  return reason
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

describe('Supabase transport: why a socket never opened', () => {
  it("a refused apikey ends the attempt as fatal 'unauthorized', naming the apikey", async () => {
    server = await startRealtimeServer({ port: 0 })
    const reason = await closeReasonOf(server.url, 'not-a-key')
    expect(reason).toEqual({ kind: 'fatal', error: { code: 'unauthorized', message: expect.stringMatching(/refused the apikey \(HTTP 401\)/) } })
  })

  it("a server that is not there is 'cannot reach', retried", async () => {
    const reason = await closeReasonOf(`http://127.0.0.1:${await freePort()}`, 'any-key')
    expect(reason).toEqual({ kind: 'retry', error: { code: 'transport', message: expect.stringMatching(/cannot reach the server/) } })
  })

  it('a valid apikey with a socket that closed for another reason stays a plain retry', async () => {
    server = await startRealtimeServer({ port: 0 })
    const reasons: CloseReason[] = []
    const attempt = transport.open({
      target: { transport: 'supabase', endpoint: server.url, params: { apikey: server.anonKey }, identity: null }, token: null, memory: new Map(),
      events: { open: () => undefined, closed: (reason) => { reasons.push(reason) } },
    })
    await until(() => server?.stats().connections === 1, 'the socket on the server')
    server.dropAllConnections()
    const reason = await until(() => reasons[0], 'the close')
    expect(reason).toMatchObject({ kind: 'retry', error: { code: 'transport', message: expect.stringMatching(/^socket closed/) } })
    await attempt.close()
  })
})
