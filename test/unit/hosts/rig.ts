/**
 * An origin of tab-host tabs in one process: each tab a real `createRelay()` client with host
 * 'leader-tab', its own page of the fake lock manager, its own BroadcastChannels (Node's, which
 * reach every other instance of the name) and a fake visibility; a host's "dedicated Worker" is
 * a real hub behind the worker-side host code (`followHostOrders`), with the echo transport.
 */
import { createRelay, type Relay } from '../../../src/core/relay.ts'
import type { ChannelLike } from '../../../src/contract/broadcast.ts'
import type { PageSignal } from '../../../src/hosts/page-signal.ts'
import { createHub } from '../../../worker/index.ts'
import { followHostOrders } from '../../../worker/hosts/tab-host.ts'
import { hostName } from '../../../src/hosts/trust.ts'
import type { TransportConnection } from '../../../worker/transports/transport.ts'
import { EchoServer, echoTransport } from '../fakes/echo-server.ts'
import { FakeLocks, type LockAgent } from '../fakes/locks.ts'

/** A BroadcastChannel that a crash or a freeze can silence. */
export interface Wire extends ChannelLike {
  /** Drops everything in and out while set (a frozen page keeps its locks but runs nothing). */
  isFrozen: boolean
}

function wire(name: string): Wire {
  const channel = new BroadcastChannel(name)
  let isClosed = false
  const listeners = new Map<(event: { data: unknown }) => void, (event: MessageEvent) => void>()
  const self: Wire = {
    isFrozen: false,
    postMessage(message) { if (!isClosed && !self.isFrozen) channel.postMessage(message) },
    addEventListener(_type, listener) {
      const guarded = (event: MessageEvent): void => { if (!self.isFrozen) listener(event) }
      listeners.set(listener, guarded)
      channel.addEventListener('message', guarded)
    },
    removeEventListener(_type, listener) {
      const guarded = listeners.get(listener)
      if (guarded) channel.removeEventListener('message', guarded)
    },
    close() {
      if (isClosed) return
      isClosed = true
      channel.close()
    },
  }
  return self
}

/** A host's dedicated Worker: a real hub; `terminate()` silences it and closes its sockets. */
export interface FakeWorker {
  postMessage(data: unknown): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject): void
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void
  terminate(): void
  /** Running and ordered to serve as host (a tab keeps one idle spare that is neither). */
  readonly isRunning: boolean
  /** Frames the hub side dropped as forged, corrupt, replayed or from an unknown address. */
  readonly dropped: number
  /** Tab links the hub side serves. */
  readonly links: number
  freeze(): void
}

/** One tab of the origin. */
export interface Tab {
  relay: Relay
  /** The hub Workers this tab started as host. */
  workers: FakeWorker[]
  readonly isHosting: boolean
  setHidden(isHidden: boolean): void
  /** As a crashed page: locks dropped, channels silent, its Worker gone, no goodbye. */
  crash(): void
  /** As a frozen page: keeps its locks, runs nothing. */
  freeze(): void
}

/** The origin: one echo server, one lock manager, tabs. */
let origins = 0

export class Origin {
  /** Channel names of this origin only: Node's BroadcastChannel spans the whole process. */
  readonly #prefix = `origin-${++origins}:`
  readonly server = new EchoServer()
  readonly locks = new FakeLocks()
  readonly tabs: Tab[] = []

