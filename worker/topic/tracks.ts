/**
 * Presence on a shared connection: the server sees one presence per user connection and topic, so
 * the tabs' `track()` calls merge here, as pure functions over plain data (Phoenix `presence.js`).
 *
 * Rule: the most recent `track()` of any live tab wins; when that tab untracks or goes away, the
 * most recent remaining tab's meta takes over; when no tab tracks, the user is untracked.
 */
import type { Json } from '../../src/contract/protocol.ts'

/** One tab's tracked meta and when it was tracked (a monotonic sequence number). */
export interface TabTrack {
  tabId: string
  meta: { [key: string]: Json }
  seq: number
}

/**
 * Records a tab's `track()`; a newer call replaces that tab's earlier one.
 * @example
 * tracks = withTrack(tracks, { tabId: 'a', meta: { typing: true }, seq: 7 })
 */
export function withTrack(tracks: readonly TabTrack[], track: TabTrack): TabTrack[] {
  return [...tracks.filter((t) => t.tabId !== track.tabId), track]
}

/**
 * Forgets a tab's track (untrack, leave, or the tab went away).
 * @example
 * tracks = withoutTab(tracks, 'a')
 */
export function withoutTab(tracks: readonly TabTrack[], tabId: string): TabTrack[] {
  return tracks.filter((t) => t.tabId !== tabId)
}

/**
 * The meta the server should hold: the newest track, or `null` to untrack.
 * @example
 * effectiveMeta([{ tabId: 'a', meta: { x: 1 }, seq: 1 }]) // { x: 1 }
 */
export function effectiveMeta(tracks: readonly TabTrack[]): { [key: string]: Json } | null {
  let newest: TabTrack | null = null
  for (const track of tracks) if (newest === null || track.seq > newest.seq) newest = track
  return newest === null ? null : newest.meta
}

/**
 * Whether two metas are the same value, so an identical re-track costs no server round trip.
 * @example
 * sameMeta({ a: 1 }, { a: 1 }) // true
 */
export function sameMeta(a: Json | null, b: Json | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
