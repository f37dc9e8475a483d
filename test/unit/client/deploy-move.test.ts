/**
 * Deploy skew end to end in one process: two real hubs (an older and a newer deploy's worker) that
 * meet on a real BroadcastChannel, tab clients over MessageChannel ports as a SharedWorker gives
 * them, and the echo transport's in-memory server counting sockets.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import type { DeployWorker, UpdateInfo } from '../../../src/core/deploy.ts'
import { PROTOCOL_VERSION, type HubOffer } from '../../../src/contract/protocol.ts'
import { randomId } from '../../../src/contract/ids.ts'
import { createHub } from '../../../worker/index.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import type { Hub } from '../../../worker/hub.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { hello } from '../worker/harness.ts'
import { until } from './harness.ts'

const open: Array<{ close(): Promise<void> }> = []
const closers: Array<{ close(): void }> = []
// The page the tabs run in: a tab moves only to a worker script of its own origin.
beforeEach(() => { vi.stubGlobal('location', new URL('https://app.test/chat')) })
afterEach(async () => {
  for (const client of open.splice(0)) await client.close()
  for (const closer of closers.splice(0)) closer.close()
  vi.unstubAllGlobals()
})

function portTo(hub: Hub): MessagePort {
  const { port1, port2 } = new MessageChannel()
  acceptTab(hub, port1)
  closers.push(port1, port2)
  return port2
}

function offer(build: string, protocol = PROTOCOL_VERSION): HubOffer {
  return { url: `https://app.test/assets/realtime.worker-${build}.js`, name: `tabrelay-v${protocol}`, type: 'module', protocol }
}

/** A hub of one deploy, meeting the others on `channel`. */
function deployHub(server: EchoServer, channel: string, workerId: string, build: string): Hub {
  const meeting = new BroadcastChannel(channel)
  closers.push(meeting)
  return createHub({ transports: { inbox: echoTransport(server) }, workerId, idleCloseMs: 60_000, deploys: { channel: meeting, offer: offer(build) } })
}

function tab(hub: Hub, deployWorker?: DeployWorker): Relay {
  const client = createRelay({ transport: 'inbox', endpoint: 'memory://inbox', identity: 'user-1', worker: () => portTo(hub), heartbeatIntervalMs: 60_000, ...(deployWorker ? { deployWorker } : {}) })
  open.push(client)
  return client
}

