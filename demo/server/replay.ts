/**
 * Broadcast Replay (REALTIME_PROTOCOL.md §2.3, §3.4) as Supabase Realtime does it: a broadcast sent
 * with `persist` on a private channel is stored under its namespace with an id and a time; a join
 * with `config.broadcast.replay = { since, limit }` gets, right after its reply, the newest `limit`
 * stored messages inserted at or after `since` (ms), oldest first, each with
 * `meta: { replayed: true, id }`. Live copies of a stored message carry `meta: { id }`.
 * The real server reads `realtime.messages` (lib/realtime/messages.ex: `inserted_at >= since`,
 * newest first, `limit` clamped to 1..25, default 25) and drops partitions after 72 h.
 */
import { randomUUID } from 'node:crypto'

/**
 * Options of the store; the defaults are the real server's.
 *
 * @example
 * await startRealtimeServer({ replay: { hardLimit: 1000 } })   // a test that replays long gaps
 */
export interface ReplayOptions {
  /** The most a replay returns, whatever `limit` asks (real server: 25). */
  hardLimit?: number
  /** Retention of `persist: true`, and the cap of `persist: { ttl }` (real server: 72 h). */
  maxTtlS?: number
  /** Stored messages kept per namespace; the oldest go first (the real server has no such cap). */
  maxPerTopic?: number
}

/**
 * One stored broadcast.
 *
 * @example
 * const m: StoredMessage = { id: 'uuid', event: 'msg', encoding: 1, payload: Buffer.from('{}'), insertedAt: 0, expiresAt: 1 }
 */
export interface StoredMessage {
  readonly id: string
  readonly event: string
  /** 1: JSON text, 0: raw bytes (as in a kind-4 frame). */
  readonly encoding: 0 | 1
  readonly payload: Buffer
  readonly insertedAt: number
  readonly expiresAt: number
}

/**
 * A parsed `replay` join parameter, or the refusal the real server answers.
 *
 * @example
 * parseReplay({ since: 0, limit: 10 }, true) // { since: 0, limit: 10 }
 */
export type ReplayRequest = { since: number; limit: number } | { refusal: string }

const DEFAULT_LIMIT = 25

/**
 * Reads `config.broadcast.replay` as the real server does: `since` must be an integer (ms), `limit`
 * defaults to 25; public channels are refused.
 *
 * @example
 * parseReplay({ since: 1 }, false) // { refusal: 'UnableToReplayMessages: Replay is not allowed for public channels' }
 */
export function parseReplay(value: unknown, isPrivate: boolean): ReplayRequest | null {
  if (value === undefined || value === null) return null
  if (!isPrivate) return { refusal: 'UnableToReplayMessages: Replay is not allowed for public channels' }
  const params = typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const since = params['since']
  const limit = params['limit'] ?? DEFAULT_LIMIT
  if (!Number.isSafeInteger(since) || !Number.isSafeInteger(limit)) {
    return { refusal: 'UnableToReplayMessages: Replay params are not valid' }
  }
  return { since: since as number, limit: limit as number }
}

/**
 * The `persist` a sender asked for, as a TTL in seconds, or null (not stored). Accepts the kind-3
 * metadata (`true`, `{ ttl }`) and the REST query (`persist=true`, `persist[ttl]=N`).
 *
 * @example
 * persistTtl({ ttl: 60 }, 3600) // 60
 */
export function persistTtl(value: unknown, maxTtlS: number): number | null {
  if (value === true || value === 'true') return maxTtlS
  if (typeof value === 'object' && value !== null && 'ttl' in value) {
    const ttl = Number((value as { ttl: unknown }).ttl)
    return Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, maxTtlS) : maxTtlS
  }
  return null
}

/**
 * The stored broadcasts of one server, per namespace key (`private:realtime:room`).
 *
 * @example
 * const store = new ReplayStore({}); const id = store.put('private:realtime:r', msg, 60); store.since('private:realtime:r', 0, 25)
 */
export class ReplayStore {
  readonly #byKey = new Map<string, StoredMessage[]>()
  readonly #now: () => number
  readonly hardLimit: number
  readonly maxTtlS: number
  readonly #maxPerTopic: number

  constructor(options: ReplayOptions, now: () => number = Date.now) {
    this.hardLimit = options.hardLimit ?? DEFAULT_LIMIT
    this.maxTtlS = options.maxTtlS ?? 72 * 3600
    this.#maxPerTopic = options.maxPerTopic ?? 10_000
    this.#now = now
  }

  /** Stores a message for `ttlS` seconds (at most `maxTtlS`); returns its id. */
  put(key: string, msg: { event: string; encoding: 0 | 1; payload: Buffer }, ttlS: number): string {
    const now = this.#now()
    const stored: StoredMessage = { ...msg, id: randomUUID(), insertedAt: now, expiresAt: now + Math.min(ttlS, this.maxTtlS) * 1000 }
    const list = this.#byKey.get(key) ?? []
    list.push(stored)
    if (list.length > this.#maxPerTopic) list.splice(0, list.length - this.#maxPerTopic)
    this.#byKey.set(key, list)
    return stored.id
  }

  /** The newest `limit` (clamped to 1..hardLimit) messages inserted at or after `since`, oldest first. */
  since(key: string, since: number, limit: number): StoredMessage[] {
    const capped = Math.max(Math.min(limit, this.hardLimit), 1)
    const after = this.#live(key, this.#now()).filter((m) => m.insertedAt >= since)
    return after.slice(-capped)
  }

  /** Messages stored across namespaces (for /stats). */
  count(): number {
    let total = 0
    for (const list of this.#byKey.values()) total += list.length
    return total
  }

  #live(key: string, now: number): StoredMessage[] {
    const list = (this.#byKey.get(key) ?? []).filter((m) => m.expiresAt > now)
    if (list.length === 0) this.#byKey.delete(key)
    else this.#byKey.set(key, list)
    return list
  }
}
