/**
 * The Socket.IO servers the transport suites run against, as contract fixtures: one node with
 * connection-state recovery (the in-memory session store), and two nodes on one Redis (the Redis
 * adapter) behind a front that sends each connection to the first node that accepts it.
 */
import { socketioTransport, type SocketIoTransportOptions } from '../../../worker/transports/socketio/index.ts'
import type { Transport } from '../../../worker/transports/transport.ts'
import { startSocketIoCluster, startSocketIoNode, type SocketIoCluster, type SocketIoNode } from '../../servers/socketio.ts'
import type { ContractServer } from '../transports/fixture.ts'
import type { Credentials } from '../transports/harness.ts'
import { mintToken } from '../inbox/client.ts'

/**
 * Where and as whom `user` connects to `url`.
 * @example
 * const { target, token } = await credentialsAt(node.url)('alice')
 */
export function credentialsAt(url: string): (user: string) => Promise<Credentials> {
  return async (user) => ({ target: { transport: 'socketio', endpoint: url, params: {}, identity: null }, token: await mintToken(user) })
}

/**
 * The transport as a worker would configure it, with short ack timeouts for the suite.
 * @example
 * const transport = testTransport({ isJoinAcked: false })
 */
export function testTransport(extra: SocketIoTransportOptions = {}): Transport {
  return socketioTransport({ ackTimeoutMs: 1_000, ...extra })
}

/**
 * Servers of a suite file, started on first use and stopped by {@link stopServers}: a process start
 * takes seconds on a loaded 2-core machine, so the contract's per-test `start()` reuses them, and
 * its `close()` waits until the test's sockets are gone (the next test starts from zero).
 */
let node: Promise<SocketIoNode> | null = null
let cluster: Promise<SocketIoCluster> | null = null

async function settled(count: () => Promise<number>): Promise<void> {
  const deadline = Date.now() + 5_000
  while ((await count()) !== 0) {
    if (Date.now() > deadline) throw new Error('the sockets of the test were still open on the server 5 s after it closed them')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * One node with connection-state recovery, as a contract server.
 * @example
 * const server = await startNodeServer(); server.node.url
 */
export async function startNodeServer(): Promise<ContractServer & { node: SocketIoNode }> {
  node ??= startSocketIoNode()
  const running = await node
  const connections = async (): Promise<number> => (await running.stats()).sockets
  return {
    node: running,
    credentials: credentialsAt(running.url),
    connections,
    dropAll: () => running.drop(),
    close: () => settled(connections),
  }
}

/**
 * Two nodes on one Redis behind the front, as a contract server: connections count both nodes.
 * @example
 * const server = await startClusterServer(); await server.cluster.one.kill()
 */
export async function startClusterServer(): Promise<ContractServer & { cluster: SocketIoCluster }> {
  cluster ??= startSocketIoCluster()
  const running = await cluster
  const connections = (): Promise<number> => running.sockets()
  return {
    cluster: running,
    credentials: credentialsAt(running.url),
    connections,
    dropAll: async () => { await Promise.all([running.one.drop(), running.two.drop()]) },
    close: () => settled(connections),
  }
}

/**
 * Stops whatever the suite file started.
 * @example
 * afterAll(stopServers)
 */
export async function stopServers(): Promise<void> {
  const [n, c] = [node, cluster]
  node = null
  cluster = null
  await Promise.allSettled([n?.then((x) => x.stop()), c?.then((x) => x.stop())])
}
