/**
 * Tabs of one user and the hub they share, read through each page's registered client: open N
 * tabs and wait until each is connected, read the hub's view, wait for a status or a leader, and
 * close a tab once the hub has released it.
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { ConnectionStatus, HubStats } from '../../contract/protocol.ts'
import { askPage, DEFAULT_TIMEOUT_MS, type ProbeOptions } from './page-call.ts'
import { pollUntil } from './poll.ts'

/**
 * The hub as one tab's client sees it.
 * @example
 * const view = await hub(page) // { tabs: 3, connections: 1, isLeader: false, topics: [...], ... }
 */
export interface HubView {
  /** Tabs of this tab's user the hub serves now (this one included). */
  tabs: number
  /** How many of those are visible. */
  visibleTabs: number
  /** Server connections the hub holds now (one per user and endpoint). */
  connections: number
  /** The topics the hub has joined for this user, with how many tabs and listeners each, and `status` ('SUBSCRIBED' once joined). */
  topics: HubStats['channels']
  /** The hub's connection status for this tab's user. */
  status: ConnectionStatus
  /** Whether this tab is its user's leader. */
  isLeader: boolean
  /** Everything else the hub counts (deliveries, overflows, its worker id). */
  stats: HubStats
}

/**
 * The hub's view through the page's client (`registerForTesting`); waits for the client to register.
 * @example
 * expect((await hub(page)).connections).toBe(1)
 */
export async function hub(page: Page, options: ProbeOptions = {}): Promise<HubView> {
  const { stats, isLeader } = await askPage(page, { kind: 'stats' }, options)
  if (!stats) throw new Error('tabrelay/testing: the page answered without the hub statistics')
  return { tabs: stats.tabs, visibleTabs: stats.visibleTabs, connections: stats.connections, topics: stats.channels, status: stats.status, isLeader, stats }
}

/**
 * Waits until the page's client reports `status` (event-driven, bounded by `timeoutMs`).
 * @example
 * await hide(page); await waitForStatus(page, 'paused')
 */
export async function waitForStatus(page: Page, status: ConnectionStatus, options: ProbeOptions = {}): Promise<void> {
  await askPage(page, { kind: 'status', want: status }, options)
}

/**
 * Opens `url` in a new page of `context` and waits until its client is connected (`open`).
 * @example
 * const page = await openTab(context, '/inbox')
 */
export async function openTab(context: BrowserContext, url: string, options: ProbeOptions = {}): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await waitForStatus(page, 'open', options)
  return page
}

/**
 * Opens `n` tabs of `url` in `context`, one after the other, each connected before the next opens.
 * One context is one browser profile, so they are one user's tabs sharing one hub.
 * @example
 * const [a, b, c] = await openTabs(context, 3, '/inbox')
 */
export async function openTabs(context: BrowserContext, n: number, url: string, options: ProbeOptions = {}): Promise<Page[]> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`openTabs(context, n, url): n must be a whole number of tabs, at least 1; got ${String(n)}`)
  const pages: Page[] = []
  for (let i = 0; i < n; i++) pages.push(await openTab(context, url, options))
  return pages
}

/**
 * Waits until exactly one of `pages` is its user's leader and returns that page. Pass the tabs of
 * one user (one context): tabs of several users have one leader each.
 * @example
 * const leader = await waitForLeader(pages)
 */
export async function waitForLeader(pages: readonly Page[], options: ProbeOptions = {}): Promise<Page> {
  if (pages.length === 0) throw new Error('waitForLeader(pages): pass the open tabs of one user')
  const flags = await pollUntil(
    () => Promise.all(pages.map(async (page) => (await askPage(page, { kind: 'leader' }, options)).isLeader)),
    (isLeader) => isLeader.filter(Boolean).length === 1,
    { what: 'exactly one leader among the tabs', timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS },
  )
  const leader = pages[flags.indexOf(true)]
  if (!leader) throw new Error('waitForLeader: the leader page vanished')
  return leader
}

/**
 * Options of {@link closeTab}.
 * @example
 * await closeTab(page, { witness: otherPage })
 */
export interface CloseOptions extends ProbeOptions {
  /** A page of the same hub that stays open, to read the tab count from; default: another page of the context with a registered client. */
  witness?: Page
}

/**
 * Closes the page and resolves once the hub has released it (its tab count went down; the tab's
 * Web Lock reaches the hub tens of ms after the close). With no other page of the hub left open,
 * resolves when the page is closed: no client is left to ask.
 * @example
 * await closeTab(pages[0]); expect((await hub(pages[1])).tabs).toBe(2)
 */
export async function closeTab(page: Page, options: CloseOptions = {}): Promise<void> {
  const witness = options.witness ?? (await findWitness(page, options))
  if (witness === page) throw new Error('closeTab(page, { witness }): the witness must be another page, which stays open')
  const before = witness ? (await hub(witness, options)).tabs : 0
  await page.close()
  if (!witness) return
  await pollUntil(() => hub(witness, options), (view) => view.tabs < before, {
    what: `the hub to release the closed tab (it served ${before})`,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  })
}

async function findWitness(page: Page, options: ProbeOptions): Promise<Page | undefined> {
  for (const other of page.context().pages()) {
    if (other === page || other.isClosed()) continue
    // A short bound: a page without a registered client is not a witness.
    const isRegistered = await askPage(other, { kind: 'leader' }, { ...options, timeoutMs: 200 }).then(() => true, () => false)
    if (isRegistered) return other
  }
  return undefined
}
