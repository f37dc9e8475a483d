/**
 * Pushes on a joined channel other than binary broadcasts: `phx_leave`, JSON `broadcast`, `presence`,
 * `access_token`. Unknown events get no reply, like the real server (§2.5).
 */
import { onJsonBroadcast } from './broadcast.ts'
import { pushSystem, reply, sendClose, type Channel } from './channels.ts'
import type { Context } from './context.ts'
import type { JoinPeer } from './join.ts'
import { armExpiry, sendPresenceDiff, shutdown, teardown } from './lifecycle.ts'
import { isRecord } from './postgres.ts'
import type { Frame } from './serializer.ts'

/**
 * Dispatch one push addressed to a channel the socket has joined (join_ref already checked).
 *
 * @example
 * await handleChannelEvent(ctx, connection, channel, frame)
 */
export async function handleChannelEvent(ctx: Context, peer: JoinPeer, channel: Channel, frame: Frame): Promise<void> {
  switch (frame.event) {
    case 'phx_leave':
      reply(peer, frame, 'ok', {})
      sendClose(channel)
      teardown(ctx, channel)
      return
    case 'broadcast':
      return onJsonBroadcast(ctx, channel, frame)
    case 'presence':
      return onPresence(ctx, channel, frame)
    case 'access_token':
      return onAccessToken(ctx, peer, channel, frame)
    default:
      return
  }
}

function onPresence(ctx: Context, channel: Channel, frame: Frame): void {
  const payload = isRecord(frame.payload) ? frame.payload : {}
  const event = String(payload['event'] ?? '').toLowerCase()
  if (event === 'track') {
    const meta = payload['payload']
    if (!isRecord(meta)) {
      reply(channel.peer, frame, 'error', { reason: 'Presence track payload must be a map' })
      return
    }
    // A track on a channel joined without presence enables it server-side (no presence_state then).
    channel.isPresenceEnabled = true
    const diff = ctx.presence.track(channel.key, channel, channel.presenceKey, meta)
    reply(channel.peer, frame, 'ok', {})
    if (diff !== null) sendPresenceDiff(ctx, channel.key, diff)
    return
  }
  if (event === 'untrack') {
    const diff = ctx.presence.untrack(channel.key, channel)
    reply(channel.peer, frame, 'ok', {})
    if (diff !== null) sendPresenceDiff(ctx, channel.key, diff)
    return
  }
  reply(channel.peer, frame, 'error', { reason: `Unknown presence event: ${event}` })
}

// No reply in any case (§6.2); a bad token shuts the channel down, a good one re-arms its expiry.
async function onAccessToken(ctx: Context, peer: JoinPeer, channel: Channel, frame: Frame): Promise<void> {
  const token = isRecord(frame.payload) ? frame.payload['access_token'] : undefined
  if (typeof token !== 'string' || token === channel.token || token.startsWith('sb_')) return
  const check = await ctx.tokens.verify(token)
  if (ctx.channels.find(peer.id, channel.topic) !== channel) return
  if (!check.ok) {
    shutdown(ctx, channel, check.message)
    return
  }
  channel.token = token
  channel.claims = check.claims
  peer.noteClaims(check.claims)
  armExpiry(ctx, channel)
  // The real server re-creates CDC subscriptions with the new claims and says so again.
  if (channel.bindings.some((b) => b.conditions !== null)) {
    pushSystem(channel, 'postgres_changes', 'ok', 'Subscribed to PostgreSQL')
  }
}
