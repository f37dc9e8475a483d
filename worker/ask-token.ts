/**
 * Asking tabs for a fresh token when the hub resumes or rejoins: the identity's leader first (the
 * visible tab the user works in), then the others, each with a deadline.
 */
import { type Clock, withTimeout } from '../src/contract/clock.ts'
import type { HubSink } from './options.ts'

/**
 * Returns the first token a tab gives that `isSameUser` accepts, or `null` when none does.
 * @example
 * const token = await askTabs(links, (link, token) => identityOf(link, token) === identity, 5_000, clock)
 */
export async function askTabs<T extends { sink: HubSink }>(tabs: T[], isSameUser: (tab: T, token: string | null) => boolean, timeoutMs: number, clock: Clock): Promise<string | null> {
  for (const tab of tabs) {
    try {
      const token = await withTimeout(tab.sink.token(), timeoutMs, 'accessToken()', clock)
      // Never hand one user's connection another user's token.
      if (isSameUser(tab, token)) return token
    } catch {
      // That tab is gone, slow or its accessToken() threw: ask the next.
    }
  }
  return null
}
