/**
 * The WebKit suite's runner (`npm run test:webkit`): Safari's engine through Debian's
 * WebKitWebDriver + MiniBrowser under a private Xvfb, against the built e2e test app and the local
 * Realtime server. Runs test/webkit/*.test.ts with Node's test runner, one file at a time (one
 * driver, one session at a time), prints a summary line and exits non-zero on any failure.
 * Arguments filter the files by name: `npm run test:webkit -- creator`.
 * Without /usr/bin/WebKitWebDriver it says so and exits 0 (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { run } from 'node:test'
import { spec } from 'node:test/reporters'
import { fileURLToPath } from 'node:url'
import { startRealtimeServer } from '../../demo/server/index.ts'
import { ENV_KEYS } from '../e2e/support/env.ts'
import { buildApp } from '../e2e/support/global-setup.ts'
import { serveStatic } from '../e2e/support/static.ts'
import { DRIVER_PID_KEY, DRIVER_URL_KEY } from './support/env.ts'
import { startDriver, startXvfb, type Running } from './support/processes.ts'

const DRIVER = process.env['WEBKIT_DRIVER_PATH'] ?? '/usr/bin/WebKitWebDriver'
const HERE = fileURLToPath(new URL('.', import.meta.url))

/** Starts everything the tests need, runs them, stops everything; returns the failure count. */
async function main(): Promise<number> {
  const started = Date.now()
  const stops: Array<() => Promise<void>> = []
  try {
    const outDir = await buildApp()
    stops.push(() => rm(outDir, { recursive: true, force: true }))
    const app = await serveStatic(outDir)
    stops.push(app.close)
    const realtime = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
    stops.push(realtime.close)
    const xvfb: Running = await startXvfb()
    stops.push(xvfb.stop)
    const driver: Running = await startDriver(xvfb.address, DRIVER)
    stops.push(driver.stop)
    process.env[ENV_KEYS.appUrl] = app.url
    process.env[ENV_KEYS.realtimeUrl] = realtime.url
    process.env[ENV_KEYS.anonKey] = realtime.anonKey
    process.env[DRIVER_URL_KEY] = driver.address
    process.env[DRIVER_PID_KEY] = String(driver.pid)
    console.log(`webkit: app ${app.url}, realtime ${realtime.url}, Xvfb ${xvfb.address}, WebKitWebDriver ${driver.address} (${Date.now() - started} ms)`)

    // `npm run test:webkit -- creator` runs the files whose names contain 'creator'.
    const only = process.argv.slice(2)
    const files = (await readdir(HERE))
      .filter((name) => name.endsWith('.test.ts') && (only.length === 0 || only.some((part) => name.includes(part))))
      .sort().map((name) => HERE + name)
    let passed = 0
    let failed = 0
    const stream = run({ files, concurrency: 1, timeout: 120_000 })
    stream.on('test:pass', (event) => { if (event.details.type !== 'suite') passed++ })
    stream.on('test:fail', (event) => { if (event.details.type !== 'suite') failed++ })
    for await (const chunk of stream.compose(spec)) process.stdout.write(chunk)
    if (passed + failed === 0) failed = 1
    console.log(`webkit suite: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return failed
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error('webkit: cleanup failed:', error))
  }
}

if (!existsSync(DRIVER)) {
  console.log('webkit suite skipped: WebKitWebDriver not installed')
} else {
  main().then((failed) => { process.exitCode = failed === 0 ? 0 : 1 }, (error: unknown) => {
    console.error('webkit suite could not run:', error)
    process.exitCode = 1
  })
}
