/**
 * The deploy watch on its own: which hub counts as the newest deploy, over an in-memory channel
 * that delivers like a BroadcastChannel (to every other member, in a later task).
 */
import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, type Delivery, type HubOffer } from '../../../src/contract/protocol.ts'
import { DeployWatch } from '../../../worker/deploys.ts'
import { MoveGuard } from '../../../worker/move-guard.ts'
import type { DeployChannel } from '../../../worker/options.ts'
import { FakeSink } from '../fakes/sink.ts'
import { createHarness, hello } from './harness.ts'

class Bus {
  readonly #members = new Set<(data: unknown) => void>()
  posts = 0
  /** Deliveries posted and not yet handed to their listener (each in a task of its own, as a BroadcastChannel's). */
  #pending = 0
  #idle: Array<() => void> = []

  channel(): DeployChannel {
    let listener: (data: unknown) => void = () => undefined
    const member = (data: unknown): void => listener(data)
    this.#members.add(member)
    return {
      postMessage: (data) => {
        this.posts += 1
        for (const other of this.#members) {
          if (other === member) continue
          this.#pending += 1
          setTimeout(() => {
            other(structuredClone(data))
            this.#pending -= 1
            if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve()
          }, 0)
        }
      },
      addEventListener: (_type, fn) => { listener = (data) => fn({ data }) },
    }
  }

  /** Resolves once every delivery, and every answer it caused, has been handed over. */
  quiet(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve))
  }
}


function offer(build: string): HubOffer {
  return { url: `/assets/worker-${build}.js`, name: 'tabrelay-v2', type: 'module', protocol: PROTOCOL_VERSION }
}

function watch(bus: Bus, hubId: string, build: string): { watch: DeployWatch; told: HubOffer[] } {
  const told: HubOffer[] = []
  return { watch: new DeployWatch({ channel: bus.channel(), offer: offer(build) }, hubId, (to) => told.push(to)), told }
}

describe('DeployWatch', () => {
  it('the hub whose newest page loaded last is the newest: the older is told once, the newer never', async () => {
    const bus = new Bus()
    const a = watch(bus, 'hub-a', 'a')
    const b = watch(bus, 'hub-b', 'b')
    a.watch.saw(1_000)
    await bus.quiet()
    expect(a.told).toEqual([])
    b.watch.saw(2_000)
    await bus.quiet()
    expect(a.told).toEqual([offer('b')])
    expect(a.watch.offer).toEqual(offer('b'))
    expect(b.told).toEqual([])
    expect(b.watch.offer).toBeNull()
    // The newest getting newer still tells nobody again.
    b.watch.saw(3_000)
    await bus.quiet()
    expect(a.told).toHaveLength(1)
  })

  it('an older deploy\'s hub that starts later (restarted, WebKit bug 318873) learns of the newest from its answer', async () => {
    const bus = new Bus()
    const b = watch(bus, 'hub-b', 'b')
    b.watch.saw(5_000)
    await bus.quiet()
    const restarted = watch(bus, 'hub-a2', 'a')
    restarted.watch.saw(1_000)
    await bus.quiet()
    expect(restarted.told).toEqual([offer('b')])
    expect(b.told).toEqual([])
    const posted = bus.posts
    await bus.quiet()
    // Nobody answers an answer: the exchange ends.
    expect(bus.posts).toBe(posted)
  })

  it('a notice of its own script under another id (this worker restarted) is itself: it never defers to it', async () => {
    const bus = new Bus()
    const restarted = watch(bus, 'hub-b2', 'b')
    restarted.watch.saw(1_000)
    await bus.quiet()
    // What an older hub still remembers of this worker's previous instance, newer than any page here yet.
    bus.channel().postMessage({ kind: 'tabrelay-hub', hubId: 'hub-b1', generation: 5_000, offer: offer('b') })
    await bus.quiet()
    expect(restarted.told).toEqual([])
    expect(restarted.watch.offer).toBeNull()
    // And it took that age: an older deploy's hub with a page from before 5 000 still defers to it.
    const older = watch(bus, 'hub-a', 'a')
    older.watch.saw(3_000)
    await bus.quiet()
    expect(older.told).toEqual([offer('b')])
  })

  it('ignores what is not a hub notice, and a hub with no page yet announces nothing', async () => {
    const bus = new Bus()
    const a = watch(bus, 'hub-a', 'a')
    const stray = bus.channel()
    stray.postMessage({ kind: 'tabrelay-hub', hubId: 'x', generation: 9e15 })
    stray.postMessage('hello')
    await bus.quiet()
    expect(a.told).toEqual([])
    expect(bus.posts).toBe(2)
  })
})

describe('MoveGuard', () => {
  it('counts only what left the worker: a copy of an event the tab never got (overflow, discard) is delivered', () => {
    let now = 0
    const guard = new MoveGuard(() => now)
    const sentOne: Delivery = { kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: { n: 1 } }
    const heldOne: Delivery = { kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: { n: 2 } }
    expect(guard.admits(sentOne) && guard.admits(heldOne)).toBe(true)
    guard.sent([sentOne])
    now = 10
    guard.moved()
    expect(guard.admits({ ...heldOne })).toBe(true)
    expect(guard.admits({ ...sentOne })).toBe(false)
    expect(guard.admits({ ...sentOne })).toBe(true)
  })
})

describe('hub with a deploy watch', () => {
  it('offers the newer hub to every tab and in later hellos, and closes a connection at once when its last tab leaves', async () => {
    const bus = new Bus()
    const h = createHarness({ deploys: { channel: bus.channel(), offer: offer('a') } })
    const sinkA = h.tab('a', { loadedAt: 1_000 })
    await h.settle()
    const newer = watch(bus, 'hub-b', 'b')
    newer.watch.saw(2_000)
    await bus.quiet()
    expect(sinkA.moves).toEqual([offer('b')])
    // A tab that stayed (say, another protocol) and says hello again keeps its connection.
    h.hub.hello(hello('a', { loadedAt: 1_000 }), sinkA)
    await h.settle()
    expect(h.net.transports).toHaveLength(1)
    expect(h.net.transports.filter((socket) => !socket.isClosed).length).toBe(1)
    const welcome = h.hub.hello(hello('late', { loadedAt: 500 }), new FakeSink())
    expect(welcome.moveTo).toEqual(offer('b'))
    expect(h.net.transports.filter((socket) => !socket.isClosed).length).toBe(1)
    h.hub.bye('a')
    h.hub.bye('late')
    await h.settle()
    // No idle linger (5 s in the harness): a reload goes to the newer deploy's hub anyway.
    expect(h.net.transports.filter((socket) => !socket.isClosed).length).toBe(0)
  })
})
