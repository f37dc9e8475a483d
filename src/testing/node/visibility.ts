/**
 * Hiding and showing a page in a headless browser. Headless Chromium keeps every page `visible`
 * whatever the test does (focus emulation, `Page.setWebLifecycleState`, new windows and minimizing
 * change nothing), and each Firefox WebDriver-BiDi page is its own visible window. What works in
 * Chromium, Firefox and WebKit alike: override `document.visibilityState` and `document.hidden`,
 * then dispatch `visibilitychange`, which is what the page (and tabrelay's tab client) listens to.
 */
import type { Page } from '@playwright/test'

/** A page's visibility, as `document.visibilityState` reports it. */
export type PageVisibility = 'visible' | 'hidden'

/**
 * Makes the page report `state` and fires `visibilitychange` on its document.
 * @example
 * await setVisibility(page, 'hidden')
 */
export async function setVisibility(page: Page, state: PageVisibility): Promise<void> {
  if (state !== 'visible' && state !== 'hidden') throw new Error(`setVisibility(page, state): state must be 'visible' or 'hidden', got ${String(state)}`)
  await page.evaluate((visibility) => {
    Object.defineProperty(document, 'visibilityState', { get: () => visibility, configurable: true })
    Object.defineProperty(document, 'hidden', { get: () => visibility === 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  }, state)
}

/**
 * Hides the page as far as the page can tell (see {@link setVisibility}); tabrelay counts it as a
 * hidden tab at once.
 * @example
 * await hide(pages[0])
 */
export function hide(page: Page): Promise<void> {
  return setVisibility(page, 'hidden')
}

/**
 * Shows the page again (see {@link setVisibility}).
 * @example
 * await show(pages[0])
 */
export function show(page: Page): Promise<void> {
  return setVisibility(page, 'visible')
}
