/**
 * The Supabase transport over the unmodified realtime-js against the local server (demo/server):
 * what a server shutdown of a channel turns into.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'
import type { ChannelStatus, Json, WireError } from '../../../src/protocol.ts'
import { supabaseTransport } from '../../../worker/transports/supabase.ts'
import type { ChannelHandlers, Transport } from '../../../worker/transports/transport.ts'
import { nextSecond, waitFor } from '../helpers/realtime.ts'

describe('supabaseTransport', () => {
  let server: RealtimeServer
  let transport: Transport | null = null

  beforeEach(async () => {
    server = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
  })

  afterEach(async () => {
    await transport?.close()
    transport = null
    await server.close()
  })

  it('a token expiring while joined is CHANNEL_ERROR unauthorized, with the server system messages passed on', async () => {
    // Valid for about 1 s from here, whenever in a second the test started (see nextSecond).
    await nextSecond()
    const token = await server.mintToken({ sub: 'brief', expiresInS: 1 })
    transport = supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket })({
      url: server.url, apikey: server.anonKey, token,
      accessToken: async () => token,
      nextRetryDelayMs: () => 1_000,
      events: { open: () => undefined, closed: () => undefined },
    })
    const statuses: Array<[ChannelStatus, WireError | undefined]> = []
    const system: Json[] = []
    const handlers: ChannelHandlers = {
      status: (status, error) => { statuses.push([status, error]) },
      broadcast: () => undefined,
      presence: () => undefined,
      postgres: () => undefined,
      system: (payload) => { system.push(payload) },
    }
    await transport.setAuth(token)
    transport.connect()
    transport.channel({ topic: 'brief', isPrivate: false, presenceKey: '', hasPresence: false, postgres: [] }, handlers)

    await waitFor(() => statuses.length === 2, 5_000, 'SUBSCRIBED, then the shutdown')
    expect(statuses).toEqual([
      ['SUBSCRIBED', undefined],
      ['CHANNEL_ERROR', { code: 'unauthorized', message: expect.stringMatching(/^Token has expired \d+ seconds? ago$/) }],
    ])
    expect(system).toEqual([expect.objectContaining({ status: 'error', message: expect.stringMatching(/expired/) })])
  })
})
