/**
 * Issue 4, tabs coming and going: a closed tab is released through its Web Lock at once (not after
 * a heartbeat timeout); the leader moves to another visible tab when it is hidden or closed, one
 * leader at a time. Crash and reload live in the Chromium-only specs (`*.chromium.spec.ts`).
 */
import type { Page } from '@playwright/test'
import { expect } from './support/fixtures.ts'
import { leaders, lifecycleOf, recordLifecycle, test } from './support/lifecycle.ts'
import { appUrl, hide, openTabs, show } from './support/pages.ts'
import { defineReleaseTest } from './support/release.ts'
import { hubStats } from './support/tabs.ts'
import { waitUntil } from './support/wait.ts'

defineReleaseTest('closed')

/** Index of the page that is the one leader, once exactly one of `pages` says it is. */
async function theLeader(pages: readonly Page[], isEligible: (index: number) => boolean = () => true): Promise<number> {
  const flags = await waitUntil(() => leaders(pages), (f) => f.filter(Boolean).length === 1 && isEligible(f.indexOf(true)), { what: 'exactly one (eligible) leader', intervalMs: 20 })
  return flags.indexOf(true)
}

/** Every leader change each page was told of since recordLifecycle(); `[]` for closed pages. */
function leaderLogs(pages: readonly Page[]): Promise<boolean[][]> {
  return Promise.all(pages.map(async (p) => (p.isClosed() ? [] : (await lifecycleOf(p)).leader.map((e) => e.isLeader))))
}

test('hiding or closing the leader hands leadership to another visible tab, one leader at a time', async ({ context, makeUser }) => {
  const alice = await makeUser('alice')
  const pages = await openTabs(context, 3, appUrl({ token: alice.token }))
  for (const page of pages) await recordLifecycle(page)
  const first = await theLeader(pages)
  const at = (i: number): Page => pages[i] ?? (() => { throw new Error(`no page ${i}`) })()

  // Hidden: the leader steps down and one visible tab takes over; each is told exactly once.
  await hide(at(first))
  const second = await theLeader(pages, (i) => i !== first)
  const other = [0, 1, 2].find((i) => i !== first && i !== second) ?? -1
  const expected = (byIndex: Record<number, boolean[]>): boolean[][] => pages.map((_, i) => byIndex[i] ?? [])
  const afterHide = expected({ [first]: [false], [second]: [true] })
  expect(await waitUntil(() => leaderLogs(pages), (l) => l[first]?.length === 1, { what: 'the hidden leader told it stepped down' })).toEqual(afterHide)

  // Shown again: no flapping back, the new leader keeps the role.
  await show(at(first))
  await waitUntil(() => hubStats(at(first)), (s) => s.visibleTabs === 3, { what: 'the hub to see three visible tabs' })
  expect(await leaders(pages)).toEqual(pages.map((_, i) => i === second))
  expect(await leaderLogs(pages)).toEqual(afterHide)

  // Closed (with the third tab hidden): the lock tells the hub at once; the one visible tab leads.
  await hide(at(other))
  await waitUntil(() => hubStats(at(first)), (s) => s.visibleTabs === 2, { what: 'the hub to see the third tab hidden' })
  const started = Date.now()
  await at(second).close()
  const open = [first, other].map(at)
  expect(await theLeader(open)).toBe(0)
  expect(Date.now() - started).toBeLessThan(1_000)
  expect(await leaderLogs(pages)).toEqual(expected({ [first]: [false, true] }))
})
