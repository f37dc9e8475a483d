/**
 * Server-Sent Events as a tabrelay transport: the hub in the SharedWorker reads ONE stream per
 * topic (or one for all of a user's topics) for every tab, so per-tab EventSources no longer eat
 * the browser's 6 HTTP/1.1 connections per origin. Sends are HTTP POSTs; every re-opened stream
 * resumes after the last event id it saw (`?last_event_id=`), the server's `retry:` is the floor of
 * the hub's backoff. Defaults fit nginx + nchan (`/sub/<id>`, `/pub/<id>`) and the demo server.
 */
import { systemClock } from '../../../src/contract/clock.ts'
import type { ConnectionTarget } from '../../../src/contract/protocol.ts'
import { defaultIdentity } from '../../connection/claims.ts'
import type { Capabilities, OpenOptions, Transport, TransportConnection } from '../transport.ts'
import { ByTopic } from '../by-topic.ts'
import { SseAttempt, type SseSpec } from './attempt.ts'
import { resolveOptions, type ResolvedSseOptions, type SseTransportOptions } from './options.ts'

export type { SseSpec } from './attempt.ts'
export type { SseTransportOptions, SseMode } from './options.ts'
export type { Decoded, StreamEvent } from './codec.ts'
export { decodeEvent, encodeEvent } from './codec.ts'

/**
 * What an SSE pub/sub server does: no presence, postgres_changes or private topics; a publish's
 * 2xx is its ack; a stream delivers a tab's own publish back (so the hub does no local echo).
 * Limits: nchan's channel ids and nginx's default body limit of the test servers (64 KiB).
 */
export const SSE_CAPABILITIES: Capabilities = {
  presence: false, postgresChanges: false, privateTopics: false, acks: true, echoesToSender: true,
  maxTopicBytes: 200, maxEventBytes: 255, maxPayloadBytes: 64 * 1024,
}

class SseTransport extends ByTopic implements Transport<SseSpec> {
  readonly capabilities: Capabilities
  readonly #options: ResolvedSseOptions

  constructor(options: SseTransportOptions, capabilities: Partial<Capabilities>) {
    super()
    this.#options = resolveOptions(options, options.clock ?? systemClock)
    this.capabilities = { ...SSE_CAPABILITIES, ...capabilities }
  }

  identify(target: ConnectionTarget, token: string | null): string {
    return defaultIdentity(target, token, { claim: this.#options.identityClaim })
  }

  open(options: OpenOptions): TransportConnection<SseSpec> {
    return new SseAttempt(this.#options, options)
  }
}

/**
 * The SSE transport, named by tabs as `'sse'` when the worker names it so.
 * @example
 * // relay.worker.ts
 * serveHub({ transports: { sse: sseTransport({ credentials: 'include' }) } })
 * // tab
 * createRelay({ transport: 'sse', endpoint: 'https://example.com/realtime', identity: userId, worker })
 */
export function sseTransport(options: SseTransportOptions = {}, capabilities: Partial<Capabilities> = {}): Transport<SseSpec> {
  return new SseTransport(options, capabilities)
}
