/**
 * The hub wired to fakes: a manual clock, a manual outbox schedule, the fake transport and fake
 * locks; tabs are {@link FakeSink}s said hello with sensible defaults.
 */
import type { Binding, ChannelConfig, Json, Subscription, TabHello } from '../../../src/contract/protocol.ts'
import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'
import { Hub, type HubOptions } from '../../../worker/hub.ts'
import { ManualClock, ManualSchedule, settle } from '../fakes/clock.ts'
import { FakeLocks, FakeSink } from '../fakes/sink.ts'
import { FakeNetwork } from '../fakes/transport.ts'

export const URL = 'http://127.0.0.1:54321'
export const APIKEY = 'anon-key'

/**
 * An unsigned test JWT (header.payload.sig, base64url): enough for the hub, which reads claims only.
 * @example
 * jwt({ sub: 'user-x', exp: 2000 })
 */
export function jwt(claims: { [claim: string]: Json }): string {
  const part = (value: Json): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.sig`
}

/**
 * A subscription as a tab would send it.
 * @example
 * sub('s1', 'room', [{ type: 'broadcast', event: 'msg' }], { broadcast: { self: true } })
 */
export function sub(subId: string, topic: string, bindings: Binding[] = [], config: ChannelConfig = {}): Subscription {
  return { subId, topic, config, bindings }
}

/** A broadcast listener binding. */
export function onBroadcast(event = '*'): Binding {
  return { type: 'broadcast', event }
}

/** A hello with test defaults: linger 1 s, pause after 60 s hidden, heartbeat deadlines far away (30 min). */
export function hello(tabId: string, overrides: Partial<TabHello> = {}): TabHello {
  return {
    tabId, protocol: PROTOCOL_VERSION, target: { transport: 'supabase', endpoint: URL, params: { apikey: APIKEY }, identity: null }, token: null, visibility: 'visible', focused: false, hasLock: true,
    lockName: `tabrelay-tab-${tabId}`, pauseWhenHiddenMs: 60_000, heartbeatIntervalMs: 600_000, lingerMs: 1_000,
    ...overrides,
  }
}

/** Everything a hub test drives. */
export interface Harness {
  hub: Hub
  clock: ManualClock
  net: FakeNetwork
  tasks: ManualSchedule
  locks: FakeLocks
  sinks: Map<string, FakeSink>
  /** Says hello for a tab; its sink answers `token()` with the hello's token. */
  tab(tabId: string, overrides?: Partial<TabHello>): FakeSink
  /** Runs pending promise continuations and outbox batches until nothing is left. */
  settle(): Promise<void>
  /** The sink of a tab that said hello. */
  sink(tabId: string): FakeSink
}

/**
 * Builds a hub over fakes.
 * @example
 * const h = createHarness(); const a = h.tab('a'); h.hub.join('a', sub('s1', 'room'))
 */
export function createHarness(options: Partial<HubOptions> = {}, net = new FakeNetwork()): Harness {
  const clock = new ManualClock()
  const tasks = new ManualSchedule()
  const locks = new FakeLocks()
  const hub = new Hub({
    transports: { supabase: net.transport }, clock, schedule: tasks.schedule, immediate: tasks.schedule, locks, random: () => 0.5, workerId: 'worker-1',
    minUptimeMs: 10_000, joinWaitMs: 5_000, tokenTimeoutMs: 2_000, idleCloseMs: 5_000, ...options,
  })
  const sinks = new Map<string, FakeSink>()
  return {
    hub, clock, net, tasks, locks, sinks,
    tab(tabId, overrides = {}) {
      const sink = new FakeSink(overrides.token ?? null)
      sinks.set(tabId, sink)
      hub.hello(hello(tabId, overrides), sink)
      return sink
    },
    async settle() {
      for (let round = 0; round < 10; round += 1) {
        await settle()
        if (tasks.flush() === 0) return
      }
      throw new Error('the hub kept scheduling deliveries')
    },
    sink(tabId) {
      const sink = sinks.get(tabId)
      if (!sink) throw new Error(`no tab ${tabId}`)
      return sink
    },
  }
}

/** Payloads of the broadcasts a sink received, optionally for one subscription. */
export function received(sink: FakeSink, subId?: string): Json[] {
  return sink.deliveries('broadcast').filter((d) => subId === undefined || d.subIds.includes(subId)).map((d) => d.payload)
}
