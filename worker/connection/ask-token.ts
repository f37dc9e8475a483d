/**
 * Asking tabs for a fresh token when the hub resumes, rejoins or admits a tab: the identity's
 * leader first (the visible tab the user works in), then the others, each with a deadline.
 */
import { type Clock, withTimeout } from '../../src/contract/clock.ts'
import type { HubSink } from '../options.ts'

/**
 * Returns the first tab's answer that `accepts` takes (with that tab's id), or `null` when none does.
 * @example
 * const answer = await askTabs(tabs, (tab, token) => identityOf(tab, token) === identity, 5_000, clock)
 */
export async function askTabs<T extends { tabId: string; sink: HubSink }>(tabs: T[], accepts: (tab: T, token: string | null) => boolean, timeoutMs: number, clock: Clock): Promise<{ tabId: string; token: string | null } | null> {
  for (const tab of tabs) {
    try {
      const token = await withTimeout(tab.sink.token(), timeoutMs, 'accessToken()', clock)
      // Never hand one user's connection another user's token (nor one it refused).
      if (accepts(tab, token)) return { tabId: tab.tabId, token }
    } catch {
      // That tab is gone, slow or its accessToken() threw: ask the next.
    }
  }
  return null
}
