import { afterEach, describe, expect, it } from 'vitest'
import { HUB_METHODS, exposeOnly } from '../../../src/contract/surface.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import { FakeHub, manualClock, until, type ManualClock } from './harness.ts'

/** A client whose worker() returns dedicated Workers (the no-SharedWorker fallback) over fake hubs. */
interface DedicatedRig {
  realtime: SharedRealtime
  clock: ManualClock
  hubs: FakeHub[]
  /** Indexes of the Workers the tab terminated. */
  terminated: number[]
}

let ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports) port.close()
  ports = []
})

function dedicated(prepare: (hub: FakeHub, index: number) => void): DedicatedRig {
  const clock = manualClock()
  const hubs: FakeHub[] = []
  const terminated: number[] = []
  const worker = () => {
    const index = hubs.length
    const hub = new FakeHub(`worker-${index + 1}`)
    prepare(hub, index)
    hubs.push(hub)
    const { port1, port2 } = new MessageChannel()
    exposeOnly(hub, HUB_METHODS, port1)
    ports.push(port1, port2)
    // A dedicated Worker is an endpoint of its own, with terminate().
    return Object.assign(port2, { terminate: () => { terminated.push(index) } })
  }
  const realtime = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon-key', worker, clock, tabId: 'tab-1' })
  return { realtime, clock, hubs, terminated }
}

describe('worker connections the tab gives up on', () => {
  it('terminates a Worker whose hello went unanswered before it starts the next one', async () => {
    const rig = dedicated((hub, index) => { if (index === 0) hub.hang.add('hello') })
    await until(() => rig.hubs[0]?.hellos.length === 1, 'first hello')
    rig.clock.advance(10_000)
    // Calls queued on the failed hello reject right after the tab has handled that failure.
    await expect(rig.realtime.stats()).rejects.toMatchObject({ code: 'timeout' })
    rig.clock.advance(5_000)
    await until(() => rig.hubs[1]?.hellos.length === 1, 'hello to the next worker')
    // Left running, the first Worker would answer hello late and open a socket of its own.
    expect(rig.terminated).toEqual([0])
    await rig.realtime.close()
    expect(rig.terminated).toEqual([0, 1])
  })

  it('terminates a Worker that refused hello with a retryable error', async () => {
    const rig = dedicated((hub, index) => { if (index === 0) hub.helloError = new Error('hub is starting') })
    await until(() => rig.hubs[0]?.hellos.length === 1, 'first hello')
    await expect(rig.realtime.stats()).rejects.toThrow('hub is starting')
    rig.clock.advance(5_000)
    await until(() => rig.hubs[1]?.hellos.length === 1, 'hello to the next worker')
    expect(rig.terminated).toEqual([0])
  })
})
