/**
 * A tab as the hub sees it: a sink recording every deliver/status/leader call and answering
 * `token()`, and a fake `navigator.locks` whose grants the test triggers.
 */
import type { Delivery, HubOffer, StatusEvent } from '../../../src/contract/protocol.ts'
import type { HubSink } from '../../../worker/hub.ts'
import type { LockRequester } from '../../../worker/tab/registry.ts'
import type { SinkLink } from '../../../worker/hosts/sink-link.ts'

type Kind = Delivery['kind']

/** Records what the hub pushes to one tab. */
export class FakeSink implements HubSink {
  readonly batches: Delivery[][] = []
  readonly statuses: StatusEvent[] = []
  readonly leaders: boolean[] = []
  /** The newer deploys' hubs the hub offered this tab. */
  readonly moves: HubOffer[] = []
  /** How many times the hub asked this tab for a token. */
  tokenCalls = 0
  /** What `token()` answers. */
  answer: () => Promise<string | null>

  constructor(token: string | null = null) {
    this.answer = () => Promise.resolve(token)
  }

  deliver(batch: Delivery[]): void {
    this.batches.push(batch)
  }

  status(event: StatusEvent): void {
    this.statuses.push(event)
  }

  leader(isLeader: boolean): void {
    this.leaders.push(isLeader)
  }

  moveTo(offer: HubOffer): void {
    this.moves.push(offer)
  }

  token(): Promise<string | null> {
    this.tokenCalls += 1
    return this.answer()
  }

  /** Every delivery, flattened, optionally of one kind. */
  deliveries<K extends Kind>(kind?: K): Array<Extract<Delivery, { kind: K }>> {
    const all = this.batches.flat()
    return all.filter((d): d is Extract<Delivery, { kind: K }> => kind === undefined || d.kind === kind)
  }

  /** The last status pushed, if any. */
  get lastStatus(): StatusEvent | undefined {
    return this.statuses.at(-1)
  }

  /** The last leader flag pushed, if any. */
  get isLeader(): boolean | undefined {
    return this.leaders.at(-1)
  }

  clear(): void {
    this.batches.length = 0
    this.statuses.length = 0
    this.leaders.length = 0
  }
}

/**
 * A `TabSession`'s sink source that hands out the same sink at every hello and records releases.
 * @example
 * const sinks = sinkSource(new FakeSink()); new TabSession(hub, sinks.open); sinks.released // 0
 */
export function sinkSource(sink: HubSink): { open: () => SinkLink; readonly released: number } {
  let released = 0
  return {
    open: () => ({ sink, release: () => { released += 1 } }),
    get released() { return released },
  }
}

interface LockRequest {
  name: string
  signal: AbortSignal
  callback: () => void
}

/** `navigator.locks` as far as the registry uses it: requests wait until {@link FakeLocks.grant}. */
export class FakeLocks implements LockRequester {
  readonly requests: LockRequest[] = []
  /** Locks some tab holds now, as `navigator.locks.query()` reports them. */
  readonly held = new Set<string>()

  query(): Promise<{ held: Array<{ name: string }>; pending: Array<{ name: string }> }> {
    const pending = this.requests.filter((r) => !r.signal.aborted).map((r) => ({ name: r.name }))
    return Promise.resolve({ held: [...this.held].map((name) => ({ name })), pending })
  }

  request(name: string, options: { signal: AbortSignal }, callback: () => void): Promise<unknown> {
    this.requests.push({ name, signal: options.signal, callback })
    return new Promise((_resolve, reject) => {
      options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
  }

  /** The tab holding `name` is gone: grants every pending, un-aborted request for it. */
  grant(name: string): number {
    const due = this.requests.filter((r) => r.name === name && !r.signal.aborted)
    for (const request of due) request.callback()
    return due.length
  }

  /** Requests still waiting (not aborted). */
  waiting(name: string): number {
    return this.requests.filter((r) => r.name === name && !r.signal.aborted).length
  }
}
