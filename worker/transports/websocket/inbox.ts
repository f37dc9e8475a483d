/**
 * The frames of a Django Channels inbox (`/ws/inbox/`, test/servers/README.md): frames carry
 * `conversation_id` for routing, subscribe frames join a conversation, `ping` is answered `pong`,
 * and `group_send` echoes every frame to the sender's own socket too. Frames without a
 * conversation (`NOTIFY`, `error`) go to the user topic.
 */
import type { Json } from '../../../src/contract/protocol.ts'
import { isObject, type Routed, type WebSocketTransportOptions } from './options.ts'
import type { ResumeOptions } from './resume.ts'

/**
 * Options of {@link inboxFrames}.
 * @example
 * inboxFrames({ topicPrefix: 'conversation:' }) // topic 'conversation:42' ↔ conversation_id '42'
 */
export interface InboxFrameOptions {
  /** Topic = prefix + `conversation_id`. Default `''` (the topic is the conversation id). */
  topicPrefix?: string
  /** Where user-level frames go. Default `'user'`. */
  userTopic?: string
  /** Default 25 000; 0 turns keep-alive off. */
  pingIntervalMs?: number
  /** Default 10 000. */
  pongTimeoutMs?: number
  /**
   * The server replays with `since` (test/servers/README.md): subscribe frames carry the last
   * `message_id` seen, a `replayed` frame ends the replay. Default false: a server without it
   * would never send `replayed`.
   */
  replay?: boolean
}

/**
 * The inbox's control frame types, refused as event names of a tab's send.
 * @example
 * websocketTransport({ ...inboxFrames(), reservedEvents: [...INBOX_CONTROL_EVENTS, 'notify'] })
 */
export const INBOX_CONTROL_EVENTS: readonly string[] = ['subscribe', 'unsubscribe', 'ping', 'pong']

const typeOf = (frame: Json): string | null => (isObject(frame) && typeof frame['type'] === 'string' ? frame['type'] : null)

/**
 * Transport options for the inbox contract; spread them and override what differs.
 * @example
 * websocketTransport({ ...inboxFrames({ topicPrefix: 'conversation:' }), closeCodes: { fatal: [4400] } })
 * // tab: relay.topic('conversation:42').on('TEXT', (frame) => show(frame.sender_name, frame.message))
 * // tab: await relay.topic('conversation:42').send('TEXT', { message: 'hi' })  → {type:'TEXT', conversation_id:'42', message:'hi'}
 */
export function inboxFrames(options: InboxFrameOptions = {}): WebSocketTransportOptions {
  const prefix = options.topicPrefix ?? ''
  const userTopic = options.userTopic ?? 'user'
  const conversationOf = (topic: string): string | null => (topic !== userTopic && topic.startsWith(prefix) && topic.length > prefix.length ? topic.slice(prefix.length) : null)
  const pingIntervalMs = options.pingIntervalMs ?? 25_000
  return {
    userTopic,
    echoesToSender: true,
    // A frame's `type` is its event: these would be read as the server's own control frames
    // (an `unsubscribe` would silently stop the conversation for every tab of the user).
    reservedEvents: INBOX_CONTROL_EVENTS,
    closeCodes: { unauthorized: [4401, 4403] },
    route(frame: Json): Routed | null {
      const type = typeOf(frame)
      if (type === null || type === 'pong' || !isObject(frame)) return null
      const id = frame['conversation_id']
      return { topic: typeof id === 'string' ? prefix + id : null, event: type, payload: frame }
    },
    encode(topic: string, event: string, payload: Json): Json | null {
      if (!isObject(payload)) return null
      if (topic === userTopic) return { ...payload, type: event }
      const id = conversationOf(topic)
      return id === null ? null : { ...payload, type: event, conversation_id: id }
    },
    subscribe: (topic) => {
      const id = conversationOf(topic)
      return id === null ? null : { type: 'subscribe', conversation_id: id }
    },
    unsubscribe: (topic) => {
      const id = conversationOf(topic)
      return id === null ? null : { type: 'unsubscribe', conversation_id: id }
    },
    ...(options.replay === true ? { resume: inboxResume(conversationOf, prefix) } : {}),
    ...(pingIntervalMs > 0 ? {
      ping: { frame: { type: 'ping' }, intervalMs: pingIntervalMs, timeoutMs: options.pongTimeoutMs ?? 10_000, isPong: (frame: Json) => typeOf(frame) === 'pong' },
    } : {}),
  }
}

// `{type:'subscribe', conversation_id, since}`; a TEXT's integer `message_id` is its cursor;
// `{type:'replayed', conversation_id, is_complete, last_message_id}` ends a replay.
function inboxResume(conversationOf: (topic: string) => string | null, prefix: string): ResumeOptions {
  return {
    subscribe: (topic, since) => {
      const id = conversationOf(topic)
      return id === null ? null : { type: 'subscribe', conversation_id: id, since }
    },
    cursorOf: (frame) => (isObject(frame) && frame['type'] === 'TEXT' && typeof frame['message_id'] === 'number' ? frame['message_id'] : null),
    replayed: (frame) => {
      if (!isObject(frame) || frame['type'] !== 'replayed' || typeof frame['conversation_id'] !== 'string') return null
      const last = frame['last_message_id']
      return { topic: prefix + frame['conversation_id'], isComplete: frame['is_complete'] === true, last: typeof last === 'number' ? last : null }
    },
  }
}
