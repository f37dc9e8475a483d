/**
 * The core transport contract against a hand-written transport of a different shape (the server
 * echoes to the sender; no presence, acks or private topics): the contract assumes no Supabase.
 */
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { runTransportContract } from './contract.ts'

let server = new EchoServer()

runTransportContract({
  name: 'echo (fake: server echoes to the sender, no presence)',
  transport: () => echoTransport(server),
  async start() {
    server = new EchoServer()
    return {
      credentials: async (user) => ({ target: { transport: 'echo', endpoint: 'memory://echo', params: {}, identity: user }, token: null }),
      connections: async () => server.connections,
      dropAll: async () => { server.dropAll() },
      close: async () => { server.dropAll() },
    }
  },
})
