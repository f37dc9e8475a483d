/**
 * Broadcast fan-out (REALTIME_PROTOCOL.md §3.2): user broadcasts go out as kind-4 frames to vsn 2.0.0
 * sockets and as JSON to vsn 1.0.0 ones; JSON broadcasts go out as text to everyone.
 */
import { reply, type Channel } from './channels.ts'
import type { Context } from './context.ts'
import { isRecord } from './postgres.ts'
import { persistTtl } from './replay.ts'
import { encodeUserBroadcast, type Frame, type UserBroadcast } from './serializer.ts'

/**
 * A user broadcast to fan out; refs are irrelevant once it leaves the sender.
 *
 * @example
 * const msg: Outgoing = { topic: 'realtime:room', event: 'msg', metadata: '', encoding: 1, payload: Buffer.from('{}') }
 */
export type Outgoing = Omit<UserBroadcast, 'joinRef' | 'ref'>

/**
 * Deliver a user broadcast to a namespace, skipping `sender` unless it joined with `self`; returns the
 * number of channels reached.
 *
 * @example
 * fanOutUser(ctx, 'realtime:room', msg) // from the REST single endpoint: no sender
 */
export function fanOutUser(ctx: Context, key: string, msg: Outgoing, sender?: Channel): number {
  const binary = encodeUserBroadcast(msg)
  const json = msg.encoding === 1 ? v1UserBroadcast(msg) : null
  let reached = 0
  for (const channel of recipients(ctx, key, sender)) {
    if (channel.peer.vsn === '2.0.0' && binary !== null) channel.peer.pushBinary(binary)
    // vsn 1.0.0 has no binary frames: raw-byte payloads are silently not delivered there (§1.3).
    else if (channel.peer.vsn === '1.0.0' && json !== null) channel.peer.push({ ...json, topic: channel.topic })
    else continue
    reached++
  }
  return reached
}

function v1UserBroadcast(msg: Outgoing): Omit<Frame, 'payload'> & { payload: Record<string, unknown> } | null {
  let payload: unknown
  try {
    payload = JSON.parse(msg.payload.toString('utf8'))
  } catch {
    return null
  }
  const body: Record<string, unknown> = { event: msg.event, payload, type: 'broadcast' }
  if (msg.metadata !== '') body['meta'] = safeParse(msg.metadata)
  return { joinRef: null, ref: null, topic: msg.topic, event: 'broadcast', payload: body }
}

/**
 * Deliver a JSON broadcast payload (`{type, event, payload, …}`) as text to a namespace.
 *
 * @example
 * fanOutJson(ctx, 'realtime:room', { type: 'broadcast', event: 'msg', payload: { a: 1 } })
 */
export function fanOutJson(ctx: Context, key: string, payload: Record<string, unknown>, sender?: Channel): number {
  const members = recipients(ctx, key, sender)
  for (const channel of members) {
    channel.peer.push({ joinRef: null, ref: null, topic: channel.topic, event: 'broadcast', payload })
  }
  return members.length
}

function recipients(ctx: Context, key: string, sender: Channel | undefined): Channel[] {
  return ctx.channels.byKey(key).filter((c) => c !== sender || sender.isSelf)
}

/**
 * Handle a binary kind-3 push on its channel: fan out, then ack if the channel asked for acks.
 *
 * @example
 * onUserBroadcast(ctx, channel, decoded)
 */
export function onUserBroadcast(ctx: Context, channel: Channel, msg: UserBroadcast): void {
  const metadata = storeIfPersisted(ctx, channel.key, channel.isPrivate, safeParse(msg.metadata), msg)
  fanOutUser(ctx, channel.key, { ...msg, topic: channel.topic, metadata }, channel)
  if (channel.isAck) reply(channel.peer, msg, 'ok', {})
}

/**
 * Handle a JSON `broadcast` push (vsn 1.0.0, or an ArrayBuffer payload in vsn 2.0.0).
 *
 * @example
 * onJsonBroadcast(ctx, channel, frame)
 */
export function onJsonBroadcast(ctx: Context, channel: Channel, frame: Frame): void {
  if (!isRecord(frame.payload)) {
    reply(channel.peer, frame, 'error', { reason: 'Broadcast payload must be a map' })
    return
  }
  fanOutJson(ctx, channel.key, frame.payload, channel)
  if (channel.isAck) reply(channel.peer, frame, 'ok', {})
}

/**
 * Stores a broadcast whose sender asked for `persist` (metadata `{persist}` of a kind-3 frame, or the
 * REST `persist` query) when its channel is private; returns the metadata its live copies carry:
 * `{"id": …}` when stored, none otherwise.
 *
 * @example
 * const metadata = storeIfPersisted(ctx, 'private:realtime:room', true, { persist: true }, msg)
 */
export function storeIfPersisted(
  ctx: Context,
  key: string,
  isPrivate: boolean,
  meta: unknown,
  msg: { event: string; encoding: 0 | 1; payload: Buffer },
): string {
  const ttl = isPrivate && isRecord(meta) ? persistTtl(meta['persist'], ctx.replay.maxTtlS) : null
  if (ttl === null) return ''
  return JSON.stringify({ id: ctx.replay.put(key, msg, ttl) })
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
