/**
 * The core transport contract against the WebSocket transport, over both inbox servers: the Node
 * endpoint of demo/server and a real Django Channels server (daphne + Redis).
 */
import { afterAll } from 'vitest'
import { runTransportContract } from '../transports/contract.ts'
import { inboxTransport, startDjangoInbox, startNodeInbox, stopSharedRedis, TUNNEL } from './servers.ts'

afterAll(stopSharedRedis)

runTransportContract({
  name: 'websocket over the Node inbox endpoint (demo/server)',
  transport: () => inboxTransport(TUNNEL),
  start: startNodeInbox,
})

runTransportContract({
  name: 'websocket over Django Channels (daphne + Redis)',
  transport: () => inboxTransport(TUNNEL),
  start: startDjangoInbox,
})
