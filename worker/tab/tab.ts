/**
 * One tab as the hub knows it, and the only record of it: who it is (its hello, the identity it
 * rides), how alive and visible it last said it was, and how the hub reaches it (its sink, outbox
 * and move guard). The registry (registry.ts) holds these and owns the liveness. What it
 * subscribed is stored once, in the topics of its connection (worker/topic/topic.ts).
 */
import type { ConnectionTarget, Delivery, Heartbeat, TabHello, Visibility } from '../../src/contract/protocol.ts'
import type { HubSink } from '../options.ts'
import { MoveGuard } from './move-guard.ts'
import type { DeliveryGuard, Outbox } from './outbox.ts'

/**
 * How a tab's outbox is built: `send` hands a batch to the tab's port, `guard` is the tab's move guard.
 * @example
 * const outboxOf: OutboxFactory = (send, guard) => new Outbox(send, schedule, counters, { guard, wantsResync })
 */
export type OutboxFactory = (send: (batch: Delivery[]) => unknown, guard: DeliveryGuard) => Outbox

/**
 * A registered tab.
 * @example
 * const tab = new Tab(hello, identity, sink, release, () => clock.now(), outboxOf)
 * registry.add(tab)
 */
export class Tab {
  readonly tabId: string
  readonly sink: HubSink
  /** Lets go of the sink once the hub forgets the tab (bye, lock, heartbeats, a newer hello). */
  readonly release: () => void
  readonly guard: MoveGuard
  readonly outbox: Outbox
  #hello: TabHello
  #identity: string
  #visibility: Visibility
  #focused: boolean
  #hasLock: boolean
  #lastBeatAt: number

  constructor(hello: TabHello, identity: string, sink: HubSink, release: () => void, now: () => number, outbox: OutboxFactory) {
    this.tabId = hello.tabId
    this.#hello = hello
    this.#identity = identity
    this.sink = sink
    this.release = release
    this.#visibility = hello.visibility
    this.#focused = hello.focused
    this.#hasLock = hello.hasLock
    this.#lastBeatAt = now()
    this.guard = new MoveGuard(now)
    // The outbox posts to the sink itself and watches the answers: they are its back-pressure.
    this.outbox = outbox(sink.deliver.bind(sink), this.guard)
  }

  get hello(): TabHello { return this.#hello }
  /** The connection key of the user it rides (set by the registry, which re-elects on a move). */
  get identity(): string { return this.#identity }
  get visibility(): Visibility { return this.#visibility }
  get focused(): boolean { return this.#focused }
  get hasLock(): boolean { return this.#hasLock }
  /** Hub clock of the tab's hello or last heartbeat. */
  get lastBeatAt(): number { return this.#lastBeatAt }

  /** A new token, and maybe a new explicit identity in the target (setAuth). */
  reauth(target: ConnectionTarget, token: string | null): void {
    this.#hello = { ...this.#hello, target, token }
  }

  /**
   * The tab's outbox while it rides `identity`; `null` once it moved to another user, so the old
   * user's connection, still closing, reaches it no more.
   */
  outboxFor(identity: string): Outbox | null {
    return this.#identity === identity ? this.outbox : null
  }

  /** The tab now rides another user's connection (call through the registry: it re-elects). */
  moveTo(identity: string): void {
    this.#identity = identity
  }

  /** A heartbeat at `now`: alive, with its visibility, focus and lock. */
  beat(beat: Heartbeat, now: number): void {
    this.#visibility = beat.visibility
    this.#focused = beat.focused
    this.#hasLock = beat.hasLock
    this.#lastBeatAt = now
  }
}
