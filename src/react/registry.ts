/**
 * The ref-counted channels of one client: every hook that uses a channel holds a reference; the
 * last one leaving starts a linger, and only when it ends is the channel left. So React
 * StrictMode's mount → unmount → mount, or a quick remount on navigation, is ONE join, and nothing
 * outlives the last component (nanostores `STORE_UNMOUNT_DELAY`, TanStack `subscribable.ts`).
 */
import { systemClock, type Clock } from '../contract/clock.ts'
import type { ChannelHookOptions, RealtimeClient } from './backend.ts'
import { ChannelEntry } from './entry.ts'

/**
 * How long a channel stays after its last hook, and the clock that times it.
 * @example
 * const timing: RegistryOptions = { lingerMs: 1_000 }
 */
export interface RegistryOptions {
  /** Default 1 000: long enough for StrictMode and a route change, short enough to stop events soon. */
  lingerMs?: number
  clock?: Clock
}

interface Held {
  entry: ChannelEntry
  refs: number
  cancelLinger: (() => void) | null
}

/**
 * The channels the hooks of one client hold.
 * @example
 * const { entry, release } = registry.acquire('room:1', {}); … release()
 */
export class Registry {
  readonly #client: RealtimeClient
  readonly #held = new Map<string, Held>()
  readonly #lingerMs: number
  readonly #clock: Clock

  constructor(client: RealtimeClient, options: RegistryOptions = {}) {
    this.#client = client
    this.#lingerMs = options.lingerMs ?? 1_000
    this.#clock = options.clock ?? systemClock
  }

  /** The entry of `name` if a hook holds it (or it lingers), without taking a reference. */
  peek(name: string): ChannelEntry | undefined {
    return this.#held.get(name)?.entry
  }

  /** Takes a reference, opening the channel when none is held; `release` is safe to call twice. */
  acquire(name: string, options: ChannelHookOptions): { entry: ChannelEntry; release: () => void } {
    let held = this.#held.get(name)
    if (!held) {
      // The first hook's options open the channel, as the client's own `channel(topic)` does.
      held = { entry: new ChannelEntry(this.#client, name, options), refs: 0, cancelLinger: null }
      this.#held.set(name, held)
    }
    held.cancelLinger?.()
    held.cancelLinger = null
    held.refs += 1
    const current = held
    let isReleased = false
    return {
      entry: current.entry,
      release: () => {
        if (isReleased) return
        isReleased = true
        this.#release(current)
      },
    }
  }

  /** Names of the channels held or lingering, for tests and debugging. */
  names(): string[] {
    return [...this.#held.keys()]
  }

  #release(held: Held): void {
    held.refs -= 1
    if (held.refs > 0) return
    held.cancelLinger = this.#clock.setTimeout(() => {
      if (this.#held.get(held.entry.name) !== held || held.refs > 0) return
      this.#held.delete(held.entry.name)
      // Leaving is best effort: a failed leave is the client's to report (its status), not React's.
      void held.entry.close().catch(() => undefined)
    }, this.#lingerMs)
  }
}

const registries = new WeakMap<RealtimeClient, Registry>()

/**
 * The registry of `client`, shared by every provider given that client (their channels are the
 * client's channels); the first provider's options set its linger.
 * @example
 * const registry = registryOf(realtime, { lingerMs: 500 })
 */
export function registryOf(client: RealtimeClient, options: RegistryOptions = {}): Registry {
  let registry = registries.get(client)
  if (!registry) {
    registry = new Registry(client, options)
    registries.set(client, registry)
  }
  return registry
}
