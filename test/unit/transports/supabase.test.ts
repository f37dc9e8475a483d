/**
 * The transport contract run against the Supabase transport (the unmodified realtime-js client)
 * and the local Realtime server: the core part every transport passes, then Supabase's own.
 */
import WebSocket from 'ws'
import { startRealtimeServer } from '../../../demo/server/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { runTransportContract } from './contract.ts'
import { realtimeCredentials, runSupabaseContract } from './supabase-contract.ts'

// Node 20 has no global WebSocket; ws's event handler types differ from the DOM ones realtime-js
// declares, the runtime shape matches.
const makeTransport = () => supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket })

runTransportContract({
  name: 'supabase',
  transport: makeTransport,
  async start() {
    const server = await startRealtimeServer({ port: 0 })
    return {
      credentials: (user) => realtimeCredentials(server, user),
      connections: async () => server.stats().connections,
      dropAll: async () => { server.dropAllConnections() },
      close: () => server.close(),
    }
  },
})

runSupabaseContract(makeTransport)
