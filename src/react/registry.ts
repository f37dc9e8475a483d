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

/**
 * Which channel a hook means: its name and options by value. Options are part of it because they
 * are per user as often as not (`presence.key`): after a sign-in as another user the app renders
 * the same name with the new key, and must get a channel opened with it, not the old one back.
 * @example
 * channelKey('room:1', { config: { presence: { key: 'bob' } } })
 */
export function channelKey(name: string, options: ChannelHookOptions): string {
  return `${name}\n${JSON.stringify(options)}`
}

interface Held {
  key: string
  entry: ChannelEntry
  refs: number
  cancelLinger: (() => void) | null
}

/**
 * The channels the hooks of one client hold.
 * @example
 * const { entry, release } = registry.acquire('room:1', {}); … release()
 * registry.peek('room:1', {}) // the same entry, while held or lingering
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

  /** The entry of `name` opened with `options` if a hook holds it (or it lingers), without taking a reference. */
  peek(name: string, options: ChannelHookOptions): ChannelEntry | undefined {
    return this.#held.get(channelKey(name, options))?.entry
  }

  /** Takes a reference, opening the channel when none is held; `release` is safe to call twice. */
  acquire(name: string, options: ChannelHookOptions): { entry: ChannelEntry; release: () => void } {
    const key = channelKey(name, options)
    let held = this.#held.get(key)
    if (!held) {
      // A client has one channel per topic: the same name lingering with other options (the
      // previous user's presence key) must be gone first, or the client hands that one back.
      this.#evictLingering(name)
      held = { key, entry: new ChannelEntry(this.#client, name, options), refs: 0, cancelLinger: null }
      this.#held.set(key, held)
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
    return [...this.#held.values()].map((held) => held.entry.name)
  }

  // Closed before the new entry opens: both continue a microtask later, the close first.
  #evictLingering(name: string): void {
    for (const held of [...this.#held.values()]) {
      if (held.entry.name !== name || held.refs > 0) continue
      held.cancelLinger?.()
      this.#held.delete(held.key)
      void held.entry.close().catch(() => undefined)
    }
  }

  #release(held: Held): void {
    held.refs -= 1
    if (held.refs > 0) return
    held.cancelLinger = this.#clock.setTimeout(() => {
      if (this.#held.get(held.key) !== held || held.refs > 0) return
      this.#held.delete(held.key)
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
