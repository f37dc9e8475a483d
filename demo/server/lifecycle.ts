/**
 * Ends of a channel's life: teardown (presence leaves), deliberate shutdown (system error + phx_close,
 * which the client never retries), and the token-expiry timer that triggers one (§6.3).
 */
import { pushSystem, sendClose, type Channel } from './channels.ts'
import type { Context } from './context.ts'
import type { PresenceDiff } from './presence.ts'
import { expiredMessage, secondsSinceExpiry } from './tokens.ts'

// The real server re-checks a channel token at least every 5 minutes.
const MAX_EXPIRY_CHECK_MS = 5 * 60_000

/**
 * Send a presence diff to every channel of the namespace, the tracker included (trap 7).
 *
 * @example
 * sendPresenceDiff(ctx, channel.key, diff)
 */
export function sendPresenceDiff(ctx: Context, key: string, diff: PresenceDiff): void {
  const payload = { joins: diff.joins, leaves: diff.leaves }
  for (const member of ctx.channels.byKey(key)) {
    member.peer.push({ joinRef: null, ref: null, topic: member.topic, event: 'presence_diff', payload })
  }
}

/**
 * Forget a channel: unregister it, stop its timer, and announce its presence leave to the others.
 *
 * @example
 * teardown(ctx, channel) // after phx_leave, a duplicate join, or a socket close
 */
export function teardown(ctx: Context, channel: Channel): void {
  ctx.channels.remove(channel)
  channel.cancelExpiry()
  const diff = ctx.presence.untrack(channel.key, channel)
  if (diff !== null) sendPresenceDiff(ctx, channel.key, diff)
}

/**
 * Close a channel the client must not rejoin: `system` error, `phx_close`, teardown.
 *
 * @example
 * shutdown(ctx, channel, 'Token has expired 0 seconds ago')
 */
export function shutdown(ctx: Context, channel: Channel, message: string): void {
  pushSystem(channel, 'system', 'error', message)
  sendClose(channel)
  teardown(ctx, channel)
}

/**
 * (Re)arm the expiry check of a channel's token; the previous timer is cancelled.
 *
 * @example
 * armExpiry(ctx, channel) // after a join or an accepted access_token
 */
export function armExpiry(ctx: Context, channel: Channel): void {
  channel.cancelExpiry()
  const delayMs = Math.min(channel.claims.exp * 1000 - Date.now(), MAX_EXPIRY_CHECK_MS)
  const timer = setTimeout(() => {
    if (ctx.channels.find(channel.peer.id, channel.topic) !== channel) return
    const agoS = secondsSinceExpiry(channel.claims.exp)
    if (agoS >= 0) shutdown(ctx, channel, expiredMessage(agoS))
    else armExpiry(ctx, channel)
  }, Math.max(0, delayMs))
  // A pending expiry check must not keep a test process or the CLI alive.
  timer.unref()
  channel.cancelExpiry = () => clearTimeout(timer)
}
