/**
 * `usePresence()` and `useTrack()`: who is on a channel, and this tab's own presence, declared.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react'
import type { Json, PresenceState } from '../contract/protocol.ts'
import { useLatest } from './latest.ts'
import { useRelayContext } from './provider.ts'
import type { ChannelHandle } from './use-channel.ts'

const EMPTY: PresenceState = Object.freeze({})
const NOOP = (): void => undefined
const IGNORE = (): undefined => undefined

/**
 * The channel's presence (key → metas, as supabase-js's `presenceState()`), re-rendering on every
 * sync, join and leave; `{}` on the server, when skipped, and with a `createRelay()` client.
 * @example
 * const online = usePresence(room)
 * return <ul>{Object.entries(online).map(([key, metas]) => <li key={key}>{String(metas[0]?.name)}</li>)}</ul>
 */
export function usePresence(channel: ChannelHandle): PresenceState {
  const { registry } = useRelayContext()
  const latestOptions = useLatest(channel.options)
  const name = channel.name
  const optionsKey = JSON.stringify(channel.options)
  const subscribe = useCallback((notify: () => void) => {
    if (registry === null || name === null) return NOOP
    const { entry, release } = registry.acquire(name, latestOptions.current)
    const off = entry.on({ type: 'presence' }, notify)
    const unwatch = entry.watch(notify)
    return () => {
      unwatch()
      off()
      release()
    }
  }, [registry, name, optionsKey, latestOptions])
  const getSnapshot = (): PresenceState => (registry !== null && name !== null ? registry.peek(name, channel.options)?.presence : undefined) ?? EMPTY
  return useSyncExternalStore(subscribe, getSnapshot, () => EMPTY)
}

/**
 * Tracks `meta` as this tab's presence while mounted (again whenever it changes by value) and
 * untracks on unmount or `null`. Failures show as the channel's state, so they are not thrown here.
 * @example
 * useTrack(room, { name: user.name, typing: draft !== '' })
 */
export function useTrack(channel: ChannelHandle, meta: { [key: string]: Json } | null): void {
  const { registry } = useRelayContext()
  const latestOptions = useLatest(channel.options)
  const latestMeta = useLatest(meta)
  const name = channel.name
  const optionsKey = JSON.stringify(channel.options)
  const metaKey = meta === null ? null : JSON.stringify(meta)
  useEffect(() => {
    if (registry === null || name === null) return undefined
    const { entry, release } = registry.acquire(name, latestOptions.current)
    return () => {
      entry.untrack().catch(IGNORE)
      release()
    }
  }, [registry, name, optionsKey, latestOptions])
  useEffect(() => {
    const current = latestMeta.current
    if (registry === null || name === null || current === null) return
    // Re-tracking replaces the meta; untracking first would flash a leave to everyone else.
    registry.peek(name, latestOptions.current)?.track(current).catch(IGNORE)
  }, [registry, name, optionsKey, metaKey, latestMeta, latestOptions])
}
