/**
 * One WebKit browser (MiniBrowser) driven through WebKitWebDriver with selenium-webdriver. Every
 * window of one session shares one profile, hence one SharedWorker, as the tabs of one Safari
 * profile do. Playwright cannot drive Debian's WebKit (FIELD_NOTES.md).
 */
import { Builder, Capabilities, type WebDriver } from 'selenium-webdriver'
import type { HubStats } from '../../../src/supabase/index.ts'
import type { SubscribeOptions, SubscribeResult } from '../../e2e/app/harness.ts'
import { waitFor, waitUntil, type WaitOptions } from '../../e2e/support/wait.ts'
import { webkitEnv } from './env.ts'
import { webProcesses } from './processes.ts'

/** One browser window showing the test app. */
export interface Tab {
  handle: string
  name: string
  /** The WebKitWebProcess ids that appeared while this window opened (its own web process). */
  pids: number[]
}

/** A WebKit session and the windows the test opened in it. */
export interface Browser {
  /** Opens a new window on `url` and waits until the app has created its client. */
  open(url: string, name: string): Promise<Tab>
  /** Closes the window, as a user closing the tab. */
  close(tab: Tab): Promise<void>
  /**
   * Runs `body`, the body of an async function, in the tab, with `args` bound, and returns what
   * it resolves to. The text runs in the page, so it cannot close over test values.
   */
  run<T>(tab: Tab, body: string, ...args: unknown[]): Promise<T>
  quit(): Promise<void>
}

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'

/**
 * Starts a WebKit session on the suite's driver; `quit()` it in `finally`, or the driver keeps
 * answering "A session already exists". The session's first window stays blank: every tab gets a
 * window (and a web process) of its own.
 * @example
 * const browser = await launch(); try { … } finally { await browser.quit() }
 */
export async function launch(): Promise<Browser> {
  const { driverUrl, driverPid } = webkitEnv()
  const capabilities = new Capabilities()
  capabilities.set('browserName', 'MiniBrowser')
  capabilities.set('webkitgtk:browserOptions', { binary: process.env['MINIBROWSER_PATH'] ?? MINIBROWSER, args: ['--automation'] })
  const driver: WebDriver = await new Builder().usingServer(driverUrl).withCapabilities(capabilities).build()
  await driver.manage().setTimeouts({ script: 30_000, pageLoad: 30_000 })
  let current = ''
  const switchTo = async (tab: Tab): Promise<void> => {
    if (current !== tab.handle) await driver.switchTo().window(tab.handle)
    current = tab.handle
  }

  return {
    async open(url, name) {
      const before = await webProcesses(driverPid)
      await driver.switchTo().newWindow('window')
      const handle = await driver.getWindowHandle()
      current = handle
      await driver.get(url)
      const isReady = () => driver.executeScript<boolean>('return document.body?.dataset.ready === "true"')
      await waitFor(isReady, { what: `${name} to be ready`, timeoutMs: 15_000 })
      return { handle, name, pids: (await webProcesses(driverPid)).filter((pid) => !before.includes(pid)) }
    },
    async close(tab) {
      await switchTo(tab)
      await driver.close()
      const [first] = await driver.getAllWindowHandles()
      if (first !== undefined) await driver.switchTo().window(first)
      current = first ?? ''
    },
    async run<T>(tab: Tab, body: string, ...args: unknown[]): Promise<T> {
      await switchTo(tab)
      const script = `const done = arguments[arguments.length - 1]; const args = Array.from(arguments).slice(0, -1);
        (async () => { ${body} })().then((value) => done({ value }), (error) => done({ error: String(error && error.stack || error) }))`
      const outcome = await driver.executeAsyncScript<{ value?: T, error?: string }>(script, ...args)
      if (outcome.error !== undefined) throw new Error(`in ${tab.name}: ${outcome.error}`)
      return outcome.value as T
    },
    quit: () => driver.quit(),
  }
}

/**
 * Subscribes the tab to `topic` through the test app's harness (test/e2e/app/harness.ts).
 * @example
 * assert.equal((await subscribe(browser, tab, 'room:1')).status, 'SUBSCRIBED')
 */
export function subscribe(browser: Browser, tab: Tab, topic: string, options: SubscribeOptions = {}): Promise<SubscribeResult> {
  return browser.run(tab, 'return window.harness.subscribe(args[0], args[1])', topic, options)
}

/**
 * Broadcasts `{ n }` for n = from..to on `topic` from the tab and returns each send's result.
 * @example
 * await sendSequence(browser, a, 'room:1', 1, 20)
 */
export function sendSequence(browser: Browser, tab: Tab, topic: string, from: number, to: number): Promise<string[]> {
  return browser.run(tab, 'return window.harness.sendSequence(args[0], "seq", args[1], args[2])', topic, from, to)
}

/**
 * The `n` of every `{ n }` broadcast the tab received on `topic`, in arrival order (-1 for others).
 * @example
 * assert.deepEqual(await numbersOf(browser, b, 'room:1'), [1, 2, 3])
 */
export function numbersOf(browser: Browser, tab: Tab, topic: string): Promise<number[]> {
  return browser.run(tab, `return window.harness.received(args[0]).map(({ payload }) =>
    typeof payload === 'object' && payload !== null && typeof payload.n === 'number' ? payload.n : -1)`, topic)
}

/**
 * Waits until the tab has received `n = last` on `topic`, then returns everything it received there.
 * @example
 * assert.deepEqual(await waitForNumber(browser, b, 'room:1', 20), range(1, 20))
 */
export function waitForNumber(browser: Browser, tab: Tab, topic: string, last: number, options: WaitOptions = {}): Promise<number[]> {
  return waitUntil(() => numbersOf(browser, tab, topic), (ns) => ns.includes(last), { what: `${tab.name} to receive n=${last} on '${topic}'`, ...options })
}

/**
 * The hub's statistics as the tab's client reports them.
 * @example
 * assert.equal((await hubStats(browser, tab)).connections, 1)
 */
export function hubStats(browser: Browser, tab: Tab): Promise<HubStats> {
  return browser.run(tab, 'return window.harness.stats()')
}

/**
 * Every connection status the tab's client reported, in order.
 * @example
 * assert.equal((await connectionStatuses(browser, tab)).at(-1), 'open')
 */
export function connectionStatuses(browser: Browser, tab: Tab): Promise<string[]> {
  return browser.run(tab, 'return window.harness.connectionStatuses()')
}

/**
 * Overrides `document.visibilityState` (and `hidden`) and fires `visibilitychange`, as the
 * Playwright specs do (test/e2e/support/pages.ts): every MiniBrowser window under Xvfb is visible.
 * @example
 * await setVisibility(browser, tab, 'hidden')
 */
export async function setVisibility(browser: Browser, tab: Tab, state: 'visible' | 'hidden'): Promise<void> {
  await browser.run(tab, `const visibility = args[0]
    Object.defineProperty(document, 'visibilityState', { get: () => visibility, configurable: true })
    Object.defineProperty(document, 'hidden', { get: () => visibility === 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))`, state)
}
