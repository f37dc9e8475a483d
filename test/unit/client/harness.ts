/**
 * A hand-written fake hub served over Node's MessageChannel with real Comlink, a manual clock,
 * and `setup()` wiring a real client to them.
 */
import * as Comlink from 'comlink'
import { vi } from 'vitest'
import { HUB_METHODS, exposeOnly } from '../../../src/contract/surface.ts'
import { relayErrorsOn } from '../../../src/contract/replies.ts'
import { createSharedRealtime, type SharedRealtime } from '../../../src/supabase/client.ts'
import type { Clock } from '../../../src/contract/clock.ts'
import type { SharedRealtimeOptions } from '../../../src/supabase/options.ts'
import { SUPABASE_CAPABILITIES } from '../../../worker/transports/supabase/index.ts'
import {
  PROTOCOL_VERSION, type ChannelSnapshot, type Delivery, type DeliveryFrame, type Heartbeat, type HeartbeatAck, type HubApi, type HubInspection, type HubStats,
  type Json, type Outgoing, type SendResult, type StatusEvent, type Subscription, type TabHello, type TabSink, type TransportInfo, type Welcome,
} from '../../../src/contract/protocol.ts'

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  pending(): number
}

/**
 * A manual clock: `advance(ms)` runs due timers in time order, including ones they schedule.
 * @example
 * const clock = manualClock(); clock.advance(5_000)
 */
export function manualClock(): ManualClock {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq
      timers.set(id, { at: now + ms, fn })
      return () => { timers.delete(id) }
    },
    advance(ms) {
      const end = now + ms
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (!due) break
        timers.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = end
    },
    pending: () => timers.size,
  }
}

const never = <T>(): Promise<T> => new Promise<T>(() => {})

/** A fake hub: records every call; `hang` makes a method never answer. */
export class FakeHub implements HubApi {
  readonly workerId: string
  protocol = PROTOCOL_VERSION
  welcome: StatusEvent = { status: 'open' }
  snapshot: ChannelSnapshot = { status: 'SUBSCRIBED', presence: {} }
  ack: Partial<HeartbeatAck> = {}
  sendResult: SendResult = 'ok'
  hang = new Set<keyof HubApi>()
  /** While set, join waits for it: lets a test hold a join open. */
  joinGate: Promise<void> | undefined
  sink: Comlink.Remote<TabSink> | undefined
  #frameSeq = 0
  /** The hub's end of the tab's port: raw messages posted here reach the tab's sink. */
  port: MessagePort | undefined
  /** While set, hello waits for it before answering. */
  helloGate: Promise<void> | undefined
  /** Thrown by hello when set. */
  helloError: Error | undefined
  hellos: TabHello[] = []
  joins: Subscription[] = []
  leaves: string[] = []
  sends: Array<{ subId: string; message: Outgoing }> = []
  tracks: Array<{ subId: string; meta: Json }> = []
  untracks: string[] = []
  auths: Array<string | null> = []
  beats: Heartbeat[] = []
  log: string[] = []
  byes = 0
  /** The transport's record the welcome carries (its limits, checked in the tab). */
  capabilities: TransportInfo = { ...SUPABASE_CAPABILITIES }

  constructor(workerId: string) {
    this.workerId = workerId
  }

  async hello(tab: TabHello): Promise<Welcome> {
    this.log.push('hello')
    this.hellos.push(tab)
    if (this.hang.has('hello')) return never()
    await this.helloGate
    if (this.helloError) throw this.helloError
    return { workerId: this.workerId, protocol: this.protocol, status: this.welcome, isLeader: false, transport: this.capabilities }
  }

  async join(sub: Subscription): Promise<ChannelSnapshot> {
    this.log.push(`join ${sub.subId}`)
    this.joins.push(sub)
    if (this.hang.has('join')) return never()
    await this.joinGate
    return this.snapshot
  }

  async leave(subId: string): Promise<void> {
    this.log.push(`leave ${subId}`)
    this.leaves.push(subId)
  }

  async send(subId: string, message: Outgoing): Promise<SendResult> {
    this.log.push(`send ${subId}`)
    this.sends.push({ subId, message })
    return this.hang.has('send') ? never() : this.sendResult
  }

  async track(subId: string, meta: { [key: string]: Json }): Promise<SendResult> {
    this.log.push(`track ${subId}`)
    this.tracks.push({ subId, meta })
    return 'ok'
  }

  async untrack(subId: string): Promise<SendResult> {
    this.untracks.push(subId)
    return 'ok'
  }

  async setAuth(token: string | null): Promise<void> {
    this.auths.push(token)
  }

