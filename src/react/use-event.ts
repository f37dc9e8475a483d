/**
 * `useEvent()` and `useResync()`: handlers on a channel that always see the latest props, without
 * resubscribing when their identity changes.
 */
import { useEffect } from 'react'
import type { Json } from '../contract/protocol.ts'
import type { EventMessage, Listen } from './backend.ts'
import { useLatest } from './latest.ts'
import { useRelayContext } from './provider.ts'
import type { ChannelHandle } from './use-channel.ts'

function useListen(channel: ChannelHandle, listen: Listen | null, call: (value: unknown, message?: EventMessage) => void): void {
  const { registry } = useRelayContext()
  const latest = useLatest(call)
  const latestOptions = useLatest(channel.options)
  const name = channel.name
  const key = listen === null ? null : JSON.stringify(listen)
  const optionsKey = JSON.stringify(channel.options)
  useEffect(() => {
    if (registry === null || name === null || key === null || listen === null) return undefined
    // A child's effect runs before its parent's: the first hook to run opens the channel.
    const { entry, release } = registry.acquire(name, latestOptions.current)
    const off = entry.on(listen, (value, message) => latest.current(value, message))
    return () => {
      off()
      release()
    }
    // `listen` is compared by its key: callers pass a fresh object every render.
  }, [registry, name, optionsKey, key, latest, latestOptions])
}

/**
 * Calls `handler` for every broadcast `event` (`'*'` for all) on the channel, exactly once per
 * message however often the component re-renders or StrictMode remounts it.
 * @example
 * const room = useChannel('room:1')
 * useEvent<{ text: string }>(room, 'message', (payload) => setMessages((m) => [...m, payload.text]))
 */
export function useEvent<T = Json>(channel: ChannelHandle, event: string, handler: (payload: T, message: EventMessage<T>) => void): void {
  useListen(channel, { type: 'broadcast', event }, (value, message) => {
    // The app asserts the payload type, as with the clients' own `on()`.
    if (message) handler(value as T, message as EventMessage<T>)
  })
}

/**
 * Calls `handler` after the channel rejoined (a reconnect, a resume, a new worker): events after
 * `since` (epoch ms; `null` when the channel never had one) may be missing; refetch them.
 * @example
 * useResync(room, (since) => void refetchMessagesSince(since))
 */
export function useResync(channel: ChannelHandle, handler: (since: number | null) => void): void {
  useListen(channel, { type: 'resync' }, (value) => handler(typeof value === 'number' ? value : null))
}
