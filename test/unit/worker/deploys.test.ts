/**
 * The deploy watch on its own: which hub counts as the newest deploy, over an in-memory channel
 * that delivers like a BroadcastChannel (to every other member, in a later task).
 */
import { describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, type Delivery, type HubOffer } from '../../../src/contract/protocol.ts'
import { DeployWatch } from '../../../worker/deploys.ts'
import { MOVE_MEMORY, MOVE_WINDOW_MS, MoveGuard } from '../../../worker/tab/move-guard.ts'
import type { DeployChannel } from '../../../worker/options.ts'
import { FakeSink } from '../fakes/sink.ts'
import { createHarness, hello } from './harness.ts'

class Bus {
  readonly #members = new Set<(data: unknown) => void>()
  posts = 0
  #pending = 0
  readonly #idle: Array<() => void> = []

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
            try {
              other(structuredClone(data))
            } finally {
              this.#pending -= 1
              if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve()
            }
          }, 0)
        }
      },
      addEventListener: (_type, fn) => { listener = (data) => fn({ data }) },
    }
  }

  /** Resolves once every message posted so far, and every answer to one, has been delivered. */
  settled(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve))
  }
}

function offer(build: string): HubOffer {
  return { url: `https://app.test/assets/worker-${build}.js`, name: 'tabrelay-v2', type: 'module', protocol: PROTOCOL_VERSION }
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
    await bus.settled()
    expect(a.told).toEqual([])
    b.watch.saw(2_000)
    await bus.settled()
    expect(a.told).toEqual([offer('b')])
    expect(a.watch.offer).toEqual(offer('b'))
    expect(b.told).toEqual([])
    expect(b.watch.offer).toBeNull()
    // The newest getting newer still tells nobody again.
    b.watch.saw(3_000)
    await bus.settled()
    expect(a.told).toHaveLength(1)
  })

  it('an older deploy\'s hub that starts later (restarted, WebKit bug 318873) learns of the newest from its answer', async () => {
    const bus = new Bus()
    const b = watch(bus, 'hub-b', 'b')
    b.watch.saw(5_000)
    await bus.settled()
    const restarted = watch(bus, 'hub-a2', 'a')
    restarted.watch.saw(1_000)
    await bus.settled()
    expect(restarted.told).toEqual([offer('b')])
    expect(b.told).toEqual([])
    const posted = bus.posts
    await bus.settled()
    // Nobody answers an answer: the exchange ends.
    expect(bus.posts).toBe(posted)
  })

  it('a notice of its own script under another id (this worker restarted) is itself: it never defers to it', async () => {
    const bus = new Bus()
    const restarted = watch(bus, 'hub-b2', 'b')
    restarted.watch.saw(1_000)
    await bus.settled()
    // What an older hub still remembers of this worker's previous instance, newer than any page here yet.
    bus.channel().postMessage({ kind: 'tabrelay-hub', hubId: 'hub-b1', generation: 5_000, offer: offer('b') })
    await bus.settled()
    expect(restarted.told).toEqual([])
    expect(restarted.watch.offer).toBeNull()
    // And it took that age: an older deploy's hub with a page from before 5 000 still defers to it.
    const older = watch(bus, 'hub-a', 'a')
    older.watch.saw(3_000)
    await bus.settled()
    expect(older.told).toEqual([offer('b')])
  })

  it('ignores what is not a hub notice, and a hub with no page yet announces nothing', async () => {
    const bus = new Bus()
    const a = watch(bus, 'hub-a', 'a')
    const stray = bus.channel()
    stray.postMessage({ kind: 'tabrelay-hub', hubId: 'x', generation: 9e15 })
    stray.postMessage('hello')
    await bus.settled()
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

  it('remembers the events of the last MOVE_MEMORY deliveries, however they were batched, and none older than the window', () => {
    let now = 0
    const guard = new MoveGuard(() => now)
    const event = (n: number): Delivery => ({ kind: 'broadcast', subIds: ['s1'], event: 'msg', payload: { n } })
    const batchesOf = (from: number, count: number, size: number): Delivery[][] =>
      Array.from({ length: Math.ceil(count / size) }, (_, b) => Array.from({ length: Math.min(size, count - b * size) }, (_, i) => event(from + b * size + i)))
    // Oldest first: 0 … 2×MOVE_MEMORY-1 in batches of 7, so compaction runs in between.
    for (const batch of batchesOf(0, 2 * MOVE_MEMORY, 7)) guard.sent(batch)
    guard.moved()
    const newest = 2 * MOVE_MEMORY - 1
    const oldestKept = 2 * MOVE_MEMORY - MOVE_MEMORY
    expect(guard.admits(event(newest))).toBe(false)
    expect(guard.admits(event(oldestKept))).toBe(false)
    expect(guard.admits(event(oldestKept - 1))).toBe(true)
    // Sent more than the window before the move: no copy expected.
    guard.sent([event(1_000)])
    now = MOVE_WINDOW_MS + 1
    guard.sent([event(1_001)])
    guard.moved()
    expect(guard.admits(event(1_000))).toBe(true)
    expect(guard.admits(event(1_001))).toBe(false)
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
    await bus.settled()
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

/** Notices any page of the origin could post on the hubs' channel, each with what is wrong in it. */
const FORGED: ReadonlyArray<[string, (good: { kind: string; hubId: string; generation: number; offer: HubOffer }) => unknown]> = [
  ['a blob: URL', (n) => ({ ...n, offer: { ...n.offer, url: 'blob:https://app.test/5c1e7a52-0d4b-4a43-9f0e-6c5a3e1d2b11' } })],
  ['a data: URL', (n) => ({ ...n, offer: { ...n.offer, url: 'data:text/javascript,postMessage(1)' } })],
  ['a javascript: URL', (n) => ({ ...n, offer: { ...n.offer, url: 'javascript:void 0' } })],
  ['another origin', (n) => ({ ...n, offer: { ...n.offer, url: 'https://evil.test/assets/worker-b.js' } })],
  ['another port of the host', (n) => ({ ...n, offer: { ...n.offer, url: 'https://app.test:8443/assets/worker-b.js' } })],
  ['another directory of the origin', (n) => ({ ...n, offer: { ...n.offer, url: 'https://app.test/uploads/worker-b.js' } })],
  ['a URL with credentials', (n) => ({ ...n, offer: { ...n.offer, url: 'https://user:pw@app.test/assets/worker-b.js' } })],
  ['a relative URL', (n) => ({ ...n, offer: { ...n.offer, url: '/assets/worker-b.js' } })],
  ['another worker name', (n) => ({ ...n, offer: { ...n.offer, name: 'evil-v2' } })],
  ['a generation far in the future', (n) => ({ ...n, generation: Date.now() + 365 * 86_400_000 })],
  ['a generation of 9e15', (n) => ({ ...n, generation: 9e15 })],
  ['a NaN generation', (n) => ({ ...n, generation: Number.NaN })],
  ['a generation that is a string', (n) => ({ ...n, generation: String(n.generation) })],
  ['a protocol that is not an integer', (n) => ({ ...n, offer: { ...n.offer, protocol: 2.5 } })],
  ['a worker type that is not one', (n) => ({ ...n, offer: { ...n.offer, type: 'shared' } })],
  ['no offer', (n) => ({ ...n, offer: null })],
  ['a hub id of 10 kB', (n) => ({ ...n, hubId: 'x'.repeat(10_000) })],
]

describe('forged deploy notices', () => {
  it.each(FORGED)('%s: the hub ignores it (no tab is offered anything, no answer) and still hears real deploys', async (_what, forge) => {
    const bus = new Bus()
    const h = createHarness({ deploys: { channel: bus.channel(), offer: offer('a') } })
    const sinkA = h.tab('a', { loadedAt: 1_000 })
    await h.settle()
    const genuine = { kind: 'tabrelay-hub', hubId: 'hub-forged', generation: 2_000, offer: offer('b') }
    const posted = bus.posts
    bus.channel().postMessage(forge(genuine))
    await bus.settled()
    expect(sinkA.moves).toEqual([])
    expect(h.hub.hello(hello('late', { loadedAt: 500 }), new FakeSink()).moveTo).toBeUndefined()
    expect(bus.posts).toBe(posted + 1)
    // The same notice, well formed: the hub takes it (so the one above was refused for its flaw).
    bus.channel().postMessage(genuine)
    await bus.settled()
    expect(sinkA.moves).toEqual([offer('b')])
  })

  it("a hello claiming a page loaded in the future does not make its hub outrank a real newer deploy", async () => {
    const bus = new Bus()
    const older = watch(bus, 'hub-a', 'a')
    older.watch.saw(1_000)
    older.watch.saw(9e15)
    older.watch.saw(Date.now() + 365 * 86_400_000)
    await bus.settled()
    const newer = watch(bus, 'hub-b', 'b')
    newer.watch.saw(2_000)
    await bus.settled()
    expect(older.told).toEqual([offer('b')])
    expect(newer.told).toEqual([])
  })

  it('a forged notice of its own script with an absurd generation does not age the hub', async () => {
    const bus = new Bus()
    const a = watch(bus, 'hub-a', 'a')
    a.watch.saw(1_000)
    await bus.settled()
    bus.channel().postMessage({ kind: 'tabrelay-hub', hubId: 'hub-a-forged', generation: 9e15, offer: offer('a') })
    await bus.settled()
    const b = watch(bus, 'hub-b', 'b')
    b.watch.saw(2_000)
    await bus.settled()
    expect(a.told).toEqual([offer('b')])
  })
})
