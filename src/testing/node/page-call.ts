/**
 * The one way the Node helpers talk to a page's registered client: a self-contained function run by
 * `page.evaluate`, which waits (event-driven, bounded) for the client to be registered, then reads
 * the hub's statistics, the leader flag, or waits for a connection status.
 */
import type { Page } from '@playwright/test'
import type { ConnectionStatus, HubStats } from '../../contract/protocol.ts'
import { TESTING_EVENT, TESTING_HOOK, type TestingProbe } from '../../contract/testing.ts'

/** What the page is asked: its hub's statistics, its leader flag, or to wait for a status. */
export type PageAsk = { kind: 'stats' } | { kind: 'leader' } | { kind: 'status'; want: ConnectionStatus }

/** The page's answer: its client's state when the ask was met. */
export interface PageAnswer {
  status: ConnectionStatus
  isLeader: boolean
  /** Only for `stats`. */
  stats: HubStats | null
}

/**
 * Options every helper takes.
 * @example
 * await waitForStatus(page, 'open', { client: 'inbox', timeoutMs: 5_000 })
 */
export interface ProbeOptions {
  /** The name the page gave `registerForTesting(client, name)`; default `'default'`. */
  client?: string
  /** Give up after this long; default 10 000 ms. */
  timeoutMs?: number
}

/** The default bound of every wait. */
export const DEFAULT_TIMEOUT_MS = 10_000

interface PageCall {
  hook: string
  event: string
  name: string
  timeoutMs: number
  ask: PageAsk
}

/**
 * Asks the page's registered client; rejects with what to do when no client is registered in time
 * or the status is not reached in time.
 * @example
 * const { isLeader } = await askPage(page, { kind: 'leader' })
 */
export function askPage(page: Page, ask: PageAsk, options: ProbeOptions = {}): Promise<PageAnswer> {
  const call: PageCall = { hook: TESTING_HOOK, event: TESTING_EVENT, name: options.client ?? 'default', timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ask }
  return page.evaluate(inPage, call)
}

/**
 * Runs in the page: everything it uses must be inside it (Playwright sends its source text).
 * Waits for the `registerForTesting` event instead of polling, and for `onStatus` instead of
 * re-reading the status.
 */
function inPage(call: PageCall): Promise<PageAnswer> {
  return new Promise<PageAnswer>((resolve, reject) => {
    const cleanups: Array<() => void> = []
    let isDone = false
    const finish = (settle: () => void): void => {
      if (isDone) return
      isDone = true
      for (const cleanup of cleanups) cleanup()
      settle()
    }
    const find = (): TestingProbe | undefined => (globalThis as unknown as { [hook: string]: { [name: string]: TestingProbe } | undefined })[call.hook]?.[call.name]
    let seen: TestingProbe | undefined
    const timer = setTimeout(() => finish(() => reject(new Error(seen
      ? `tabrelay/testing: the client '${call.name}' stayed '${seen.status()}' for ${call.timeoutMs} ms, expected '${call.ask.kind === 'status' ? call.ask.want : call.ask.kind}'`
      : `tabrelay/testing: no client '${call.name}' was registered in this page within ${call.timeoutMs} ms; call registerForTesting(client${call.name === 'default' ? '' : `, '${call.name}'`}) after creating it`))), call.timeoutMs)
    cleanups.push(() => clearTimeout(timer))
    const answer = (probe: TestingProbe, stats: HubStats | null): void => finish(() => resolve({ status: probe.status(), isLeader: probe.isLeader(), stats }))
    const use = (probe: TestingProbe): void => {
      seen = probe
      const { ask } = call
      if (ask.kind === 'stats') probe.stats().then((stats) => answer(probe, stats), (error: unknown) => finish(() => reject(error)))
      else if (ask.kind === 'leader' || probe.status() === ask.want) answer(probe, null)
      else cleanups.push(probe.onStatus((status) => { if (status === ask.want) answer(probe, null) }))
    }
    const found = find()
    if (found) {
      use(found)
      return
    }
    const onRegistered = (): void => {
      const probe = find()
      if (!probe) return
      removeEventListener(call.event, onRegistered)
      use(probe)
    }
    addEventListener(call.event, onRegistered)
    cleanups.push(() => removeEventListener(call.event, onRegistered))
  })
}
