/**
 * The topic rules of a transport whose server subscription is just a topic name (WebSocket, SSE,
 * Socket.IO): one server subscription per topic, and it serves every listener of that topic, so
 * a tab's new listeners never need a rejoin. One class the three extend, so they cannot drift.
 */
import type { Subscription } from '../../src/contract/protocol.ts'

/**
 * A server subscription that names its topic and nothing else.
 * @example
 * const spec: TopicSpec = { topic: 'room:1' }
 */
export interface TopicSpec {
  topic: string
}

/**
 * `key`, `merge` and `covers` of a transport whose subscription names only the topic.
 * @example
 * class RoomTransport extends ByTopic implements Transport<TopicSpec> { … }
 */
export class ByTopic {
  key(sub: Subscription): string {
    return sub.topic
  }

  merge(subs: readonly Subscription[]): TopicSpec {
    return { topic: subs[0]?.topic ?? '' }
  }

  // The subscription names the topic only: every set of listeners is served by the one join.
  covers(): boolean {
    return true
  }
}
