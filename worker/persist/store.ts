/**
 * Where the persisted outbox keeps its sends: one IndexedDB object store of the origin, each send
 * under the key `[identity, seq, key]`, so every read and delete names one identity's key range and
 * never sees another identity's sends. The identity is the hub's connection key (transport,
 * endpoint and the user the transport reads from the token: never the token itself).
 * IndexedDB exists in SharedWorkers and Workers; the requests go through idb-keyval's store helper.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval'
import type { Json } from '../../src/contract/protocol.ts'

/**
 * One send waiting in the outbox, as stored.
 * @example
 * const send: StoredSend = { identity, seq: 1, key: 'k1', topic: 'realtime:room', name: 'room', event: 'TEXT', payload: { text: 'hi' }, bytes: 20, at: Date.now(), isWritten: false }
 */
export interface StoredSend {
  identity: string
  /** Order of the sends of one identity (increasing). */
  seq: number
  /** The idempotency key: travels with the message, so receivers drop a second copy. */
  key: string
  /** The hub's topic key (the transport's, e.g. `private:room`). */
  topic: string
  /** The topic name as the app gave it. */
  name: string
  event: string
  payload: Json
  bytes: number
  /** When it was queued, epoch ms. */
  at: number
  /** Handed to a socket at least once: a retry sends it again (receivers drop the copy) but echoes it to no tab twice. */
  isWritten: boolean
  /** The tab and channel that sent it, so the local echo skips that channel as a fresh send would. */
  origin?: { tabId: string; subId: string }
}

/**
 * The storage the outbox needs; {@link indexedDbStore} in a worker, a Map in tests.
 * @example
 * const store: SendStore = indexedDbStore()
 */
export interface SendStore {
  /** The identity's sends in `seq` order. */
  list(identity: string): Promise<StoredSend[]>
  put(send: StoredSend): Promise<void>
  remove(send: Pick<StoredSend, 'identity' | 'seq' | 'key'>): Promise<void>
  /** Deletes every send of the identity (sign-out). */
  clear(identity: string): Promise<void>
}

const idOf = (send: Pick<StoredSend, 'identity' | 'seq' | 'key'>): IDBValidKey => [send.identity, send.seq, send.key]
// Arrays sort after numbers and strings in IndexedDB: [identity, []] bounds every [identity, seq, key].
const rangeOf = (identity: string): IDBKeyRange => IDBKeyRange.bound([identity], [identity, []])

/**
 * The outbox in the origin's IndexedDB (database `tabrelay-outbox`, store `sends`).
 * @example
 * persistedSends({ store: indexedDbStore('my-app-outbox') })
 */
export function indexedDbStore(dbName = 'tabrelay-outbox'): SendStore {
  let use: UseStore | null = null
  // Opened on first use (a user's first join on this hub), not when the worker starts.
  const store = (): UseStore => (use ??= createStore(dbName, 'sends'))
  return {
    list: (identity) => store()('readonly', (s) => promisifyRequest(s.getAll(rangeOf(identity)) as IDBRequest<StoredSend[]>)),
    put: (send) => store()('readwrite', (s) => { s.put(send, idOf(send)); return promisifyRequest(s.transaction) }),
    remove: (send) => store()('readwrite', (s) => { s.delete(idOf(send)); return promisifyRequest(s.transaction) }),
    clear: (identity) => store()('readwrite', (s) => { s.delete(rangeOf(identity)); return promisifyRequest(s.transaction) }),
  }
}
