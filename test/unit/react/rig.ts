/**
 * Tab clients and the REAL hub wired by Node's MessageChannel (as test/unit/client/real-hub.test.ts
 * does), with counters at the two places a join costs something: the hub (one subscription per
 * subId a tab joins) and the server (one channel per join the hub makes).
 */
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import type { Subscription } from '../../../src/contract/protocol.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import type { Transport, TransportChannel } from '../../../worker/transports/transport.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { FakeNetwork } from '../fakes/transport.ts'

/** What the hub was asked by tabs, and what it asked of the server. */
export interface Counts {
  /** `topic/subId` of every join call a tab made (an update of listeners re-sends its subId). */
  hubJoins: string[]
  hubLeaves: string[]
  /** Topics the hub joined and left on the echo server. */
  serverJoins: string[]
  serverLeaves: string[]
}

/** Distinct subscriptions a tab made to `topic` at the hub. */
export function subscriptions(counts: Counts, topic: string): number {
  return new Set(counts.hubJoins.filter((j) => j.startsWith(`${topic}/`))).size
}

// Hub methods use #private fields, so calls are forwarded to the hub itself, not the proxy.
function countingHub(hub: Hub, counts: Counts): Hub {
  return new Proxy(hub, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      const fn = value as (...args: unknown[]) => unknown
      return (...args: unknown[]) => {
        if (property === 'join') counts.hubJoins.push(`${(args[1] as Subscription).topic}/${(args[1] as Subscription).subId}`)
        if (property === 'leave') counts.hubLeaves.push(String(args[1]))
        return fn.apply(target, args)
      }
    },
  })
}

function countingTransport<S>(transport: Transport<S>, counts: Counts): Transport<S> {
  return {
    ...transport,
    open(options) {
      const attempt = transport.open(options)
      return {
        join(key, spec, handlers): TransportChannel {
          counts.serverJoins.push(key)
          const channel = attempt.join(key, spec, handlers)
          return {
            send: (event, payload, ack) => channel.send(event, payload, ack),
            close: () => {
              counts.serverLeaves.push(key)
              return channel.close()
            },
          }
        },
        setAuth: (token) => attempt.setAuth(token),
        close: () => attempt.close(),
      }
    },
  }
}

/**
 * One hub with the echo transport (`inbox`) and the fake Supabase network (`supabase`), and
 * factories of tab clients on it; `close()` closes every client and port.
 * @example
 * const rig = createRig(); const tab = rig.relay(); … await rig.close()
 */
export interface Rig {
  readonly hub: Hub
  readonly server: EchoServer
  readonly net: FakeNetwork
  readonly counts: Counts
  relay(identity?: string): Relay
  realtime(): SharedRealtime
  close(): Promise<void>
}

/**
 * Builds a {@link Rig}; the clients' own linger (the hub's, after a tab leaves) is 0 so a leave
 * at the hub reaches the server at once.
 * @example
 * const rig = createRig()
 */
export function createRig(): Rig {
  const counts: Counts = { hubJoins: [], hubLeaves: [], serverJoins: [], serverLeaves: [] }
  const server = new EchoServer()
  const net = new FakeNetwork()
  const hub = createHub({ transports: { inbox: countingTransport(echoTransport(server), counts), supabase: net.transport } })
  const counted = countingHub(hub, counts)
  const clients: Array<{ close(): Promise<void> }> = []
  const ports: MessagePort[] = []
  const worker = (): MessagePort => {
    const { port1, port2 } = new MessageChannel()
    acceptTab(counted, port1)
    ports.push(port1, port2)
    return port2
  }
  return {
    hub, server, net, counts,
    relay(identity = 'user-1') {
      const client = createRelay({ transport: 'inbox', endpoint: 'memory://inbox', identity, worker, heartbeatIntervalMs: 60_000, lingerMs: 0 })
      clients.push(client)
      return client
    },
    realtime() {
      const client = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon', worker, heartbeatIntervalMs: 60_000, lingerMs: 0 })
      clients.push(client)
      return client
    },
    async close() {
      for (const client of clients.splice(0)) await client.close()
      for (const port of ports.splice(0)) port.close()
    },
  }
}
