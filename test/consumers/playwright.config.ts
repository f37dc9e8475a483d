/**
 * The consumer apps' browser check (`npm run test:consumers`, after build.ts built them): Chromium
 * only, one test at a time (each counts its own Realtime server's sockets, on 2 cores).
 */
import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS, chromiumPath } from '../../playwright.config.ts'

const executablePath = chromiumPath()

export default defineConfig({
  testDir: '.',
  testMatch: ['consumers.spec.ts', 'quick-start.spec.ts'],
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 60_000,
  globalTimeout: process.env['CI'] ? 5 * 60_000 : 0,
  expect: { timeout: 15_000 },
  use: {
    browserName: 'chromium',
    launchOptions: { args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) },
    trace: 'off', video: 'off', screenshot: 'off',
  },
})
