/**
 * The one reconnect policy of the hub: capped exponential growth with full jitter, pure so tests
 * read it as a table (Phoenix `reconnectAfterMs`, partysocket's capped growth).
 */

/** Shape of the growth: `baseMs · factor^(attempt-1)`, never above `capMs`. */
export interface BackoffPolicy {
  baseMs: number
  factor: number
  capMs: number
}

/** 0.5 s, 1 s, 2 s … capped at 30 s before jitter. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 30_000 }

/**
 * Delay before reconnect attempt `attempt` (1-based): a uniform draw in [0, ceiling) so a crowd of
 * clients spreads out instead of stampeding a restarted server ("full jitter").
 * @example
 * backoff(3, Math.random) // somewhere in [0, 2000)
 */
export function backoff(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30))
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** exponent)
  return Math.floor(random() * ceiling)
}
