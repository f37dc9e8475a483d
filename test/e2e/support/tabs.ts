/**
 * Spec-side shorthands over `window.harness` (test/e2e/app/harness.ts) for many pages at once.
 */
import type { Page } from '@playwright/test'
import type { SubscribeOptions, SubscribeResult } from '../app/harness.ts'
import type { HubStats } from '../../../src/supabase/index.ts'
import { waitUntil, type WaitOptions } from './wait.ts'

/**
 * Subscribes every page to `topic`, one after the other, and returns each first status.
 * @example
 * const results = await subscribeAll(pages, 'room:1', { self: true })
 */
export async function subscribeAll(pages: readonly Page[], topic: string, options: SubscribeOptions = {}): Promise<SubscribeResult[]> {
  const results: SubscribeResult[] = []
  for (const page of pages) {
    results.push(await page.evaluate(([t, o]) => window.harness.subscribe(t, o), [topic, options] as const))
  }
  return results
}

/**
 * The `n` of every `{ n }` broadcast the page received on `topic`, in arrival order (`-1` for
 * other payloads, so they show up in a comparison).
 * @example
 * expect(await numbersOf(page, 'room:1')).toEqual([1, 2, 3])
 */
export function numbersOf(page: Page, topic: string): Promise<number[]> {
  return page.evaluate((t) => window.harness.received(t).map(({ payload }) => {
    const n = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload['n'] : undefined
    return typeof n === 'number' ? n : -1
  }), topic)
}

/**
 * Waits until the page's last received `n` on `topic` is `last`, and returns all it received.
 * @example
 * expect(await waitForNumber(page, 'room:1', 50)).toEqual(range(1, 50))
 */
export function waitForNumber(page: Page, topic: string, last: number, options: WaitOptions = {}): Promise<number[]> {
  return waitUntil(() => numbersOf(page, topic), (ns) => ns.includes(last), { what: `n=${last} on '${topic}'`, ...options })
}

/**
 * The hub's statistics as this page's client reports them.
 * @example
 * expect((await hubStats(page)).tabs).toBe(5)
 */
export function hubStats(page: Page): Promise<HubStats> {
  return page.evaluate(() => window.harness.stats())
}

/**
 * The integers `from..to`, both included.
 * @example
 * range(1, 3) // [1, 2, 3]
 */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}

/**
 * `items[index]`, or a thrown error when there is none (strict index access without `!`).
 * @example
 * const [first, second] = [at(pages, 0), at(pages, 1)]
 */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index]
  if (item === undefined) throw new Error(`expected an item at index ${index}, there are ${items.length}`)
  return item
}
