/**
 * `phx_join` (REALTIME_PROTOCOL.md §2): checks, token verification, registration, then the reply and the
 * messages that must follow it in order (presence_state, postgres system message).
 */
import { randomUUID } from 'node:crypto'
import { pushOn, pushSystem, reply, sendClose, namespaceKey, type Channel, type Peer } from './channels.ts'
import type { Context } from './context.ts'
import { armExpiry, teardown } from './lifecycle.ts'
import { isRecord, parseBindings, type ParsedBindings } from './postgres.ts'
import { encodeUserBroadcast, type Frame } from './serializer.ts'
import { parseReplay, type StoredMessage } from './replay.ts'
import type { Claims } from './tokens.ts'

/** Real server default `max_channels_per_client`. */
export const MAX_CHANNELS_PER_SOCKET = 100
// Topics must fit a binary frame header (u8 length), or broadcasts on them could not be encoded.
const MAX_TOPIC_BYTES = 255

/**
 * A socket as the join handler sees it: its apikey is the fallback token (trap 8).
 *
 * @example
 * const peer: JoinPeer = connection
 */
export interface JoinPeer extends Peer {
  readonly apikey: string
  readonly isOpen: boolean
  /** Record the claims of the latest verified token (for `sub` in /stats). */
  noteClaims(claims: Claims): void
}

/**
 * Handle a `phx_join`; error replies are delayed by `ctx.joinErrorDelayMs` like the real server's backoff.
 *
 * @example
 * await handleJoin(ctx, connection, frame)
 */
export async function handleJoin(ctx: Context, peer: JoinPeer, frame: Frame): Promise<void> {
  const refusal = precheck(ctx, peer, frame.topic)
  if (refusal !== null) return refuse(ctx, peer, frame, refusal)
  const payload = isRecord(frame.payload) ? frame.payload : {}
  const existing = ctx.channels.find(peer.id, frame.topic)
  if (existing !== undefined) {
    // Phoenix closes the old channel first; the client drops this phx_close (stale join_ref).
    sendClose(existing)
    teardown(ctx, existing)
  }
  const token = pickToken(payload, peer.apikey)
  const check = await ctx.tokens.verify(token)
  // The socket may have closed while the token was being verified.
  if (!peer.isOpen) return
  if (!check.ok) return refuse(ctx, peer, frame, `${check.code}: ${check.message}`)
  peer.noteClaims(check.claims)
  const config = isRecord(payload['config']) ? payload['config'] : {}
  const parsed = parseBindings(config['postgres_changes'])
  const channel = buildChannel(peer, frame, config, parsed, { token, claims: check.claims })
  const replay = parseReplay(isRecord(config['broadcast']) ? config['broadcast']['replay'] : undefined, channel.isPrivate)
  if (replay !== null && 'refusal' in replay) return refuse(ctx, peer, frame, replay.refusal)
  ctx.channels.add(channel)
  ctx.counters.joinsTotal++
  armExpiry(ctx, channel)
  reply(peer, frame, 'ok', { postgres_changes: parsed.echoed })
  afterJoin(ctx, channel, parsed.errors)
  // Read at join, sent after the reply and presence_state (as the real server's `{:replay, …}`).
  if (replay !== null) for (const message of ctx.replay.since(channel.key, replay.since, replay.limit)) pushReplayed(channel, message)
}

function pushReplayed(channel: Channel, message: StoredMessage): void {
  const meta = { replayed: true, id: message.id }
  if (message.encoding === 1) {
    const payload: unknown = JSON.parse(message.payload.toString('utf8'))
    pushOn(channel, 'broadcast', { payload, event: message.event, type: 'broadcast', meta })
    return
  }
  // Raw bytes go as a kind-4 frame; vsn 1.0.0 cannot carry them and gets nothing (as the real server).
  const frame = encodeUserBroadcast({ topic: channel.topic, event: message.event, metadata: JSON.stringify(meta), encoding: 0, payload: message.payload })
  if (channel.peer.vsn === '2.0.0' && frame !== null) channel.peer.pushBinary(frame)
}

function precheck(ctx: Context, peer: Peer, topic: string): string | null {
  if (topic === 'realtime:') return 'TopicNameRequired: You must provide a topic name'
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) {
    return `TopicNameTooLong: A topic name must be at most ${MAX_TOPIC_BYTES} bytes`
  }
  const isNew = ctx.channels.find(peer.id, topic) === undefined
  if (isNew && ctx.channels.ofPeer(peer.id).length >= MAX_CHANNELS_PER_SOCKET) {
    return 'ChannelRateLimitReached: Too many channels'
  }
  return null
}

function refuse(ctx: Context, peer: Peer, frame: Frame, reason: string): void {
  const send = (): void => reply(peer, frame, 'error', { reason })
  if (ctx.joinErrorDelayMs > 0) setTimeout(send, ctx.joinErrorDelayMs).unref()
  else send()
}

// A missing token, or an `sb_` publishable key, means "use the socket's apikey" (§6.1).
function pickToken(payload: Record<string, unknown>, apikey: string): string {
  const token = payload['access_token'] ?? payload['user_token']
  return typeof token === 'string' && token !== '' && !token.startsWith('sb_') ? token : apikey
}

// Join payload defaults are shallow: missing booleans mean false, and "true" strings count (trap 17).
function flag(value: unknown): boolean {
  return value === true || value === 'true'
}

function buildChannel(
  peer: Peer,
  frame: Frame,
  config: Record<string, unknown>,
  parsed: ParsedBindings,
  auth: { token: string; claims: Claims },
): Channel {
  const broadcast = isRecord(config['broadcast']) ? config['broadcast'] : {}
  const presence = isRecord(config['presence']) ? config['presence'] : {}
  const key = presence['key']
  const isPrivate = flag(config['private'])
  return {
    peer,
    topic: frame.topic,
    key: namespaceKey(frame.topic, isPrivate),
    isPrivate,
    joinRef: frame.joinRef ?? frame.ref ?? '',
    isSelf: flag(broadcast['self']),
    isAck: flag(broadcast['ack']),
    // An empty key gets a fresh UUID per join, so anonymous clients get a new key after each rejoin.
    presenceKey: typeof key === 'string' && key !== '' ? key : randomUUID(),
    isPresenceEnabled: flag(presence['enabled']),
    bindings: parsed.bindings,
    token: auth.token,
    claims: auth.claims,
    cancelExpiry: () => undefined,
  }
}

function afterJoin(ctx: Context, channel: Channel, bindingErrors: string[]): void {
  if (channel.isPresenceEnabled) pushOn(channel, 'presence_state', ctx.presence.state(channel.key))
  for (const message of bindingErrors) pushSystem(channel, 'postgres_changes', 'error', message)
  if (channel.bindings.length > 0 && bindingErrors.length === 0) {
    pushSystem(channel, 'postgres_changes', 'ok', 'Subscribed to PostgreSQL')
  }
}
