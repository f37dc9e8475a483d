/**
 * The topic rules of a transport whose server subscription is just a topic name (WebSocket, SSE,
 * Socket.IO): one server subscription per topic, and it serves every listener of that topic, so
 * a tab's new listeners never need a rejoin. One module, so the three transports cannot drift.
 */
import type { Subscription } from '../../src/contract/protocol.ts'
import type { Transport } from './transport.ts'

/**
 * A server subscription that names its topic and nothing else.
 * @example
 * const spec: TopicSpec = { topic: 'room:1' }
 */
export interface TopicSpec {
  topic: string
}

/**
 * `key`, `merge` and `covers` for a transport whose subscription names only the topic.
 * @example
 * class RoomTransport implements Transport<TopicSpec> {
 *   readonly key = byTopic.key
 *   readonly merge = byTopic.merge
 *   readonly covers = byTopic.covers
 * }
 */
export const byTopic: Pick<Transport<TopicSpec>, 'key' | 'merge' | 'covers'> = {
  key: (sub: Subscription): string => sub.topic,
  merge: (subs: readonly Subscription[]): TopicSpec => ({ topic: subs[0]?.topic ?? '' }),
  // The subscription names the topic only: every set of listeners is served by the one join.
  covers: (): boolean => true,
}
