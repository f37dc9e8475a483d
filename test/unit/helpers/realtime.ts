/**
 * Helpers for the conformance suites in test/unit/server: unmodified supabase-js clients wired to the
 * local server, a raw `ws` client for frames the SDK would never send, and bounded waits.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll } from 'vitest'
import WebSocket from 'ws'
import { startRealtimeServer, type RealtimeServer } from '../../../demo/server/index.ts'

/**
 * Serializer versions every suite is run with.
 *
 * @example
 * describe.each(VSNS)('vsn %s', (vsn) => {})
 */
export const VSNS = ['1.0.0', '2.0.0'] as const

/**
 * Poll `predicate` every 10 ms until it returns a truthy value; reject after `timeoutMs` with `label`.
 *
 * @example
 * await waitFor(() => received.length === 2, 3000, 'two broadcasts')
 */
export async function waitFor<T>(predicate: () => T, timeoutMs: number, label: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = predicate()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Resolves once the wall clock has entered a new second. The server counts token lifetimes in whole
 * seconds (`exp = floor(now) + expiresInS`, expired from the second `exp` on), so a short token
 * minted at a random moment is valid for anywhere between `expiresInS - 1` and `expiresInS`
 * seconds: minted late in a second, `expiresInS: 1` expires before the join. Minted right after
 * this resolves, it is valid for nearly all of `expiresInS`.
 *
 * @example
 * await nextSecond(); const token = await server.mintToken({ sub: 'brief', expiresInS: 1 })
 */
export async function nextSecond(): Promise<void> {
  const second = Math.floor(Date.now() / 1000)
  await waitFor(() => Math.floor(Date.now() / 1000) > second, 1_500, 'the next second')
}

/**
 * Every frame a client socket sent, as text (binary frames as `binary:<hex>`).
 *
 * @example
 * const sent: string[] = []; makeClient(url, key, { sent })
 */
export type SentLog = string[]

/**
 * Options for `makeClient`; timeouts are small so reconnect/rejoin paths finish quickly.
 *
 * @example
 * makeClient(server.url, server.anonKey, { vsn: '1.0.0', heartbeatIntervalMs: 300 })
 */
export interface ClientOptions {
  vsn?: string
  heartbeatIntervalMs?: number
  sent?: SentLog
  /** supabase-js `accessToken` option: the token realtime sends on join and refreshes on heartbeats. */
  accessToken?: () => Promise<string | null>
}

/**
 * An unmodified supabase-js client over `ws` (Node 20 has no global WebSocket, trap 10).
 *
 * @example
 * const client = makeClient(server.url, server.anonKey, { vsn: '2.0.0' })
 */
export function makeClient(url: string, key: string, options: ClientOptions = {}): SupabaseClient {
  const sent = options.sent
  // Records outgoing frames so tests can check join_refs without touching the client's internals.
  class RecordingSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols)
    }

    override send(data: unknown, ...rest: unknown[]): void {
      sent?.push(typeof data === 'string' ? data : `binary:${Buffer.from(data as ArrayBuffer).toString('hex')}`)
      ;(WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest)
    }
  }
  return createClient(url, key, {
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: {
      // ws's event handler types differ from the DOM ones realtime-js declares; the runtime shape matches.
      transport: RecordingSocket as unknown as typeof globalThis.WebSocket,
      vsn: options.vsn ?? '2.0.0',
      timeout: 2000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5000,
      reconnectAfterMs: () => 100,
    },
  })
}

/**
 * Subscribe and resolve on SUBSCRIBED; reject on CHANNEL_ERROR / TIMED_OUT / CLOSED or after `timeoutMs`.
 *
 * @example
 * await subscribed(client.channel('room'))
 */
export function subscribed(channel: RealtimeChannel, timeoutMs = 4000): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no SUBSCRIBED within ${timeoutMs} ms`)), timeoutMs)
    channel.subscribe((status, error) => {
      clearTimeout(timer)
      if (status === 'SUBSCRIBED') resolve(channel)
      else reject(new Error(`${status}: ${error?.message ?? ''}`))
    })
  })
}

/**
 * Disconnect a client and forget its channels.
 *
 * @example
 * afterEach(() => Promise.all(clients.map(closeClient)))
 */
export async function closeClient(client: SupabaseClient): Promise<void> {
  await client.removeAllChannels()
  client.realtime.disconnect()
}

/**
 * A raw WebSocket client speaking vsn 2.0.0 arrays, for malformed input and frame-level checks.
 *
 * @example
 * const raw = await RawClient.open(server.url, server.anonKey); raw.send([null, '1', 'phoenix', 'heartbeat', {}])
 */
export class RawClient {
  readonly frames: unknown[][] = []
  readonly ws: WebSocket
  closeCode: number | null = null

  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.frames.push(['binary', data])
      else this.frames.push(JSON.parse(String(data)) as unknown[])
    })
    ws.on('close', (code) => {
      this.closeCode = code
    })
  }

  /** Open a vsn 2.0.0 socket with the given apikey. */
  static open(url: string, apikey: string): Promise<RawClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${apikey}&vsn=2.0.0`)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawClient(ws)))
      ws.once('error', reject)
    })
  }

  /** Send a JSON array frame. */
  send(frame: unknown[]): void {
    this.ws.send(JSON.stringify(frame))
  }

  /** Wait for a frame matching `predicate`. */
  waitFrame(predicate: (frame: unknown[]) => boolean, label: string, timeoutMs = 3000): Promise<unknown[]> {
    return waitFor(() => this.frames.find(predicate), timeoutMs, label)
  }

  /** Close and wait for the close event. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve())
      this.ws.close()
    })
  }
}

/**
 * The reply frame for a given ref, in vsn 2.0.0 array form.
 *
 * @example
 * await raw.waitFrame(isReplyTo('3'), 'reply to 3')
 */
export function isReplyTo(ref: string): (frame: unknown[]) => boolean {
  return (frame) => frame[1] === ref && frame[3] === 'phx_reply'
}

/** One server for a test file, and supabase-js clients closed after each test. */
export interface ServerRig {
  /** The file's server (started in `beforeAll`). */
  readonly server: RealtimeServer
  /** A client of the anon key; closed after the test. */
  client(vsn: string, options?: ClientOptions): SupabaseClient
  /** Closes `client` after the test too. */
  keep(client: SupabaseClient): SupabaseClient
  /** A fresh topic per call, so tests sharing the server stay independent. */
  room(): string
}

/**
 * Registers the file's server and client clean-up hooks.
 * @example
 * const rig = useServer('room'); it('…', async () => { const c = rig.client('2.0.0') })
 */
export function useServer(topicPrefix: string): ServerRig {
  let server: RealtimeServer | undefined
  let clients: SupabaseClient[] = []
  let topicSeq = 0
  beforeAll(async () => { server = await startRealtimeServer({ port: 0 }) })
  afterAll(() => server?.close())
  afterEach(async () => {
    await Promise.all(clients.map(closeClient))
    clients = []
  })
  const rig: ServerRig = {
    get server(): RealtimeServer {
      if (!server) throw new Error('the server starts in beforeAll')
      return server
    },
    client: (vsn, options = {}) => rig.keep(makeClient(rig.server.url, rig.server.anonKey, { vsn, ...options })),
    keep: (client) => { clients.push(client); return client },
    room: () => `${topicPrefix}-${++topicSeq}`,
  }
  return rig
}
