/**
 * `useConnectionStatus()`, `useIsLeader()` and `useUpdateAvailable()`: the shared connection as components see it.
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { connectionStore, SERVER_CONNECTION, type ConnectionSnapshot } from './connection.ts'
import { useRelayContext } from './provider.ts'
import type { UpdateInfo } from '../core/deploy.ts'

/**
 * What `useConnectionStatus()` returns: the snapshot and `retry` (reconnect now, a "Retry" button).
 * @example
 * const { status, retryAt, retry } = useConnectionStatus()
 */
export interface ConnectionState extends ConnectionSnapshot {
  retry(): Promise<void>
}

const NO_SUBSCRIBE = (): (() => void) => () => undefined
const SERVER = (): ConnectionSnapshot => SERVER_CONNECTION
const NOT_LEADER = (): boolean => false
const NO_UPDATE = (): UpdateInfo | null => null

/**
 * The connection's status with its reason; `connecting` on the server.
 * @example
 * const { status, attempt, retry } = useConnectionStatus()
 * if (status === 'reconnecting') return <p>Reconnecting (attempt {attempt}) <button onClick={() => void retry()}>Retry now</button></p>
 */
export function useConnectionStatus(): ConnectionState {
  const { client } = useRelayContext()
  const store = useMemo(() => (client === null ? null : connectionStore(client)), [client])
  const snapshot = useSyncExternalStore(store?.subscribe ?? NO_SUBSCRIBE, store?.getSnapshot ?? SERVER, SERVER)
  const retry = useCallback(async () => { await client?.reconnect() }, [client])
  return useMemo(() => ({ ...snapshot, retry }), [snapshot, retry])
}

/**
 * Whether this tab is the user's leader tab (one per user: notify once, not once per tab); `false`
 * on the server.
 * @example
 * const isLeader = useIsLeader()
 * useEvent(room, 'message', (m) => { if (isLeader) notify(m) })
 */
export function useIsLeader(): boolean {
  const { client } = useRelayContext()
  const subscribe = useCallback((notify: () => void) => (client === null ? () => undefined : client.onLeaderChange(notify)), [client])
  const getSnapshot = useCallback(() => client?.isLeader ?? false, [client])
  return useSyncExternalStore(subscribe, getSnapshot, NOT_LEADER)
}

/**
 * `update-available`: a newer deploy of the app runs in another tab (`null` until then, and on the
 * server). With `moved: false` this tab still holds a connection of its own: offer a reload.
 * @example
 * const update = useUpdateAvailable()
 * if (update) return <button onClick={() => location.reload()}>A new version is available: reload</button>
 */
export function useUpdateAvailable(): UpdateInfo | null {
  const { client } = useRelayContext()
  const subscribe = useCallback((notify: () => void) => (client === null ? () => undefined : client.onUpdateAvailable(notify)), [client])
  const getSnapshot = useCallback(() => client?.updateAvailable ?? null, [client])
  return useSyncExternalStore(subscribe, getSnapshot, NO_UPDATE)
}
