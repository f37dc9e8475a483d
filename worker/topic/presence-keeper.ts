/**
 * Keeps the server's presence for one connection in line with its tabs' `track()` calls (merged by
 * the pure rules of `tracks.ts`, held by each {@link Topic}): one meta per user and topic, re-sent
 * after every rejoin.
 */
import type { Json, SendResult } from '../../src/contract/protocol.ts'
import type { Topic } from './topic.ts'
import type { TransportChannel } from '../transports/transport.ts'

/**
 * Resolves with the topic's channel once it is joined, or `null` when it is not in time.
 * @example
 * const whenJoined: WhenJoined = (topic) => topic.whenJoined(clock, 8_000)
 */
export type WhenJoined = (topic: Topic) => Promise<TransportChannel | null>

/**
 * Applies merged presence to server channels.
 * @example
 * const keeper = new PresenceKeeper((topic) => topic.whenJoined(clock, joinWaitMs))
 * keeper.record(topic, 'tab-1', { typing: true }); await keeper.apply(topic) // 'ok'
 */
export class PresenceKeeper {
  readonly #whenJoined: WhenJoined

  constructor(whenJoined: WhenJoined) {
    this.#whenJoined = whenJoined
  }

  /** Records a tab's track; call {@link apply} after the topic's spec is current. */
  record(topic: Topic, tabId: string, meta: { [key: string]: Json }): void {
    topic.track(tabId, meta)
  }

  /** Forgets a tab's track (untrack) and applies the result. */
  untrack(topic: Topic, tabId: string): Promise<SendResult> {
    topic.untrack(tabId)
    return this.apply(topic)
  }

  /** Forgets a tab that left the topic or went away, if it tracked there. */
  forgetTab(topic: Topic, tabId: string): void {
    if (topic.tracks.some((t) => t.tabId === tabId)) void this.untrack(topic, tabId)
  }

  /** Sends the merged meta to the server when it changed. */
  async apply(topic: Topic): Promise<SendResult> {
    const claimed = topic.claimMeta()
    if (!claimed) return 'ok'
    const { meta } = claimed
    const wasJoined = topic.isJoined
    const channel = await this.#whenJoined(topic)
    if (!channel) return 'timed out'
    if (!topic.holds(meta)) return 'ok' // a newer track superseded this one
    // Joined meanwhile: the join re-sent this meta (Topic.retrack); do not send it twice.
    if (!wasJoined) return meta === null ? 'ok' : topic.joinTrackOf(channel) ?? 'ok'
    // Only transports with presence get here (the hub refuses track() otherwise).
    if (meta === null) return channel.untrack ? channel.untrack() : 'error'
    return channel.track ? channel.track(meta) : 'error'
  }
}
