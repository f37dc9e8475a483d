/**
 * Reloading the only tab of a user, measured on the server and in the hub: what the Chromium
 * (extendedLifetime) and Firefox (no extendedLifetime) reload specs compare.
 */
import type { Page } from '@playwright/test'
import type { HubStats } from '../../../src/supabase/index.ts'
import { expect, type RunServer } from './fixtures.ts'
import { joined, socketsOf, type Stats } from './server.ts'
import { hubStats, subscribeAll } from './tabs.ts'
import { waitUntil } from './wait.ts'

/** Server stats before and after the reload, the worker id before it and the hub's stats after. */
export interface Reloaded {
  before: Stats
  after: Stats
  workerId: string
  stats: HubStats
}

/**
 * Subscribes `page` (the user's only tab) to `topic`, reloads it, subscribes again and reports.
 * @example
 * const { before, after } = await reloadOnlyTab(page, server, topic, alice.sub)
 */
export async function reloadOnlyTab(page: Page, server: RunServer, topic: string, sub: string): Promise<Reloaded> {
  const isJoinedOnce = (s: Stats): boolean => joined(s, topic) === 1 && socketsOf(s, sub).length === 1
  expect((await subscribeAll([page], topic)).map((r) => r.status)).toEqual(['SUBSCRIBED'])
  const before = await waitUntil(server.stats, isJoinedOnce, { what: 'the topic joined' })
  const { workerId } = await hubStats(page)
  await page.reload()
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' })
  expect((await subscribeAll([page], topic)).map((r) => r.status)).toEqual(['SUBSCRIBED'])
  const after = await waitUntil(server.stats, isJoinedOnce, { what: 'one socket and one join after the reload' })
  return { before, after, workerId, stats: await hubStats(page) }
}