  /** Opens a tab of `identity`; `options` are extra client options. */
  tab(identity = 'user-1', options: { heartbeatIntervalMs?: number; callTimeoutMs?: number; app?: string; token?: string } = {}): Tab {
    const { app = 'app', token, ...clientOptions } = options
    const agent: LockAgent = this.locks.agent()
    const wires: Wire[] = []
    const workers: FakeWorker[] = []
    const open = (name: string): Wire => { const w = wire(this.#prefix + name); wires.push(w); return w }
    let isHidden = false
    const pageListeners = new Set<() => void>()
    const page: PageSignal = {
      isHidden: () => isHidden,
      onChange: (listener) => { pageListeners.add(listener); return () => { pageListeners.delete(listener) } },
    }
    const worker = (): FakeWorker => {
      const made = this.#worker(open, app)
      workers.push(made)
      return made
    }
    const relay = createRelay({
      transport: 'inbox', endpoint: 'memory://inbox', identity, worker, host: 'leader-tab', ...(token === undefined ? {} : { accessToken: () => token }),
      hostEnv: { locks: agent, channel: open, page }, heartbeatIntervalMs: 60_000, callTimeoutMs: 1_000, ...clientOptions,
    })
    const tab: Tab = {
      relay, workers,
      get isHosting() { return workers.some((w) => w.isRunning) },
      setHidden(hidden) {
        isHidden = hidden
        for (const listener of pageListeners) listener()
      },
      crash() {
        agent.crash()
        for (const w of wires) w.close()
        for (const w of workers) w.terminate()
      },
      freeze() {
        for (const w of wires) w.isFrozen = true
        for (const w of workers) w.freeze()
      },
    }
    this.tabs.push(tab)
    return tab
  }

  /** The tabs hosting now. */
  hosts(): Tab[] {
    return this.tabs.filter((t) => t.isHosting)
  }

  /** Closes every client (their goodbyes time out after callTimeoutMs at most), then ends the pages. */
  async close(): Promise<void> {
    await Promise.allSettled(this.tabs.map((t) => t.relay.close()))
    for (const tab of this.tabs) tab.crash()
    for (const spy of this.#spies) spy.close()
  }

  readonly #spies: BroadcastChannel[] = []

  /**
   * Another page of the origin on `app`'s tab host channel: what it heard (structured clones, as
   * a BroadcastChannel delivers them) and how it posts.
   */
  spy(app = 'app'): { heard: unknown[]; post(message: unknown): void } {
    const channel = new BroadcastChannel(this.#prefix + hostName(app))
    this.#spies.push(channel)
    const heard: unknown[] = []
    channel.addEventListener('message', (event) => heard.push(event.data))
    return { heard, post: (message) => channel.postMessage(message) }
  }

  #worker(open: (name: string) => Wire, app: string): FakeWorker {
    const sockets: Array<TransportConnection<unknown>> = []
    const transport = echoTransport(this.server)
    const tracked = { ...transport, open: (o: Parameters<typeof transport.open>[0]) => { const c = transport.open(o); sockets.push(c); return c } }
    const hub = createHub({ transports: { inbox: tracked }, locks: null })
    const listeners = new Set<(event: { data: unknown }) => void>()
    const pageListeners = new Set<(event: { data: unknown }) => void>()
    const wires: Wire[] = []
    let isAlive = true
    let isServing = false
    const scope = {
      addEventListener: (_type: string, l: EventListenerOrEventListenerObject) => { listeners.add(l as unknown as (event: { data: unknown }) => void) },
      // The worker's answers to its page (`describe`), in a later task as postMessage does.
      postMessage: (data: unknown) => { setTimeout(() => { if (isAlive) for (const l of pageListeners) l({ data }) }, 0) },
    }
    const served = followHostOrders(hub, scope, (name) => {
      const w = open(name)
      wires.push(w)
      return w
    }, app)
    return {
      get isRunning() { return isAlive && isServing },
      get dropped() { return served()?.dropped ?? 0 },
      get links() { return served()?.tabs ?? 0 },
      postMessage(data) {
        if (!isAlive) return
        if (typeof data === 'object' && data !== null && 'tabrelayHost' in data && typeof data.tabrelayHost === 'object' && data.tabrelayHost !== null && 'channel' in data.tabrelayHost) isServing = true
        for (const l of listeners) l({ data })
      },
      // The host page hears only the answer to `describe` (the hub answers over the channel).
      addEventListener: (type: string, l: EventListenerOrEventListenerObject) => { if (type === 'message') pageListeners.add(l as unknown as (event: { data: unknown }) => void) },
      removeEventListener: (_type: string, l: EventListenerOrEventListenerObject) => { pageListeners.delete(l as unknown as (event: { data: unknown }) => void) },
      terminate() {
        if (!isAlive) return
        isAlive = false
        for (const w of wires) w.close()
        for (const socket of sockets) void socket.close()
      },
      freeze() { for (const w of wires) w.isFrozen = true },
    }
  }
}
