/**
 * The e2e `test`: Playwright's, plus the run's Realtime server, unique users, and the worker
 * console tap that prints the SharedWorker's console when a test fails.
 */
import { test as base, expect } from '@playwright/test'
import { e2eEnv } from './env.ts'
import { mintToken, stats, type Stats } from './server.ts'
import { waitUntil } from './wait.ts'
import { tapWorkerConsole, type WorkerConsole } from './worker-console.ts'

export { expect }

/**
 * A topic name of the running test only, so a failure's server stats read unambiguously.
 * @example
 * const topic = topicOf('room') // 'room:1a2b3c'
 */
export function topicOf(name: string): string {
  return `${name}:${base.info().testId.slice(0, 6)}`
}

/** The run's Realtime server, as a spec uses it. */
export interface RunServer {
  url: string
  anonKey: string
  stats(): Promise<Stats>
}

/** A user of this test alone: a unique `sub` and a token for it. */
export interface User {
  sub: string
  token: string
}

interface Fixtures {
  /** The run's Realtime server, with no socket left open by an earlier test. */
  server: RunServer
  /** Makes a user unique to this test, so its sockets can be told apart on the server. */
  makeUser(name: string): Promise<User>
  workerConsole: WorkerConsole | null
}

/**
 * Playwright's `test` with the fixtures above.
 * @example
 * test('one socket', async ({ context, server, makeUser }) => { const alice = await makeUser('alice') })
 */
export const test = base.extend<Fixtures>({
  server: async ({}, use) => {
    const { realtimeUrl, anonKey } = e2eEnv()
    const read = (): Promise<Stats> => stats(realtimeUrl)
    // The browser closes an earlier test's sockets when its context goes; counts start from zero.
    await waitUntil(read, (s) => s.connections === 0, { what: 'the sockets of earlier tests to close', timeoutMs: 15_000 })
    await use({ url: realtimeUrl, anonKey, stats: read })
  },
  makeUser: async ({}, use, testInfo) => {
    let count = 0
    await use(async (name) => {
      const sub = `${name}-${testInfo.testId.slice(0, 8)}-${testInfo.repeatEachIndex}-${++count}`
      return { sub, token: await mintToken(e2eEnv().realtimeUrl, sub) }
    })
  },
  workerConsole: [async ({ browser }, use, testInfo) => {
    const tap = await tapWorkerConsole(browser)
    await use(tap)
    if (!tap) return
    const lines = tap.lines()
    await tap.stop()
    const isFailed = testInfo.status !== testInfo.expectedStatus
    if ((isFailed || process.env['TABRELAY_E2E_WORKER_CONSOLE'] === '1') && lines.length > 0) {
      console.log(`\n--- SharedWorker console of "${testInfo.title}" ---\n${lines.join('\n')}\n---`)
      await testInfo.attach('shared-worker-console', { body: lines.join('\n'), contentType: 'text/plain' })
    }
  }, { auto: true }],
})
