/**
 * End-to-end tests: real browsers, a real SharedWorker, the local Realtime server (demo/server).
 * `globalSetup` builds test/e2e/app once with Vite, serves it on 127.0.0.1 and starts one Realtime
 * server for the run; specs read both addresses from the environment (test/e2e/support/env.ts).
 */
import { existsSync } from 'node:fs'
import { defineConfig, type Project } from '@playwright/test'

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

/** `CHROMIUM_PATH`, else Debian's Chromium when installed, else Playwright's own download. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH']
  if (fromEnv) return fromEnv
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined
}

const chromiumExecutable = chromiumPath()

/**
 * Browser-specific specs are named for their browser and registered only in its project, so no
 * test is ever skipped: `*.chromium.spec.ts` (DevTools-protocol crashes and worker termination,
 * `extendedLifetime`), `*.firefox.spec.ts` (Firefox's own SharedWorker lifetime).
 */
const CHROMIUM_ONLY = '**/*.chromium.spec.ts'
const FIREFOX_ONLY = '**/*.firefox.spec.ts'

const chromium: Project = {
  name: 'chromium',
  testIgnore: FIREFOX_ONLY,
  use: {
    browserName: 'chromium',
    launchOptions: { args: CHROMIUM_ARGS, ...(chromiumExecutable ? { executablePath: chromiumExecutable } : {}) },
  },
}

const FIREFOX_PATH = '/usr/bin/firefox-esr'

/**
 * Debian's Firefox ESR through Playwright's WebDriver-BiDi mode (works with Playwright 1.64.1, not
 * 1.65.1); the env and prefs keep it off the network (FIELD_NOTES.md, "Firefox and WebKit").
 */
const firefox: Project = {
  name: 'firefox',
  testIgnore: CHROMIUM_ONLY,
  // Server-side subjects (test/e2e/support/engines.ts): Chromium covers them; a 20-minute CI bound.
  grepInvert: /@one-engine/,
  use: {
    browserName: 'firefox',
    channel: 'moz-firefox',
    launchOptions: {
      executablePath: FIREFOX_PATH,
      env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      firefoxUserPrefs: {
        'services.settings.server': 'http://127.0.0.1:1/',
        'app.update.enabled': false,
        'toolkit.telemetry.enabled': false,
        'network.captive-portal-service.enabled': false,
        'browser.safebrowsing.update.enabled': false,
      },
    },
  },
}

/** Chromium always; Firefox where Debian's firefox-esr is installed (.ci/run installs it). */
const projects: Project[] = [chromium, ...(existsSync(FIREFOX_PATH) ? [firefox] : [])]

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/support/global-setup.ts',
  // One worker: specs count the sockets of the run's one Realtime server, and 2 cores carry one
  // browser with five pages and a SharedWorker comfortably, two of them less so.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 60_000,
  // The e2e suite takes about 6 minutes on 2 cores; a hung run fails here instead of hanging CI
  // (.ci/run must stay under 20 minutes in all).
  globalTimeout: process.env['CI'] ? 14 * 60_000 : 0,
  expect: { timeout: 10_000 },
  use: { trace: 'off', video: 'off', screenshot: 'off' },
  projects,
})