describe('deploy skew', () => {
  it('tabs of the older deploy move to the newer deploy\'s hub: one connection again, update-available { moved: true }, one resync, then every message once', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    // Tabs in one process load at the same instant: the hub ids break the tie (hub-b is newer).
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const newer = deployHub(server, channel, 'hub-b', 'b2')
    const toNewer: DeployWorker = (to) => (to.url === offer('b2').url ? portTo(newer) : null)
    const olds = [tab(older, toNewer), tab(older, toNewer)]
    const updates: UpdateInfo[][] = olds.map(() => [])
    const got: unknown[][] = olds.map(() => [])
    const resyncs = olds.map(() => 0)
    olds.forEach((relay, i) => {
      relay.onUpdateAvailable((info) => updates[i]?.push(info))
      const room = relay.topic('room')
      room.on('TEXT', (payload) => got[i]?.push(payload))
      room.onResync(() => { resyncs[i] = (resyncs[i] ?? 0) + 1 })
    })
    await until(() => olds.every((relay) => relay.status === 'open' && relay.topic('room').state === 'joined'), 'old tabs joined')
    server.publish('room', 'TEXT', { n: 0 })
    await until(() => got.every((list) => list.length === 1), 'message 0 before the deploy')
    expect(server.connections).toBe(1)

    const fresh = tab(newer)
    fresh.topic('room')
    await until(() => olds.every((relay) => relay.workerId === 'hub-b'), 'old tabs on the newer hub')
    // The older hub let go of its socket as its last tab left, without its idle linger.
    await until(() => server.connections === 1, 'one connection')
    expect((await fresh.stats()).tabs).toBe(3)
    expect(updates).toEqual([[{ moved: true, protocol: PROTOCOL_VERSION }], [{ moved: true, protocol: PROTOCOL_VERSION }]])
    await until(() => resyncs.every((n) => n === 1), 'one resync per moved topic')
    await until(() => olds.every((relay) => relay.topic('room').state === 'joined'), 'rejoined on the newer hub')

    server.publish('room', 'TEXT', { n: 1 })
    await until(() => got.every((list) => list.length === 2), 'message 1 after the move')
    expect(got).toEqual([[{ n: 0 }, { n: 1 }], [{ n: 0 }, { n: 1 }]])
    await expect(olds[0]?.topic('room').send('TEXT', { n: 2 })).resolves.toBe('ok')
    await until(() => got.every((list) => list.length === 3), 'a send from a moved tab reaches everyone')
    expect(server.connections).toBe(1)
  })

  it('a setAuth() while the move\'s hello is on its way: the tab arrives at the newer hub as the new user', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const newer = deployHub(server, channel, 'hub-b', 'b2')
    let relay: Relay | null = null
    let hellos = 0
    // The newer hub's port, with the user switching right behind the first hello posted there.
    const toNewer: DeployWorker = () => {
      const port = portTo(newer)
      return {
        postMessage: (message: unknown, transfer?: Transferable[]) => {
          port.postMessage(message, transfer ?? [])
          if (hellos++ === 0) void relay?.setAuth(null, 'user-2')
        },
        addEventListener: (type: 'message', listener: (event: MessageEvent) => void) => port.addEventListener(type, listener),
        removeEventListener: (type: 'message', listener: (event: MessageEvent) => void) => port.removeEventListener(type, listener),
        start: () => port.start(),
      } as unknown as MessagePort
    }
    relay = tab(older, toNewer)
    const moved = relay
    await until(() => moved.status === 'open', 'open')
    const fresh = tab(newer)
    await until(() => moved.workerId === 'hub-b' && fresh.status === 'open', 'moved')
    // Alone as user-2 on the newer hub, not one of user-1's two tabs there.
    await vi.waitFor(async () => { expect((await moved.stats()).tabs).toBe(1) }, { timeout: 2_000 })
    expect((await fresh.stats()).tabs).toBe(1)
  })

  it('a tab opening on the older deploy after the newer one started is moved at hello', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const newer = deployHub(server, channel, 'hub-b', 'b2')
    const first = tab(older, () => portTo(newer))
    await until(() => first.status === 'open', 'first old tab open')
    const fresh = tab(newer)
    await until(() => first.workerId === 'hub-b' && fresh.status === 'open', 'first old tab moved')
    // A page of the old build opening now (restored from the back/forward cache, say).
    const late = tab(older, () => portTo(newer))
    await until(() => late.workerId === 'hub-b', 'late old tab moved')
    expect(late.updateAvailable).toEqual({ moved: true, protocol: PROTOCOL_VERSION })
    expect((await fresh.stats()).tabs).toBe(3)
  })

  it('a worker that fails to start as the type the newer hub guessed (Firefox) is tried once as the other type', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const meeting = new BroadcastChannel(channel)
    closers.push(meeting)
    const newer = createHub({ transports: { inbox: echoTransport(server) }, workerId: 'hub-b', deploys: { channel: meeting, offer: { ...offer('b2'), type: 'classic' } } })
    const types: string[] = []
    const old = tab(older, (to) => {
      types.push(to.type)
      if (to.type === 'module') return portTo(newer)
      // What the browser gives for a type mismatch: a SharedWorker whose `error` fires.
      const { port1 } = new MessageChannel()
      closers.push(port1)
      return { port: port1, addEventListener: (_type: 'error', fire: (event: { message?: string }) => void) => { setTimeout(() => fire({ message: 'type mismatch' }), 0) } } as unknown as SharedWorker
    })
    await until(() => old.status === 'open', 'open')
    tab(newer)
    await until(() => old.workerId === 'hub-b', 'moved on the second try')
    expect(types).toEqual(['classic', 'module'])
    expect(old.updateAvailable).toEqual({ moved: true, protocol: PROTOCOL_VERSION })
  })

  it('a newer deploy speaking another protocol: the tabs stay on their hub and hear update-available { moved: false } with the reason', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const attempts: HubOffer[] = []
    const old = tab(older, (to) => { attempts.push(to); return null })
    const heard: UpdateInfo[] = []
    old.onUpdateAvailable((info) => heard.push(info))
    const room = old.topic('room')
    const got: unknown[] = []
    room.on('TEXT', (payload) => got.push(payload))
    await until(() => room.state === 'joined', 'joined')
    // The newer deploy's hub, as the older one hears it.
    const other = new BroadcastChannel(channel)
    closers.push(other)
    other.postMessage({ kind: 'tabrelay-hub', hubId: 'hub-z', generation: Date.now() + 60_000, offer: offer('z9', PROTOCOL_VERSION + 1) })
    await until(() => heard.length === 1, 'update-available')
    expect(heard[0]).toMatchObject({ moved: false, protocol: PROTOCOL_VERSION + 1 })
    expect(heard[0]?.reason).toContain(`protocol ${PROTOCOL_VERSION + 1}`)
    expect(attempts).toEqual([])
    expect(old.workerId).toBe('hub-a')
    server.publish('room', 'TEXT', { still: 'here' })
    await until(() => got.length === 1, 'still served by its hub')
  })

  it('a newer hub that refuses the tab (it serves no such transport) leaves it where it was, told why', async () => {
    const server = new EchoServer()
    const channel = `tabrelay-hubs:${randomId()}`
    const older = deployHub(server, channel, 'hub-a', 'a1')
    const meeting = new BroadcastChannel(channel)
    closers.push(meeting)
    const stranger = createHub({ transports: { other: echoTransport(server) }, workerId: 'hub-b', deploys: { channel: meeting, offer: offer('b2') } })
    const old = tab(older, () => portTo(stranger))
    const heard: UpdateInfo[] = []
    old.onUpdateAvailable((info) => heard.push(info))
    await until(() => old.status === 'open', 'open')
    // A tab of the newer deploy (on another transport) makes it the newest hub.
    stranger.hello(hello('probe', { target: { transport: 'other', endpoint: 'memory://inbox', params: {}, identity: 'user-1' }, loadedAt: Date.now() + 60_000 }), { deliver: () => undefined, status: () => undefined, leader: () => undefined, token: async () => null })
    await until(() => heard.length === 1, 'update-available')
    expect(heard[0]).toMatchObject({ moved: false })
    expect(heard[0]?.reason).toContain("no 'inbox' transport")
    expect(old.workerId).toBe('hub-a')
    expect(old.status).toBe('open')
  })
})
