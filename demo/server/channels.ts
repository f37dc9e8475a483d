/**
 * The registry of joined channels (one per socket × topic, like Phoenix) and the small helpers every
 * handler uses to answer on a channel.
 */
import type { OutFrame, Vsn } from './serializer.ts'
import type { Claims } from './tokens.ts'
import type { PgBinding } from './postgres.ts'

/**
 * What a channel needs from its socket: identity, serializer version and a way to send.
 *
 * @example
 * const peer: Peer = { id: 's1', vsn: '2.0.0', push: (f) => log(f), pushBinary: (b) => log(b) }
 */
export interface Peer {
  readonly id: string
  readonly vsn: Vsn
  push(frame: OutFrame): void
  pushBinary(frame: Buffer): void
}

/**
 * One joined channel; `key` is the namespace key shared by every channel of the same topic and privacy.
 *
 * @example
 * registry.byKey(channel.key).length // channels in the same namespace, across sockets
 */
export interface Channel {
  readonly peer: Peer
  readonly topic: string
  readonly key: string
  readonly isPrivate: boolean
  readonly joinRef: string
  readonly isSelf: boolean
  readonly isAck: boolean
  readonly presenceKey: string
  isPresenceEnabled: boolean
  bindings: PgBinding[]
  token: string
  claims: Claims
  /** Cancels the pending token-expiry check. */
  cancelExpiry: () => void
}

/**
 * Namespace key of a topic: private channels are prefixed `private:` so they never meet public ones.
 *
 * @example
 * namespaceKey('realtime:room', true) // 'private:realtime:room'
 */
export function namespaceKey(topic: string, isPrivate: boolean): string {
  return isPrivate ? `private:${topic}` : topic
}

/**
 * Joined channels indexed by socket and by namespace.
 *
 * @example
 * const registry = new ChannelRegistry(); registry.add(channel); registry.find('s1', 'realtime:room')
 */
export class ChannelRegistry {
  #byPeer = new Map<string, Map<string, Channel>>()
  #byKey = new Map<string, Set<Channel>>()

  /** Register a channel; the caller has already closed any older channel of the same socket × topic. */
  add(channel: Channel): void {
    const mine = this.#byPeer.get(channel.peer.id) ?? new Map<string, Channel>()
    mine.set(channel.topic, channel)
    this.#byPeer.set(channel.peer.id, mine)
    const members = this.#byKey.get(channel.key) ?? new Set<Channel>()
    members.add(channel)
    this.#byKey.set(channel.key, members)
  }

  /** Forget a channel; a no-op when it is already gone. */
  remove(channel: Channel): void {
    const mine = this.#byPeer.get(channel.peer.id)
    if (mine?.get(channel.topic) === channel) mine.delete(channel.topic)
    if (mine?.size === 0) this.#byPeer.delete(channel.peer.id)
    const members = this.#byKey.get(channel.key)
    members?.delete(channel)
    if (members?.size === 0) this.#byKey.delete(channel.key)
  }

  /** The channel a socket holds on a topic, if any. */
  find(peerId: string, topic: string): Channel | undefined {
    return this.#byPeer.get(peerId)?.get(topic)
  }

  /** Every channel of one socket. */
  ofPeer(peerId: string): Channel[] {
    return [...(this.#byPeer.get(peerId)?.values() ?? [])]
  }

  /** Every channel of one namespace, across sockets. */
  byKey(key: string): Channel[] {
    return [...(this.#byKey.get(key) ?? [])]
  }

  /** Every joined channel. */
  all(): Channel[] {
    return [...this.#byKey.values()].flatMap((members) => [...members])
  }

  /** Joined channels per namespace key, for /stats. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#byKey].map(([key, members]) => [key, members.size]))
  }
}

/**
 * Answer a push with `phx_reply`, echoing its refs exactly (trap 3).
 *
 * @example
 * reply(peer, { joinRef: '1', ref: '3', topic: 'realtime:room' }, 'ok', {})
 */
export function reply(
  peer: Peer,
  to: { joinRef: string | null; ref: string | null; topic: string },
  status: 'ok' | 'error',
  response: unknown,
): void {
  peer.push({ joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: 'phx_reply', payload: { status, response } })
}

/**
 * Push a server-initiated message on a joined channel (its join_ref, no ref).
 *
 * @example
 * pushOn(channel, 'presence_state', {})
 */
export function pushOn(channel: Channel, event: string, payload: Record<string, unknown>): void {
  channel.peer.push({ joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload })
}

/**
 * Send `phx_close` with ref = join_ref, the only form the client accepts (RC `_notThisChannelEvent`).
 *
 * @example
 * sendClose(channel)
 */
export function sendClose(channel: Channel): void {
  channel.peer.push({ joinRef: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event: 'phx_close', payload: {} })
}

/**
 * Push a `system` message; `channel` is the topic without its `realtime:` prefix.
 *
 * @example
 * pushSystem(channel, 'postgres_changes', 'ok', 'Subscribed to PostgreSQL')
 */
export function pushSystem(channel: Channel, extension: string, status: 'ok' | 'error', message: string): void {
  const name = channel.topic.replace(/^realtime:/, '')
  pushOn(channel, 'system', { extension, status, message, channel: name })
}
