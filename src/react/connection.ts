/**
 * The connection's status and leader flag as external stores (`useSyncExternalStore`): one
 * listener on the client per store however many components read it, a cached snapshot so a render
 * never tears, and the server snapshot `connecting` / not leader.
 */
import { fromWire, type RelayError } from '../contract/errors.ts'
import type { ConnectionStatus, StatusEvent } from '../contract/protocol.ts'
import type { RealtimeClient } from './backend.ts'

/**
 * The connection as `useConnectionStatus()` renders it.
 * @example
 * const { status, attempt, error, retryAt } = useConnectionStatus()
 */
export interface ConnectionSnapshot {
  readonly status: ConnectionStatus
  /** The reconnect attempt (1-based) while `reconnecting`. */
  readonly attempt: number | undefined
  /** Why the connection is not open, when the hub said. */
  readonly error: RelayError | undefined
  /** When the hub tries again (epoch ms) while `reconnecting`. */
  readonly retryAt: number | undefined
}

/**
 * What the server renders, and what renders before the browser's first effect.
 * @example
 * SERVER_CONNECTION.status // 'connecting'
 */
export const SERVER_CONNECTION: ConnectionSnapshot = Object.freeze({ status: 'connecting', attempt: undefined, error: undefined, retryAt: undefined })

function snapshotOf(event: StatusEvent): ConnectionSnapshot {
  return { status: event.status, attempt: event.attempt, error: event.error && fromWire(event.error), retryAt: event.retryAt }
}

/**
 * A subscribable snapshot of one client's connection status.
 * @example
 * const store = connectionStore(realtime); useSyncExternalStore(store.subscribe, store.getSnapshot)
 */
export interface ConnectionStore {
  subscribe(notify: () => void): () => void
  getSnapshot(): ConnectionSnapshot
}

const stores = new WeakMap<RealtimeClient, ConnectionStore>()

/**
 * The status store of `client`, made once per client.
 * @example
 * connectionStore(relay).getSnapshot().status // 'open'
 */
export function connectionStore(client: RealtimeClient): ConnectionStore {
  const existing = stores.get(client)
  if (existing) return existing
  const watchers = new Set<() => void>()
  let snapshot: ConnectionSnapshot = snapshotOf({ status: client.status })
  let off: (() => void) | null = null
  const store: ConnectionStore = {
    subscribe(notify) {
      watchers.add(notify)
      // One client listener while anyone watches (first/last subscriber), none after.
      off ??= client.onStatus((_status, event) => {
        snapshot = snapshotOf(event)
        for (const w of [...watchers]) w()
      })
      return () => {
        watchers.delete(notify)
        if (watchers.size > 0 || off === null) return
        off()
        off = null
      }
    },
    getSnapshot() {
      // Unwatched, the cached detail may be stale: the client's status is the truth.
      if (snapshot.status !== client.status) snapshot = snapshotOf({ status: client.status })
      return snapshot
    },
  }
  stores.set(client, store)
  return store
}
