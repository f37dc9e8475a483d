/**
 * Counters and the `/stats` snapshot. Tests use the snapshot to count sockets and joined channels, since
 * a browser test cannot see a SharedWorker's sockets (STYLE.md §8).
 */
import type { InboxStats } from './inbox.ts'
import type { SseStats } from './sse.ts'

/**
 * One open socket as `/stats` reports it; `sub` comes from the apikey or the last verified access token.
 *
 * @example
 * const s: SocketStats = { id: 's1', vsn: '2.0.0', channels: 2, sub: 'alice' }
 */
export interface SocketStats {
  id: string
  vsn: string
  channels: number
  sub: string | null
}

/**
 * The `/stats` body. Namespace keys are full topics (`realtime:room:1`); private channels are keyed
 * `private:realtime:room:1`.
 *
 * @example
 * const { connections, topics } = server.stats()
 */
export interface Stats {
  /** Open sockets now. */
  connections: number
  /** Joined channels now, all sockets. */
  channels: number
  /** Joined channels per namespace key now. */
  topics: Record<string, number>
  /** Distinct presence keys per namespace key now. */
  presence: Record<string, number>
  sockets: SocketStats[]
  /** Frames received / sent since start (text and binary). */
  messagesIn: number
  messagesOut: number
  /** Sockets accepted since start. */
  connectionsTotal: number
  /** Successful joins since start. */
  joinsTotal: number
  /** Postgres change messages delivered since start. */
  changesOut: number
  uptimeMs: number
  /** The `/ws/inbox/` endpoint's sockets, separate from the Realtime ones above. */
  inbox: InboxStats
  /** The SSE endpoint: open streams, channels with a stream, messages published. */
  sse: SseStats
}

/**
 * Monotonic counters; everything "now" is computed from live state when the snapshot is taken.
 *
 * @example
 * counters.messagesIn++
 */
export interface Counters {
  messagesIn: number
  messagesOut: number
  connectionsTotal: number
  joinsTotal: number
  changesOut: number
  startedAtMs: number
}

/**
 * Fresh counters starting now.
 *
 * @example
 * const counters = createCounters()
 */
export function createCounters(): Counters {
  return { messagesIn: 0, messagesOut: 0, connectionsTotal: 0, joinsTotal: 0, changesOut: 0, startedAtMs: Date.now() }
}

/**
 * Assemble the snapshot from counters and live state.
 *
 * @example
 * snapshot(counters, { sockets, topics: registry.counts(), presence: table.keyCounts(), inbox: inbox.stats(), sse: endpoint.stats() })
 */
export function snapshot(
  counters: Counters,
  live: { sockets: SocketStats[]; topics: Record<string, number>; presence: Record<string, number>; inbox: InboxStats; sse: SseStats },
): Stats {
  const { startedAtMs, ...totals } = counters
  const channels = Object.values(live.topics).reduce((sum, n) => sum + n, 0)
  return {
    connections: live.sockets.length,
    channels,
    topics: live.topics,
    presence: live.presence,
    sockets: live.sockets,
    ...totals,
    uptimeMs: Date.now() - startedAtMs,
    inbox: live.inbox,
    sse: live.sse,
  }
}