  async heartbeat(beat: Heartbeat): Promise<HeartbeatAck> {
    this.beats.push(beat)
    if (this.hang.has('heartbeat')) return never()
    return { workerId: this.workerId, known: true, isLeader: false, ...this.ack }
  }

  async reconnect(): Promise<void> {
    this.log.push('reconnect')
  }

  async stats(): Promise<HubStats> {
    this.log.push('stats')
    if (this.hang.has('stats')) return never()
    return { workerId: this.workerId, tabs: 1, visibleTabs: 1, connections: 1, identities: 1, channels: [], status: 'open', delivered: 0, batches: 0, dropped: 0, overflows: 0, resyncs: 0, peakQueued: 0 }
  }

  async inspect(since?: number): Promise<HubInspection> {
    this.log.push('inspect')
    return { workerId: this.workerId, protocol: PROTOCOL_VERSION, host: 'other', now: 0, seq: since ?? 0, connection: null, tabs: [], topics: [], journal: [] }
  }

  async bye(): Promise<void> {
    this.log.push('bye')
    this.byes++
  }

  /** Delivers a batch and resolves once the tab has processed it. */
  async deliver(batch: Delivery[]): Promise<void> {
    const port = this.port
    if (!port || !this.sink) throw new Error('no hello yet')
    // A delivery frame as the worker posts it (worker/hosts/sink-link.ts), asking for its ack.
    const seq = ++this.#frameSeq
    const acked = new Promise<void>((resolve) => {
      const listener = (event: MessageEvent<{ frame?: unknown; seq?: unknown }>): void => {
        if (event.data.frame !== 'ack' || event.data.seq !== seq) return
        port.removeEventListener('message', listener)
        resolve()
      }
      port.addEventListener('message', listener)
    })
    port.postMessage({ frame: 'deliver', seq, batch: JSON.stringify(batch), ack: true } satisfies DeliveryFrame)
    await acked
  }
}

/** What `setup()` gives a test. */
export interface Rig {
  realtime: SharedRealtime
  clock: ManualClock
  hubs: FakeHub[]
  worker: ReturnType<typeof vi.fn<() => { port: MessagePort }>>
  /** The newest hub. */
  hub(): FakeHub
  /** Configures each new hub before the client talks to it; replace it to change later hubs. */
  prepare: (hub: FakeHub, index: number) => void
  /** Tears the ports down so the test process can exit. */
  dispose(): void
}

/**
 * A real client wired to fake hubs: each `worker()` call makes a new MessageChannel and hub
 * (`prepare` configures it before the client talks to it).
 * @example
 * const rig = setup(); await until(() => rig.hub().hellos.length === 1)
 */
export function setup(options: Partial<SharedRealtimeOptions> = {}, prepare: (hub: FakeHub, index: number) => void = () => {}): Rig {
  const clock = manualClock()
  const hubs: FakeHub[] = []
  const ports: MessagePort[] = []
  const worker = vi.fn(() => {
    const hub = new FakeHub(`worker-${hubs.length + 1}`)
    rig.prepare(hub, hubs.length)
    hubs.push(hub)
    const { port1, port2 } = new MessageChannel()
    // Both directions on one port, as the worker does it (worker/hosts/endpoint.ts).
    exposeOnly(hub, HUB_METHODS, port1)
    hub.sink = Comlink.wrap<TabSink>(relayErrorsOn(port1))
    hub.port = port1
    ports.push(port1, port2)
    return { port: port2 }
  })
  const hub = (): FakeHub => {
    const last = hubs.at(-1)
    if (!last) throw new Error('worker() was never called')
    return last
  }
  const dispose = (): void => {
    for (const h of hubs) h.sink?.[Comlink.releaseProxy]()
    for (const port of ports) port.close()
  }
  const rig: Omit<Rig, 'realtime'> = { clock, hubs, worker, hub, prepare, dispose }
  const realtime = createSharedRealtime({ url: 'http://127.0.0.1:54321', apikey: 'anon-key', worker, clock, tabId: 'tab-1', ...options })
  return Object.assign(rig, { realtime })
}

/**
 * Waits until `condition` holds (polling), failing with `label` after `timeoutMs` (2 s).
 * @example
 * await until(() => hub.joins.length === 1, 'first join')
 */
export async function until(condition: () => boolean, label = 'condition', timeoutMs = 2_000): Promise<void> {
  await vi.waitFor(() => { if (!condition()) throw new Error(`still waiting for ${label}`) }, { timeout: timeoutMs, interval: 1 })
}
