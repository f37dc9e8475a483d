/**
 * What every WebKit test starts from: a fresh browser session, a user of its own (so its sockets
 * can be told apart on the run's server), and the test app's URL for that user.
 */
import { randomUUID } from 'node:crypto'
import { appUrl } from '../../e2e/support/pages.ts'
import { joined, mintToken, socketsOf, stats, type Stats } from '../../e2e/support/server.ts'
import { waitUntil, type WaitOptions } from '../../e2e/support/wait.ts'
import { launch, type Browser } from './browser.ts'
import { webkitEnv } from './env.ts'

/** One test's browser, user and server view. */
export interface Session {
  browser: Browser
  /** The user's JWT `sub`, unique to this test. */
  sub: string
  /** A topic name unique to this test. */
  topic(name: string): string
  /** The test app's URL for this user, with client options (e.g. `{ heartbeatIntervalMs: 500 }`). */
  url(options?: { [key: string]: string | number }): string
  /** The server's `/stats`. */
  stats(): Promise<Stats>
  /** Polls `/stats` until this user has `sockets` open sockets and `topic` is joined `joins` times. */
  serverShows(sockets: number, topic: string, joins: number, options?: WaitOptions): Promise<Stats>
}

/**
 * Runs `body` with a fresh WebKit session and quits the browser afterwards, whatever happens.
 * @example
 * await withSession('fanout', async ({ browser, url }) => { const a = await browser.open(url(), 'A') })
 */
export async function withSession(name: string, body: (session: Session) => Promise<void>): Promise<void> {
  const { realtimeUrl } = webkitEnv()
  const id = randomUUID().slice(0, 8)
  const sub = `${name}-${id}`
  const token = await mintToken(realtimeUrl, sub)
  const read = (): Promise<Stats> => stats(realtimeUrl)
  const browser = await launch()
  try {
    await body({
      browser,
      sub,
      topic: (topic) => `${topic}:${id}`,
      url: (options = {}) => appUrl({ token, options }),
      stats: read,
      serverShows: (sockets, topic, joins, options = {}) => waitUntil(read, (s) => socketsOf(s, sub).length === sockets && joined(s, topic) === joins, {
        what: `${sockets} socket(s) of ${sub} and ${joins} join(s) of '${topic}' on the server`, ...options,
      }),
    })
  } finally {
    await browser.quit()
  }
}

/**
 * The integers `from..to`, both included.
 * @example
 * range(1, 3) // [1, 2, 3]
 */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}
