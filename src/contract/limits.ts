/**
 * Limits as data: what a transport's server can take ({@link TransportInfo}, the record the hub
 * sends tabs in their welcome) checked by the same functions in the tab, before it calls, and in
 * the hub, which trusts no tab. A channel using a feature the server lacks fails `unsupported`; a
 * topic, event, payload or presence meta over the server's limits fails `bad-input` with the sizes,
 * before anything reaches the shared connection (one oversized frame makes a server drop the
 * socket every tab shares, and presence is re-sent on every rejoin: a reconnect loop).
 * DOM-free and worker-free: it compiles under both libs.
 */
import { RelayError } from './errors.ts'
import type { Json, Outgoing, Subscription, TransportInfo } from './protocol.ts'

const encoder = new TextEncoder()

/**
 * The UTF-8 length of `text`: the unit of every byte limit (validate.ts counts with it too).
 * @example
 * bytes('é') // 2
 */
export function bytes(text: string): number {
  return encoder.encode(text).length
}

function jsonBytes(value: Json | undefined): number {
  return value === undefined ? 0 : bytes(JSON.stringify(value))
}

function size(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} bytes`
}

// One message for every size limit: what, its size, the limit, what to do.
function over(what: string, n: number, max: number, where: string, fix: string): RelayError {
  return new RelayError('bad-input', `${what} is ${size(n)}; ${where} takes at most ${size(max)}. ${fix}`)
}

const short = (text: string): string => `'${text.slice(0, 24)}'`

/**
 * Refuses a topic over the server's limit. `where` names the server in the message.
 * @example
 * checkTopicFor(welcome.transport, 'this server', 'room:1') // returns 'room:1'
 */
export function checkTopicFor(info: Pick<TransportInfo, 'maxTopicBytes'>, where: string, topic: string): string {
  const n = bytes(topic)
  if (n > info.maxTopicBytes) throw over(`topic ${short(topic)}`, n, info.maxTopicBytes, where, 'Shorten it')
  return topic
}

/**
 * Refuses an event name over the server's limit, or one the server's framing reserves for its own
 * control frames (an inbox reads `{type: 'unsubscribe'}` as "leave the conversation").
 * @example
 * checkEventFor(inboxInfo, "the 'inbox' transport", 'TEXT') // 'TEXT'
 * checkEventFor(inboxInfo, "the 'inbox' transport", 'unsubscribe') // throws bad-input
 */
export function checkEventFor(info: Pick<TransportInfo, 'maxEventBytes' | 'reservedEvents'>, where: string, event: string): string {
  const n = bytes(event)
  if (n > info.maxEventBytes) throw over(`event ${short(event)}`, n, info.maxEventBytes, where, 'Shorten it')
  if (info.reservedEvents?.includes(event) === true) throw new RelayError('bad-input', `event '${event}' is a control frame of ${where}, which would act on the connection every tab shares; name your event otherwise`)
  return event
}

/**
 * Refuses a subscription the transport cannot serve.
 * @example
 * checkSubscriptionFor(transport.capabilities, "the 'inbox' transport", sub) // throws for config.private on a plain WebSocket
 */
export function checkSubscriptionFor(info: TransportInfo, where: string, sub: Subscription): void {
  checkTopicFor(info, where, sub.topic)
  const lacks = (feature: string): RelayError => new RelayError('unsupported', `${where} has no ${feature}`)
  if (sub.config.private === true && !info.privateTopics) throw lacks('private channels; drop config.private')
  for (const binding of sub.bindings) {
    if (binding.type === 'postgres_changes' && !info.postgresChanges) throw lacks('postgres_changes; listen to its messages instead')
    if (binding.type === 'presence' && !info.presence) throw lacks('presence')
    // Listening is no control frame: only the size applies.
    if (binding.type === 'broadcast' && binding.event !== '*') checkEventFor({ maxEventBytes: info.maxEventBytes }, where, binding.event)
  }
}

/**
 * Refuses a send over the transport's limits, with the sizes in the message.
 * @example
 * checkSendFor(caps, "the 'supabase' transport", { type: 'broadcast', event: 'big', payload }) // "payload is 4.2 MB; the 'supabase' transport takes at most 2.9 MB. …"
 */
export function checkSendFor(info: TransportInfo, where: string, message: Outgoing): void {
  checkEventFor(info, where, message.event)
  const n = jsonBytes(message.payload)
  if (n > info.maxPayloadBytes) throw over('payload', n, info.maxPayloadBytes, where, 'Send a reference (an id or URL) instead')
}

/**
 * Refuses `track()` on a transport without presence (`unsupported`), or a meta larger than the
 * server takes (`bad-input`): presence is re-sent on every rejoin, so an oversized one would drop
 * the shared socket again after each reconnect.
 * @example
 * checkTrackFor(caps, "the 'supabase' transport", { typing: true })
 */
export function checkTrackFor(info: TransportInfo, where: string, meta: { [key: string]: Json }): void {
  if (!info.presence) throw new RelayError('unsupported', `${where} has no presence; send a message instead`)
  const limit = info.maxMetaBytes ?? info.maxPayloadBytes
  const n = jsonBytes(meta)
  if (n > limit) throw over('the presence meta', n, limit, where, 'Track a small state; send larger data as a message')
}
