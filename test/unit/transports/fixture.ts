/**
 * What the transport contract suite needs to run against one transport: the transport, and a
 * server it can start per test, with credentials per user and a way to count and drop
 * connections from the server's side.
 */
import type { Transport } from '../../../worker/transports/transport.ts'
import type { Credentials } from './harness.ts'

/**
 * One running server of a contract run.
 * @example
 * const server = await fixture.start(); await server.connections() // 0
 */
export interface ContractServer {
  /** Where and as whom `user` connects. */
  credentials(user: string): Promise<Credentials>
  /** Connections the server counts now. */
  connections(): Promise<number>
  /** Drops every connection from the server's side (the server stays up). */
  dropAll(): Promise<void>
  close(): Promise<void>
}

/**
 * A transport under contract, with how to start its server.
 * @example
 * runTransportContract({ name: 'supabase', transport: () => supabaseTransport({ WebSocket }), start })
 */
export interface ContractFixture {
  name: string
  transport(): Transport
  start(): Promise<ContractServer>
}
