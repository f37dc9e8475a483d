/**
 * The core transport contract against the Socket.IO transport (unmodified socket.io-client 4.8),
 * over one socket.io 4.8 node and over two nodes on one Redis (`@socket.io/redis-adapter` 8.3).
 */
import { afterAll } from 'vitest'
import { runTransportContract } from '../transports/contract.ts'
import { startClusterServer, startNodeServer, stopServers, testTransport } from './servers.ts'

afterAll(stopServers)

runTransportContract({ name: 'socket.io over one node (connection-state recovery)', transport: () => testTransport(), start: startNodeServer })

runTransportContract({ name: 'socket.io over two nodes on one Redis (redis-adapter)', transport: () => testTransport(), start: startClusterServer })
