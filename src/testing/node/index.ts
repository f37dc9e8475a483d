/**
 * `tabrelay/testing`: Playwright helpers for an app's own multi-tab tests (Node only, never in a
 * browser bundle; `@playwright/test` is its peer). The app's pages opt in with one line,
 * `registerForTesting(client)` from `tabrelay` or `tabrelay/supabase`; the helpers then read each
 * tab's client: open N tabs of one user and wait until each is connected, hide and show a page in
 * a headless browser, read the hub's view, wait for a status or a leader, close a tab once the hub
 * released it.
 * @example
 * import { test, expect } from 'tabrelay/testing'
 * test('a notification plays once across 3 tabs', async ({ tabs }) => {
 *   const pages = await tabs.open(3, '/')
 *   const leader = await tabs.waitForLeader(pages)
 *   await pages[0].getByRole('button', { name: 'notify' }).click()
 *   await expect(leader.getByTestId('played')).toHaveText('1')
 * })
 */
export { test, type Tabs, type TabrelayOptions, type DropConnection } from './fixture.ts'
export { expect } from '@playwright/test'
export { hide, show, setVisibility, type PageVisibility } from './visibility.ts'
export { hub, openTab, openTabs, waitForStatus, waitForLeader, closeTab, type HubView, type CloseOptions } from './tabs.ts'
export type { ProbeOptions } from './page-call.ts'
export type { ConnectionStatus, HubStats } from '../../contract/protocol.ts'
