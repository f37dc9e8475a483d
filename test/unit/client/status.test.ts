/**
 * The connection status a tab reads is the hub's latest, once per change: a welcome answered a
 * microtask after the connection opened must not turn the tab back to 'connecting' (the demo's SSE
 * mode read 'connecting' for good while its stream was live), and a retry reports its attempt once.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionStatus, StatusEvent } from '../../../src/contract/protocol.ts'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import type { Transport } from '../../../worker/transports/transport.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { manualClock, until, type ManualClock } from './harness.ts'

const open: Relay[] = []
const ports: MessagePort[] = []
afterEach(async () => {
  for (const client of open.splice(0)) await client.close()
  for (const port of ports.splice(0)) port.close()
})

function relayOn(hub: Hub, clock?: ManualClock): Relay {
  const client = createRelay({
    transport: 'inbox', endpoint: 'memory://inbox', identity: 'user-1', heartbeatIntervalMs: 60_000, ...(clock ? { clock } : {}),
    worker: () => {
      const { port1, port2 } = new MessageChannel()
      acceptTab(hub, port1)
      ports.push(port1, port2)
      return port2
    },
  })
  open.push(client)
  return client
}

// As the SSE transport does with no topic to stream: the attempt is open one microtask after it
// was made, i.e. while the hub is still answering the hello that made it.
function opensInMicrotask(server: EchoServer): Transport<{ topic: string }> {
  const echo = echoTransport(server)
  return {
    ...echo,
    open: (options) => {
      const attempt = echo.open({ ...options, events: { ...options.events, open: () => undefined } })
      queueMicrotask(() => options.events.open())
      return attempt
    },
  }
}

describe('connection status in the tab', () => {
  it("reads 'open' when the connection opened while the hub was answering hello", async () => {
    const hub = createHub({ transports: { inbox: opensInMicrotask(new EchoServer()) } })
    const client = relayOn(hub)
    const seen: ConnectionStatus[] = []
    client.onStatus((status) => seen.push(status))
    // stats() is answered after the welcome (one port, in order): the welcome has been applied.
    await client.stats()
    expect(client.status).toBe('open')
    expect(seen.at(-1)).toBe('open')
  })

  it('reports each reconnect attempt once, not twice with the same payload', async () => {
    const server = new EchoServer()
    const hub = createHub({ transports: { inbox: echoTransport(server) }, random: () => 0 })
    const client = relayOn(hub)
    const events: StatusEvent[] = []
    client.onStatus((_status, detail) => events.push(detail))
    await until(() => client.status === 'open', 'open')
    server.dropAll()
    await until(() => events.some((e) => e.status === 'reconnecting'), 'reconnecting')
    await until(() => client.status === 'open', 'open again')
    const reconnecting = events.filter((e) => e.status === 'reconnecting')
    expect(reconnecting.length).toBeGreaterThan(0)
    expect(new Set(reconnecting.map((e) => JSON.stringify(e))).size).toBe(reconnecting.length)
  })

  it("a send while the server is down resolves 'timed out' from the hub's queue before the tab's call times out", async () => {
    const clock = manualClock()
    const echo = echoTransport(new EchoServer())
    // A server that never answers: the attempt never opens, the topic is never joined.
    const down: Transport<{ topic: string }> = {
      ...echo,
      open: (options) => {
        const attempt = echo.open({ ...options, events: { open: () => undefined, closed: () => undefined } })
        return { ...attempt, join: (key, spec, handlers) => attempt.join(key, spec, { ...handlers, status: () => undefined }), setAuth: (t) => attempt.setAuth(t), close: () => attempt.close() }
      },
    }
    const hub = createHub({ transports: { inbox: down }, clock })
    const client = relayOn(hub, clock)
    const topic = client.topic('room')
    topic.on('*', () => undefined)
    await client.stats()
    const results: unknown[] = []
    topic.send('msg', { n: 1 }).then((result) => results.push(result), (error: unknown) => results.push(error))
    // Calls are answered in order on the port: once stats() is, the hub has queued the send.
    await client.stats()
    // Past the hub's queue age, short of the tab's default call timeout (10 s).
    clock.advance(9_000)
    await until(() => results.length === 1, 'the send settled')
    expect(results).toEqual(['timed out'])
  })
})
