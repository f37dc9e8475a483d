/**
 * The transport contract run against the Supabase transport (the unmodified realtime-js client).
 */
import WebSocket from 'ws'
import { supabaseTransport } from '../../../worker/transports/supabase.ts'
import { runTransportContract } from './contract.ts'

// Node 20 has no global WebSocket (trap 10); ws's event handler types differ from the DOM ones
// realtime-js declares, the runtime shape matches.
runTransportContract('supabase', () => supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket }))
