/**
 * `tabrelay/worker/persist`: the hub's persisted outbox. Sends a tab makes with `outbox: 'persist'`
 * while its topic is not joined are stored in the origin's IndexedDB under the user's identity,
 * survive every tab and the worker closing, and are sent once when a tab of the same identity
 * joins the topic again; sign-out deletes them. An entry of its own: a hub without it carries none
 * of this code (and refuses such sends `unsupported`).
 */
import type { Clock } from '../../src/contract/clock.ts'
import type { HubPersist, StoredSends } from './hooks.ts'
import { IdentityOutbox, PERSIST_DEFAULTS, type PersistLimits } from './outbox.ts'
import { indexedDbStore, type SendStore } from './store.ts'

export type { HubPersist, JoinedTopic, StoredSends } from './hooks.ts'
export { PERSIST_DEFAULTS, type PersistLimits } from './outbox.ts'
export { indexedDbStore, type SendStore, type StoredSend } from './store.ts'

/**
 * Options of {@link persistedSends}: the bounds per identity, and (for tests) the store.
 * @example
 * persistedSends({ maxCount: 50, maxAgeMs: 3_600_000 })
 */
export interface PersistOptions extends Partial<PersistLimits> {
  store?: SendStore
}

/**
 * The persisted outbox for `serveHub({ persist })`.
 * @example
 * import { persistedSends } from 'tabrelay/worker/persist'
 * serveHub({ transports: { supabase: supabaseTransport() }, persist: persistedSends() })
 */
export function persistedSends(options: PersistOptions = {}): HubPersist {
  const { store = indexedDbStore(), ...bounds } = options
  const limits: PersistLimits = { ...PERSIST_DEFAULTS, ...bounds }
  const outboxes = new Map<string, IdentityOutbox>()
  const of = (identity: string, clock: Clock): IdentityOutbox => {
    const found = outboxes.get(identity)
    if (found) return found
    const outbox = new IdentityOutbox(identity, store, clock, limits)
    outboxes.set(identity, outbox)
    return outbox
  }
  return {
    of: (identity, clock): StoredSends => of(identity, clock),
    forget(identity) {
      // Sends of an identity this hub never opened may still be stored by an earlier worker.
      void (outboxes.get(identity)?.forget() ?? store.clear(identity)).catch(() => undefined)
    },
  }
}
