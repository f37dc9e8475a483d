/**
 * A plain WebSocket as a tabrelay transport: ONE user-level socket per identity, frames routed to
 * topics by a function of the app's (e.g. by `conversation_id` on a Django Channels inbox), no
 * presence, postgres_changes, private topics or acks. Retry, rejoin and the bounded send queue
 * belong to the hub; an attempt is one socket.
 */
import type { ConnectionTarget } from '../../../src/contract/protocol.ts'
import { systemClock } from '../../../src/contract/clock.ts'
import { defaultIdentity, type IdentityRule } from '../../connection/claims.ts'
import type { Capabilities, OpenOptions, Transport, TransportConnection } from '../transport.ts'
import { ByTopic } from '../by-topic.ts'
import { WebSocketAttempt, type WebSocketSpec } from './attempt.ts'
import { resolveOptions, type WebSocketSettings, type WebSocketTransportOptions } from './options.ts'

export type { WebSocketSpec } from './attempt.ts'
export type { Codec, CloseCodes, PingOptions, Routed, WebSocketTransportOptions } from './options.ts'
export { JSON_CODEC, isObject, tokenUrl } from './options.ts'
export { inboxFrames, INBOX_CONTROL_EVENTS, type InboxFrameOptions } from './inbox.ts'
export type { ResumeOptions } from './resume.ts'

/**
 * What a plain WebSocket server offers unless the app says otherwise. The limits fit the Django
 * inbox (ids up to 256 characters; daphne's default frame limit is 1 MB).
 */
export const WEBSOCKET_CAPABILITIES: Capabilities = {
  presence: false, postgresChanges: false, privateTopics: false, acks: false, echoesToSender: false,
  maxTopicBytes: 256, maxEventBytes: 64, maxPayloadBytes: 1_000_000,
}

class WebSocketTransport extends ByTopic implements Transport<WebSocketSpec> {
  readonly capabilities: Capabilities
  readonly #settings: WebSocketSettings
  readonly #identity: IdentityRule
  readonly appliesTokenInPlace: boolean

  constructor(options: WebSocketTransportOptions) {
    super()
    this.#settings = resolveOptions(options, options.clock ?? systemClock)
    this.#identity = { claim: options.identityClaim ?? ['user_id', 'sub'] }
    // Only an auth frame shows the server a new token on the open socket (its URL cannot change).
    this.appliesTokenInPlace = options.authFrame !== undefined
    const capabilities = { ...WEBSOCKET_CAPABILITIES, echoesToSender: this.#settings.echoesToSender, ...options.capabilities }
    const reserved = [...(capabilities.reservedEvents ?? []), ...(options.reservedEvents ?? [])]
    this.capabilities = reserved.length > 0 ? { ...capabilities, reservedEvents: [...new Set(reserved)] } : capabilities
  }

  identify(target: ConnectionTarget, token: string | null): string {
    // An explicit identity (cookie auth) wins, else the JWT's identity claim, else the token's digest.
    return defaultIdentity(target, token, this.#identity)
  }

  open(options: OpenOptions): TransportConnection<WebSocketSpec> {
    return new WebSocketAttempt(options, this.#settings)
  }
}

/**
 * The plain WebSocket transport; name it in the worker's `serveHub({ transports })`.
 * @example
 * // relay.worker.ts (a Django Channels inbox at /ws/inbox/)
 * serveHub({ connectTimeoutMs: 5_000, transports: { inbox: websocketTransport({ ...inboxFrames(), echoesToSender: true }) } })
 */
export function websocketTransport(options: WebSocketTransportOptions = {}): Transport<WebSocketSpec> {
  return new WebSocketTransport(options)
}
