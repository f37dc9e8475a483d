/**
 * The inbox servers the WebSocket transport suites run against, as contract fixtures: the Node
 * endpoint of demo/server and the Django Channels server (daphne on one shared throw-away Redis),
 * plus the transport options that tunnel the contract's arbitrary events through TEXT frames.
 */
import WebSocket from 'ws'
import type { Json } from '../../../src/contract/protocol.ts'
import { INBOX_PATH, startRealtimeServer } from '../../../demo/server/index.ts'
import { inboxFrames, isObject, websocketTransport, type WebSocketTransportOptions } from '../../../worker/transports/websocket/index.ts'
import type { Transport } from '../../../worker/transports/transport.ts'
import { startInboxServer, startRedis, type RedisServer } from '../../servers/django.ts'
import type { ContractServer } from '../transports/fixture.ts'
import { mintToken } from '../inbox/client.ts'
import { inboxStats } from '../inbox/client.ts'

/** `ws` as the worker's WebSocket: Node 20 has no global one. */
export const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket

/**
 * The inbox transport as a worker would configure it, on `ws`.
 * @example
 * const transport = inboxTransport({ ping: undefined })
 */
export function inboxTransport(extra: WebSocketTransportOptions = {}): Transport {
  return websocketTransport({ ...inboxFrames(), WebSocket: NodeWebSocket, ...extra })
}

/**
 * The contract sends any event with any JSON payload; the inbox server carries only TEXT frames
 * with a string `message`. This codec wraps `{event, payload}` into the message and back, which
 * is exactly what the `route`/`encode` seams are for.
 * @example
 * websocketTransport({ ...inboxFrames(), ...TUNNEL })
 */
export const TUNNEL: Pick<WebSocketTransportOptions, 'route' | 'encode'> = {
  encode: (topic, event, payload) => ({ type: 'TEXT', conversation_id: topic, message: JSON.stringify({ event, payload }) }),
  route: (frame: Json) => {
    if (!isObject(frame) || frame['type'] !== 'TEXT' || typeof frame['message'] !== 'string') return null
    const inner = JSON.parse(frame['message']) as Json
    if (!isObject(inner) || typeof inner['event'] !== 'string') return null
    return { topic: typeof frame['conversation_id'] === 'string' ? frame['conversation_id'] : null, event: inner['event'], payload: inner['payload'] ?? null }
  },
}

function credentials(endpoint: string) {
  return async (user: string) => ({ target: { transport: 'inbox', endpoint, params: {}, identity: null }, token: await mintToken(user) })
}

/**
 * The demo server's `/ws/inbox/` on a free port.
 * @example
 * const server = await startNodeInbox(); await server.connections()
 */
export async function startNodeInbox(): Promise<ContractServer & { url: string; restart(): Promise<void>; stop(): Promise<void> }> {
  let server = await startRealtimeServer({ port: 0 })
  const { port } = server
  const url = `${server.url.replace('http', 'ws')}${INBOX_PATH}`
  return {
    url,
    credentials: credentials(url),
    connections: async () => server.stats().inbox.sockets,
    dropAll: async () => { server.dropAllConnections() },
    close: () => server.close(),
    stop: () => server.close(),
    restart: async () => { server = await startRealtimeServer({ port }) },
  }
}

let redis: RedisServer | null = null

/**
 * A daphne of its own on the suite's shared Redis (started on first use; {@link stopSharedRedis}).
 * `dropAll` kills the process and starts it again on the same port.
 * @example
 * const server = await startDjangoInbox()
 */
export async function startDjangoInbox(): Promise<ContractServer & { url: string; kill(): Promise<void>; start(): Promise<void> }> {
  redis ??= await startRedis()
  const inbox = await startInboxServer({ redisUrl: redis.url })
  return {
    url: inbox.url,
    credentials: credentials(inbox.url),
    connections: async () => (await inboxStats(`${inbox.httpUrl}/stats`)).sockets,
    dropAll: () => inbox.restart(),
    close: () => inbox.stop(),
    kill: () => inbox.kill(),
    start: () => inbox.start(),
  }
}

/**
 * Stops the Redis {@link startDjangoInbox} started, if any.
 * @example
 * afterAll(stopSharedRedis)
 */
export async function stopSharedRedis(): Promise<void> {
  await redis?.stop()
  redis = null
}
