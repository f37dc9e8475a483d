/**
 * The Playwright fixture: `test` with `tabs`, the helpers bound to the test's browser context (one
 * context = one browser profile = one user's tabs and hub), and two options an app sets once.
 */
import { test as base, type Page } from '@playwright/test'
import type { ConnectionStatus } from '../../contract/protocol.ts'
import { closeTab, hub, openTabs, waitForLeader, waitForStatus, type CloseOptions, type HubView } from './tabs.ts'
import { hide, show } from './visibility.ts'

/**
 * Drops the user's connection from the server side, through whatever the app's own server offers
 * (an admin route, a dev endpoint, killing the socket's process); resolves once it is dropped.
 * @example
 * const drop: DropConnection = async () => { await fetch(`${api}/dev/drop`, { method: 'POST' }) }
 */
export type DropConnection = () => Promise<void>

/**
 * The options of the `tabs` fixture; set them with `test.use()` or override them in `test.extend()`.
 * @example
 * test.use({ tabrelayClient: 'inbox' })
 */
export interface TabrelayOptions {
  /** The name the app's pages gave `registerForTesting(client, name)`; default `'default'`. */
  tabrelayClient: string
  /** The app server's way to drop the connection, or `null` (the default) when it has none. */
  dropConnection: DropConnection | null
}

/**
 * The helpers of `tabrelay/testing`, bound to the test's context and options.
 * @example
 * test('once', async ({ tabs }) => { const pages = await tabs.open(3, '/'); await tabs.waitForLeader(pages) })
 */
export interface Tabs {
  /** Opens `n` tabs of `url` in the test's context, each connected before the next opens. */
  open(n: number, url: string): Promise<Page[]>
  hide(page: Page): Promise<void>
  show(page: Page): Promise<void>
  hub(page: Page): Promise<HubView>
  waitForStatus(page: Page, status: ConnectionStatus): Promise<void>
  waitForLeader(pages: readonly Page[]): Promise<Page>
  closeTab(page: Page, options?: Pick<CloseOptions, 'witness'>): Promise<void>
  /** Calls the `dropConnection` option; throws when the app set none. */
  dropConnection(): Promise<void>
}

/**
 * Playwright's `test` with the `tabs` fixture and its options.
 * @example
 * import { test, expect } from 'tabrelay/testing'
 * test('one connection', async ({ tabs }) => {
 *   const pages = await tabs.open(3, '/')
 *   expect((await tabs.hub(pages[0])).connections).toBe(1)
 * })
 */
export const test = base.extend<TabrelayOptions & { tabs: Tabs }>({
  tabrelayClient: ['default', { option: true }],
  dropConnection: [null, { option: true }],
  tabs: async ({ context, tabrelayClient, dropConnection }, use) => {
    const options = { client: tabrelayClient }
    await use({
      open: (n, url) => openTabs(context, n, url, options),
      hide,
      show,
      hub: (page) => hub(page, options),
      waitForStatus: (page, status) => waitForStatus(page, status, options),
      waitForLeader: (pages) => waitForLeader(pages, options),
      closeTab: (page, close = {}) => closeTab(page, { ...options, ...close }),
      dropConnection: async () => {
        if (!dropConnection) throw new Error("tabs.dropConnection(): set the option first, e.g. test.extend({ dropConnection: async ({}, use) => use(() => yourServer.drop()) })")
        await dropConnection()
      },
    })
  },
})
