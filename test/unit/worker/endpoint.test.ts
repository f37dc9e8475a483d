import { afterEach, describe, expect, it, vi } from 'vitest'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expose, releaseProxy, wrap, type Remote } from 'comlink'
import type { HubApi } from '../../../src/contract/protocol.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { FakeSink } from '../fakes/sink.ts'
import { receiveFrames } from '../../../src/core/frames.ts'
import { createHarness, hello, onBroadcast, received, sub } from './harness.ts'

// A full collection on demand, without starting Node with --expose-gc: the flag set at run time
// exposes `gc` to contexts created afterwards.
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void

const cleanups: Array<() => void> = []
afterEach(() => { for (const cleanup of cleanups.splice(0)) cleanup() })

interface Page {
  remote: Remote<HubApi>
  sink: FakeSink
  /** The hub's end of the channel, weakly: whether the worker still holds it. */
  hubEnd: WeakRef<MessagePort>
  /** Closes the page without Comlink's release (a tab closed, crashed or navigated away). */
  vanish(): void
}

// A page on its own MessageChannel, both Comlink directions on one port as the tab client does.
function open(hub: Parameters<typeof acceptTab>[0]): Page {
  const { port1, port2 } = new MessageChannel()
  acceptTab(hub, port1)
  const sink = new FakeSink()
  expose(sink, port2)
  receiveFrames(port2, (batch) => sink.deliver(batch))
  const remote = wrap<HubApi>(port2)
  // Held only until the page vanishes: the test must not be what keeps the hub's end alive.
  const ports = [port2, port1]
  const vanish = (): void => { for (const port of ports.splice(0)) port.close() }
  cleanups.push(() => { if (ports.length > 0) remote[releaseProxy](); vanish() })
  return { remote, sink, hubEnd: new WeakRef(port1), vanish }
}

// Collects until every reference is gone, at most 50 rounds: a closed port's handle is freed on a
// later turn of the event loop, and a WeakRef read in this task holds its target until it ends.
async function collected(refs: ReadonlyArray<WeakRef<object>>): Promise<number> {
  for (let round = 0; round < 50 && refs.some((ref) => ref.deref() !== undefined); round += 1) {
    await new Promise((resolve) => setImmediate(resolve))
    collect()
  }
  return refs.filter((ref) => ref.deref() !== undefined).length
}

describe('acceptTab: a tab the hub forgot leaves nothing behind in the worker', () => {
  it('20 pages that said bye and closed without a release: their ports, sessions and sinks are collected', async () => {
    // No locks: the fake keeps every aborted request, whose abort reason's stack holds the port
    // the bye came through (navigator.locks drops aborted requests).
    const h = createHarness({ locks: null })
    const ends: Array<WeakRef<MessagePort>> = []
    for (let i = 0; i < 20; i += 1) {
      const page = open(h.hub)
      await page.remote.hello(hello(`t${i}`))
      await page.remote.join(sub('s1', 'room', [onBroadcast()]))
      await page.remote.bye()
      page.vanish()
      ends.push(page.hubEnd)
    }
    const stayed = open(h.hub)
    await stayed.remote.hello(hello('stayed'))
    await expect(stayed.remote.stats()).resolves.toMatchObject({ tabs: 1 })
    // Before: Comlink's FinalizationRegistry held each port as the held value of the hub's sink
    // proxy, and the port's listener held the session and that proxy, so none was ever collected.
    expect(await collected(ends)).toBe(0)
  })

  it('pages found gone by their lock or their heartbeats are collected too', async () => {
    const h = createHarness()
    const ends: Array<WeakRef<MessagePort>> = []
    for (let i = 0; i < 10; i += 1) {
      const page = open(h.hub)
      await page.remote.hello(hello(`t${i}`, { heartbeatIntervalMs: 1_000 }))
      await page.remote.join(sub('s1', 'room', [onBroadcast()]))
      page.vanish()
      ends.push(page.hubEnd)
    }
    expect(h.locks.grant('tabrelay-tab-t0')).toBe(1)
    h.clock.advance(3_000)
    const stayed = open(h.hub)
    await stayed.remote.hello(hello('stayed'))
    await expect(stayed.remote.stats()).resolves.toMatchObject({ tabs: 1 })
    expect(await collected(ends)).toBe(0)
  })

  it('a live tab the hub timed out hears known: false on its old port at once, and a new hello there is served', async () => {
    const h = createHarness()
    const page = open(h.hub)
    await page.remote.hello(hello('frozen', { heartbeatIntervalMs: 1_000 }))
    h.clock.advance(3_000)
    await expect(page.remote.heartbeat({ visibility: 'visible', focused: true, hasLock: true })).resolves.toMatchObject({ known: false })
    await page.remote.hello(hello('frozen', { heartbeatIntervalMs: 1_000 }))
    await page.remote.join(sub('s1', 'room', [onBroadcast()]))
    await h.net.latest.subscribe('room')
    h.net.latest.broadcast('room', 'msg', 'after the thaw')
    await vi.waitFor(() => { h.tasks.flush(); expect(received(page.sink)).toEqual(['after the thaw']) })
  })
})
