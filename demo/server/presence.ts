/**
 * Presence as plain data: each channel owns at most one meta under its presence key; every change yields
 * a Phoenix diff (REALTIME_PROTOCOL.md §4.2). Sending is the caller's job.
 */
import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'

/**
 * A tracked meta: the user's payload plus Phoenix's refs.
 *
 * @example
 * const meta: Meta = { name: 'Alice', phx_ref: 'F1x2y3z4A5s=' }
 */
export interface Meta {
  [field: string]: unknown
  phx_ref: string
  phx_ref_prev?: string
}

/**
 * The `presence_state` shape, also used for each side of a diff.
 *
 * @example
 * const state: PresenceMap = { alice: { metas: [{ phx_ref: 'x' }] } }
 */
export type PresenceMap = Record<string, { metas: Meta[] }>

/**
 * A `presence_diff` payload.
 *
 * @example
 * const diff: PresenceDiff = { joins: {}, leaves: {} }
 */
export interface PresenceDiff {
  joins: PresenceMap
  leaves: PresenceMap
}

interface Entry {
  key: string
  meta: Meta
}

/**
 * Presence of every namespace, keyed by namespace key then by channel identity.
 *
 * @example
 * const diff = table.track('realtime:room', channel, 'alice', { name: 'Alice' })
 */
export class PresenceTable {
  #namespaces = new Map<string, Map<object, Entry>>()

  /** Current state of a namespace, for `presence_state`. */
  state(namespace: string): PresenceMap {
    const map: PresenceMap = {}
    for (const { key, meta } of this.#namespaces.get(namespace)?.values() ?? []) {
      const slot = map[key] ?? { metas: [] }
      slot.metas.push(meta)
      map[key] = slot
    }
    return map
  }

  /** Track or replace the owner's meta; null when the payload did not change (no diff is due). */
  track(namespace: string, owner: object, key: string, payload: Record<string, unknown>): PresenceDiff | null {
    const entries = this.#namespaces.get(namespace) ?? new Map<object, Entry>()
    this.#namespaces.set(namespace, entries)
    const previous = entries.get(owner)
    if (previous !== undefined && isDeepStrictEqual(userFields(previous.meta), payload)) return null
    const meta: Meta = { ...payload, phx_ref: newRef() }
    if (previous !== undefined) meta.phx_ref_prev = previous.meta.phx_ref
    entries.set(owner, { key, meta })
    const leaves = previous === undefined ? {} : { [previous.key]: { metas: [previous.meta] } }
    return { joins: { [key]: { metas: [meta] } }, leaves }
  }

  /** Remove the owner's meta; null when it had none. */
  untrack(namespace: string, owner: object): PresenceDiff | null {
    const entries = this.#namespaces.get(namespace)
    const previous = entries?.get(owner)
    if (entries === undefined || previous === undefined) return null
    entries.delete(owner)
    if (entries.size === 0) this.#namespaces.delete(namespace)
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } }
  }

  /** Number of distinct presence keys per namespace, for /stats. */
  keyCounts(): Record<string, number> {
    return Object.fromEntries(
      [...this.#namespaces].map(([ns, entries]) => [ns, new Set([...entries.values()].map((e) => e.key)).size]),
    )
  }
}

function userFields(meta: Meta): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([field]) => field !== 'phx_ref' && field !== 'phx_ref_prev'))
}

// Phoenix uses base64 of 8 random bytes; only uniqueness matters to the client.
function newRef(): string {
  return randomBytes(8).toString('base64')
}
