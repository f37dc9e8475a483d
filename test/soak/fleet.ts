/**
 * Tabs of one user in one Node process, each a real tab client (`createRelay`) wired to the real
 * hub over its own MessageChannel, as a SharedWorker wires a page. A tab can be opened through a
 * valve that holds every message both ways, as a frozen page does: the hub's calls reach it but
 * are never answered until it thaws.
 */
import type { Json } from '../../src/contract/protocol.ts'
import { createRelay, type Relay } from '../../src/core/relay.ts'
import { acceptTab } from '../../worker/hosts/endpoint.ts'
import type { Hub } from '../../worker/hub.ts'
import { Ledger } from './ledger.ts'
import { SOAK_EVENT } from './messages.ts'

/** Where tabs connect and what they listen to. */
export interface FleetOptions {
  hub: Hub
  url: string
  anonKey: string
  /** The freshest token; every tab's `accessToken()` answers it. */
  token: () => string
  topics: readonly string[]
  /** Messages per topic the run plans to publish (sizes each ledger once). */
  expectedPerTopic: number
}

/** Holds the messages of one tab's port while frozen; lets them through in order on thaw. */
class Valve {
  readonly tabPort: MessagePort
  readonly #ports: MessagePort[]
  readonly #held: Array<{ to: MessagePort; data: unknown }> = []
  isFrozen = false

  constructor(hub: Hub) {
    const toHub = new MessageChannel()
    const toTab = new MessageChannel()
    acceptTab(hub, toHub.port1)
    this.tabPort = toTab.port2
    const hubSide = toHub.port2
    const tabSide = toTab.port1
    hubSide.onmessage = (event: MessageEvent) => this.#pass(tabSide, event.data)
    tabSide.onmessage = (event: MessageEvent) => this.#pass(hubSide, event.data)
    this.#ports = [toHub.port1, hubSide, tabSide, this.tabPort]
  }

  /** Messages waiting at the frozen tab (what its port would hold). */
  get held(): number {
    return this.#held.length
  }

  thaw(): void {
    this.isFrozen = false
    for (const { to, data } of this.#held.splice(0)) to.postMessage(data)
  }

  close(): void {
    for (const port of this.#ports) port.close()
  }

  #pass(to: MessagePort, data: unknown): void {
    if (this.isFrozen) this.#held.push({ to, data })
    else to.postMessage(data)
  }
}

function seqOf(payload: Json): number | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null
  const seq = payload['seq']
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : null
}

/**
 * One soak tab: its client, a ledger per topic and which topics are subscribed now.
 * @example
 * const tab = openTab(options, 'tab-1'); await until(() => tab.isSubscribed, 'joined'); await tab.close()
 */
export class SoakTab {
  readonly id: string
  readonly relay: Relay
  readonly ledgers = new Map<string, Ledger>()
  readonly subscribed = new Set<string>()
  readonly valve: Valve | null
  /** Payloads that were not soak messages (must stay 0). */
  malformed = 0
  #ports: MessagePort[] = []
  #isClosed = false

  constructor(options: FleetOptions, id: string, isFreezable: boolean, heartbeatIntervalMs: number) {
    this.id = id
    this.valve = isFreezable ? new Valve(options.hub) : null
    const port = this.valve?.tabPort ?? this.#directPort(options.hub)
    this.relay = createRelay({
      transport: 'supabase', endpoint: options.url, params: { apikey: options.anonKey }, tabId: id,
      worker: () => port, accessToken: () => options.token(), heartbeatIntervalMs,
    })
    for (const name of options.topics) this.#listen(name, options.expectedPerTopic)
  }

  /** Every topic of this tab is subscribed. */
  get isSubscribed(): boolean {
    return this.subscribed.size === this.ledgers.size
  }

  /** Leaves like a closing page: says bye, then its ports go. */
  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    for (const ledger of this.ledgers.values()) ledger.close()
    this.valve?.thaw()
    await this.relay.close()
    this.valve?.close()
    for (const port of this.#ports) port.close()
  }

  #directPort(hub: Hub): MessagePort {
    const { port1, port2 } = new MessageChannel()
    acceptTab(hub, port1)
    this.#ports = [port1, port2]
    return port2
  }

  #listen(name: string, expected: number): void {
    const ledger = new Ledger(expected)
    this.ledgers.set(name, ledger)
    const topic = this.relay.topic(name)
    topic.onResync(() => ledger.resync())
    topic.onStatus((status) => {
      if (status === 'SUBSCRIBED') this.subscribed.add(name)
      else this.subscribed.delete(name)
    })
    topic.on(SOAK_EVENT, (payload: Json) => {
      const seq = seqOf(payload)
      if (seq === null) this.malformed += 1
      else if (!this.#isClosed) ledger.receive(seq)
    })
  }
}

/**
 * Waits for `test` to hold, checking every 50 ms, at most `ms`; returns whether it held.
 * @example
 * if (!(await until(() => tabs.every((t) => t.isSubscribed), 30_000))) failures.push('join')
 */
export async function until(test: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms
  while (!test()) {
    if (performance.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}
