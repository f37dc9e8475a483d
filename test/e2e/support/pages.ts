/**
 * Opening test-app pages and driving their visibility (through tabrelay/testing's helpers).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { e2eEnv } from './env.ts'

/** What goes into a test-app URL; see test/e2e/app/params.ts for every parameter. */
export interface AppParams {
  /** Defaults to the run's Realtime server. */
  realtimeUrl?: string
  /** Defaults to the run's anon key. */
  apikey?: string
  /** The user's JWT; anonymous without it. */
  token?: string
  /** Client options (`lingerMs`, …), hub options as `hub.idleCloseMs`, `extendedLifetime: 0`. */
  options?: { [key: string]: string | number }
}

/**
 * The test app's URL for these parameters.
 * @example
 * await page.goto(appUrl({ token, options: { lingerMs: 200, 'hub.idleCloseMs': 500 } }))
 */
export function appUrl(params: AppParams = {}): string {
  const env = e2eEnv()
  const url = new URL(env.appUrl)
  url.searchParams.set('url', params.realtimeUrl ?? env.realtimeUrl)
  url.searchParams.set('apikey', params.apikey ?? env.anonKey)
  if (params.token !== undefined) url.searchParams.set('token', params.token)
  for (const [key, value] of Object.entries(params.options ?? {})) url.searchParams.set(key, String(value))
  return url.toString()
}

/**
 * Opens `url` in a new page of `context` and waits until the app has created its client.
 * @example
 * const page = await openTab(context, appUrl({ token }))
 */
export async function openTab(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' })
  return page
}

/**
 * Opens `n` pages of `url` in `context`, one after the other (they then share one SharedWorker).
 * @example
 * const pages = await openTabs(context, 5, appUrl({ token }))
 */
export async function openTabs(context: BrowserContext, n: number, url: string): Promise<Page[]> {
  const pages: Page[] = []
  for (let i = 0; i < n; i++) pages.push(await openTab(context, url))
  return pages
}

// Hiding and showing a page: the helpers apps use too (tabrelay/testing), one copy.
export { hide, setVisibility, show } from '../../../src/testing/node/visibility.ts'
