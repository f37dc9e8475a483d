/**
 * The app's test fixtures, built on tabrelay/testing's `test`: the page's URL, the Realtime
 * server's own socket count (`/stats`: Playwright cannot see a SharedWorker's sockets), and the
 * server's way to drop every connection, given to tabrelay/testing as its `dropConnection` hook.
 */
import { expect, test as base } from 'tabrelay/testing'

export { expect }

/** What the Realtime server counts now. */
export interface ServerCounts {
  /** Open sockets. */
  connections: number
  /** Sockets accepted since the test started. */
  opened: number
}

interface Stats {
  connections: number
  connectionsTotal: number
}

function env(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run the tests with this app's playwright.config.ts (its globalSetup starts the servers)`)
  return value
}

/** The app page's URL with the server's address; `pauseMs` sets `pauseWhenHiddenMs`. */
function appUrl(pauseMs?: number): string {
  const url = new URL(env('APP_URL'))
  url.searchParams.set('realtime', env('REALTIME_URL'))
  url.searchParams.set('apikey', env('REALTIME_ANON_KEY'))
  if (pauseMs !== undefined) url.searchParams.set('pauseMs', String(pauseMs))
  return url.href
}

async function stats(): Promise<Stats> {
  const response = await fetch(new URL('/stats', env('REALTIME_URL')))
  const { connections, connectionsTotal } = (await response.json()) as Stats
  return { connections, connectionsTotal }
}

/** `test` with the app's page URL and its server's counts; `tabs.dropConnection()` uses the server's `/dev/drop`. */
export const test = base.extend<{ appUrl: (pauseMs?: number) => string; server: () => Promise<ServerCounts> }>({
  appUrl: async ({}, use) => { await use(appUrl) },
  // One server for the run: each test starts once the sockets of earlier tests (closed contexts) are gone.
  server: async ({}, use) => {
    await expect.poll(async () => (await stats()).connections, { message: 'the sockets of earlier tests to close', timeout: 15_000 }).toBe(0)
    const before = (await stats()).connectionsTotal
    await use(async () => {
      const now = await stats()
      return { connections: now.connections, opened: now.connectionsTotal - before }
    })
  },
  dropConnection: async ({}, use) => {
    await use(async () => {
      const response = await fetch(new URL('/dev/drop', env('REALTIME_URL')), { method: 'POST' })
      if (!response.ok) throw new Error(`/dev/drop answered ${response.status}`)
    })
  },
})
