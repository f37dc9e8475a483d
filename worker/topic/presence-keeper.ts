/**
 * Keeps the server's presence for one connection in line with its tabs' `track()` calls (merged by
 * the pure rules of `tracks.ts`): one meta per user and topic, re-sent after every rejoin.
 */
import type { Json, SendResult } from '../../src/contract/protocol.ts'
import { effectiveMeta, sameMeta, withoutTab, withTrack } from './tracks.ts'
import type { TopicEntry } from './table.ts'
import type { TransportChannel } from '../transports/transport.ts'

/** Resolves with the topic's channel once it is joined, or `null` when it is not in time. */
export type WhenJoined = (entry: TopicEntry) => Promise<TransportChannel | null>

/** Applies merged presence to server channels. */
export class PresenceKeeper {
  readonly #whenJoined: WhenJoined
  // The track sent on each (re)join, so a track waiting for that join reuses it.
  readonly #joinTracks = new WeakMap<TransportChannel, Promise<SendResult>>()
  #seq = 0

  constructor(whenJoined: WhenJoined) {
    this.#whenJoined = whenJoined
  }

  /** Records a tab's track; call {@link apply} after the topic's spec is current. */
  record(entry: TopicEntry, tabId: string, meta: { [key: string]: Json }): void {
    entry.tracks = withTrack(entry.tracks, { tabId, meta, seq: ++this.#seq })
  }

  /** Forgets a tab's track (untrack) and applies the result. */
  untrack(entry: TopicEntry, tabId: string): Promise<SendResult> {
    entry.tracks = withoutTab(entry.tracks, tabId)
    return this.apply(entry)
  }

  /** Forgets a tab that left the topic or went away, if it tracked there. */
  forgetTab(entry: TopicEntry, tabId: string): void {
    if (entry.tracks.some((t) => t.tabId === tabId)) void this.untrack(entry, tabId)
  }

  /** The server lost this connection's presence with the old channel: track it again. */
  rejoined(entry: TopicEntry): void {
    const channel = entry.channel
    if (entry.serverMeta && channel?.track) this.#joinTracks.set(channel, channel.track(entry.serverMeta).catch(() => 'error' as const))
  }

  /** Sends the merged meta to the server when it changed. */
  async apply(entry: TopicEntry): Promise<SendResult> {
    const meta = effectiveMeta(entry.tracks)
    if (sameMeta(meta, entry.serverMeta)) return 'ok'
    entry.serverMeta = meta
    const wasJoined = entry.status === 'SUBSCRIBED' && entry.channel !== null
    const channel = await this.#whenJoined(entry)
    if (!channel) return 'timed out'
    if (!sameMeta(meta, entry.serverMeta)) return 'ok' // a newer track superseded this one
    // Joined meanwhile: rejoined() already sent this meta on the new join; do not send it twice.
    if (!wasJoined) return meta === null ? 'ok' : this.#joinTracks.get(channel) ?? 'ok'
    // Only transports with presence get here (the hub refuses track() otherwise).
    if (meta === null) return channel.untrack ? channel.untrack() : 'error'
    return channel.track ? channel.track(meta) : 'error'
  }
}
