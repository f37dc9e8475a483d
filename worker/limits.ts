/**
 * What a transport cannot do, refused in the tab that asked: a channel using a feature the server
 * lacks fails `unsupported`, a topic, event or payload over the server's limits fails `bad-input`
 * with the sizes, before anything reaches the shared connection (one oversized frame would make
 * the server drop the socket every tab shares).
 */
import { RelayError } from '../src/contract/errors.ts'
import type { Outgoing, Subscription } from '../src/contract/protocol.ts'
import type { Capabilities } from './transports/transport.ts'

const encoder = new TextEncoder()

function bytes(text: string): number {
  return encoder.encode(text).length
}

function size(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} bytes`
}

/**
 * Refuses a subscription the transport cannot serve.
 * @example
 * checkSubscriptionFor(transport.capabilities, 'inbox', sub) // throws for config.private on a plain WebSocket
 */
export function checkSubscriptionFor(caps: Capabilities, name: string, sub: Subscription): void {
  if (bytes(sub.topic) > caps.maxTopicBytes) {
    throw new RelayError('bad-input', `topic '${sub.topic.slice(0, 24)}…' is ${bytes(sub.topic)} UTF-8 bytes; the ${name} transport takes at most ${caps.maxTopicBytes}`)
  }
  if (sub.config.private === true && !caps.privateTopics) {
    throw new RelayError('unsupported', `the ${name} transport has no private channels; drop config.private`)
  }
  for (const binding of sub.bindings) {
    if (binding.type === 'postgres_changes' && !caps.postgresChanges) {
      throw new RelayError('unsupported', `the ${name} transport has no postgres_changes; listen to its messages instead`)
    }
    if (binding.type === 'presence' && !caps.presence) {
      throw new RelayError('unsupported', `the ${name} transport has no presence`)
    }
    if (binding.type === 'broadcast' && binding.event !== '*' && bytes(binding.event) > caps.maxEventBytes) {
      throw new RelayError('bad-input', `event '${binding.event.slice(0, 24)}…' is longer than the ${name} transport's ${caps.maxEventBytes} bytes`)
    }
  }
}

/**
 * Refuses a send over the transport's limits, with the sizes in the message.
 * @example
 * checkSendFor(caps, 'supabase', { type: 'broadcast', event: 'big', payload }) // "payload is 4.2 MB; this server accepts 3.0 MB"
 */
export function checkSendFor(caps: Capabilities, name: string, message: Outgoing): void {
  if (bytes(message.event) > caps.maxEventBytes) {
    throw new RelayError('bad-input', `event '${message.event.slice(0, 24)}…' is ${bytes(message.event)} UTF-8 bytes; the ${name} transport takes at most ${caps.maxEventBytes}`)
  }
  const payload = message.payload === undefined ? 0 : bytes(JSON.stringify(message.payload))
  if (payload > caps.maxPayloadBytes) {
    throw new RelayError('bad-input', `payload is ${size(payload)}; this server accepts ${size(caps.maxPayloadBytes)} (the ${name} transport's limit). Send a reference (an id or URL) instead`)
  }
}

/**
 * Refuses presence on a transport without it.
 * @example
 * checkPresenceFor(caps, 'inbox') // throws unsupported
 */
export function checkPresenceFor(caps: Capabilities, name: string): void {
  if (!caps.presence) throw new RelayError('unsupported', `the ${name} transport has no presence; send a message instead`)
}
