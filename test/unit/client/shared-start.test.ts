/**
 * Host 'auto' with a real-looking SharedWorker: hello is the probe that tells a SharedWorker that
 * runs from one that never starts (issue 29 dropped the separate first heartbeat).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HUB_METHODS, exposeOnly } from '../../../src/contract/surface.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import { FakeHub, manualClock, until, type ManualClock } from './harness.ts'

const CALL_TIMEOUT_MS = 1_000

let ports: MessagePort[] = []
let clients: SharedRealtime[] = []
afterEach(async () => {
  await Promise.allSettled(clients.map((c) => c.close()))
  for (const port of ports) port.close()
  ports = []
  clients = []
  vi.unstubAllGlobals()
})

function served(hub: FakeHub): MessagePort {
  const { port1, port2 } = new MessageChannel()
  exposeOnly(hub, HUB_METHODS, port1)
  ports.push(port1, port2)
  return port2
}

/** Stands in for the browser's SharedWorker: `created instanceof SharedWorker` holds for it. */
class StubSharedWorker {
  readonly port: MessagePort
  constructor(port: MessagePort) {
    this.port = port
  }
  addEventListener(): void {}
}

interface Rig {
  realtime: SharedRealtime
  clock: ManualClock
  shared: FakeHub
  dedicated: FakeHub[]
}

function open(prepare: (shared: FakeHub) => void): Rig {
  vi.stubGlobal('SharedWorker', StubSharedWorker)
  const clock = manualClock()
  const shared = new FakeHub('shared-1')
  prepare(shared)
  const dedicated: FakeHub[] = []
  const worker = (kind: 'shared' | 'dedicated'): StubSharedWorker | MessagePort => {
    if (kind === 'shared') return new StubSharedWorker(served(shared))
    const hub = new FakeHub(`dedicated-${dedicated.length + 1}`)
    dedicated.push(hub)
    return Object.assign(served(hub), { terminate: () => undefined })
  }
  // Node has no Web Locks: where tabs cannot elect a host, 'auto' falls back to a dedicated Worker.
  const realtime = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon-key', worker, clock, tabId: 'tab-1', callTimeoutMs: CALL_TIMEOUT_MS })
  clients.push(realtime)
  return { realtime, clock, shared, dedicated }
}

describe("host 'auto' on a SharedWorker", () => {
  it('sends hello as the first call: no probe of its own goes before it', async () => {
    const rig = open(() => undefined)
    await until(() => rig.shared.hellos.length === 1, 'hello')
    await expect(rig.realtime.stats()).resolves.toMatchObject({ workerId: 'shared-1' })
    expect(rig.shared.log[0]).toBe('hello')
    expect(rig.shared.beats).toEqual([])
  })

  it('falls back when the SharedWorker leaves hello unanswered, and the fallback serves the tab', async () => {
    const rig = open((shared) => shared.hang.add('hello'))
    await until(() => rig.shared.hellos.length === 1, 'hello to the SharedWorker')
    rig.clock.advance(CALL_TIMEOUT_MS)
    await until(() => rig.dedicated[0]?.hellos.length === 1, 'hello to the fallback')
    await expect(rig.realtime.stats()).resolves.toMatchObject({ workerId: 'dedicated-1' })
  })

  it('keeps the SharedWorker when its hub refuses hello: a refusal is an answer, the worker runs', async () => {
    const rig = open((shared) => { shared.helloError = new Error('hub is starting') })
    await until(() => rig.shared.hellos.length === 1, 'hello')
    await expect(rig.realtime.stats()).rejects.toThrow('hub is starting')
    rig.clock.advance(CALL_TIMEOUT_MS)
    // The tab retries on the SharedWorker, never on a fallback.
    rig.shared.helloError = undefined
    rig.clock.advance(5_000)
    await until(() => rig.shared.hellos.length === 2, 'hello again to the SharedWorker')
    await expect(rig.realtime.stats()).resolves.toMatchObject({ workerId: 'shared-1' })
    expect(rig.dedicated).toEqual([])
  })
})
