/**
 * The app's own Playwright set-up, as any app would have it: Chromium and Firefox (Debian's, as
 * the repository's playwright.config.ts explains), one worker, and a globalSetup that starts the
 * servers. Each test opens its tabs in its own browser context: one user, one hub.
 */
import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

const chromium = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

export default defineConfig({
  testDir: 'tests',
  globalSetup: './tests/global-setup.ts',
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: { trace: 'off', video: 'off', screenshot: 'off' },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: { args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'], ...(chromium ? { executablePath: chromium } : {}) },
      },
    },
    {
      name: 'firefox',
      use: {
        browserName: 'firefox',
        channel: 'moz-firefox',
        launchOptions: {
          executablePath: '/usr/bin/firefox-esr',
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
    },
  ],
})
