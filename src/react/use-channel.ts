/**
 * `useChannel()`: a channel held for as long as the component is mounted, with its state.
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import type { ChannelHookOptions } from './backend.ts'
import type { ChannelSnapshot } from './entry.ts'
import { useLatest } from './latest.ts'
import { useRelayContext } from './provider.ts'

/**
 * What `useChannel()` returns; pass it to `useEvent`, `usePresence`, `useTrack`, `useSend`.
 * @example
 * const room = useChannel('room:1'); if (room.state === 'errored') return <p>{room.error?.message}</p>
 */
export interface ChannelHandle extends ChannelSnapshot {
  /** The options given to `useChannel()`, so a child's hook that opens the channel first opens it the same way. */
  readonly options: ChannelHookOptions
}

const NOOP = (): void => undefined

/**
 * Holds the channel `name` while mounted (`null` skips, like Convex's `'skip'`) and re-renders on
 * its state. Hooks of one client share one channel per name: StrictMode's double mount, or ten
 * components on one topic, are ONE join; the channel is left a linger after the last one unmounts.
 * @example
 * function Room({ id }: { id: string | null }) {
 *   const room = useChannel(id && `room:${id}`, { config: { presence: { key: userId } } })
 *   return <span>{room.state}</span> // 'joining' → 'joined'
 * }
 */
export function useChannel(name: string | null, options: ChannelHookOptions = {}): ChannelHandle {
  const { registry } = useRelayContext()
  const latestOptions = useLatest(options)
  const pending = useMemo<ChannelSnapshot>(() => ({ name, state: name === null ? 'closed' : 'joining', error: undefined, channel: null }), [name])
  const optionsKey = JSON.stringify(options)
  // Options by value are part of which channel this is (a presence key per user): a change opens
  // the channel with the new options and lets the old one go.
  const subscribe = useCallback((notify: () => void) => {
    if (registry === null || name === null) return NOOP
    const { entry, release } = registry.acquire(name, latestOptions.current)
    const unwatch = entry.watch(notify)
    return () => {
      unwatch()
      release()
    }
  }, [registry, name, optionsKey, latestOptions])
  const getSnapshot = (): ChannelSnapshot => (registry !== null && name !== null ? registry.peek(name, options)?.snapshot : undefined) ?? pending
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, () => pending)
  // A handle per snapshot, not per render (options compared by value: they are often inline), so
  // memoized children see a new handle only on a change.
  return useMemo(() => ({ ...snapshot, options }), [snapshot, optionsKey])
}
