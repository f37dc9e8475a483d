/**
 * Playwright global setup: builds the test app once with Vite, serves it, starts the run's Realtime
 * server, and publishes both addresses (env.ts). The returned function is the teardown.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { startRealtimeServer } from '../../../demo/server/index.ts'
import { ENV_KEYS } from './env.ts'
import { serveStatic } from './static.ts'

const APP_ROOT = fileURLToPath(new URL('../app/', import.meta.url))

/**
 * Builds `test/e2e/app` into a fresh temporary directory and returns that directory.
 * @example
 * const outDir = await buildApp()
 */
export async function buildApp(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'tabrelay-e2e-app-'))
  await build({
    root: APP_ROOT,
    // The repo's own vite config (if any) belongs to the demo, not to this app.
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir, emptyOutDir: true, sourcemap: true, minify: false,
      // index.html: the plain client; react.html: the same hub under tabrelay/react in StrictMode;
      // ws.html: createRelay over the plain WebSocket transport; sio.html: over Socket.IO.
      rollupOptions: { input: { main: join(APP_ROOT, 'index.html'), react: join(APP_ROOT, 'react.html'), ws: join(APP_ROOT, 'ws.html'), sio: join(APP_ROOT, 'sio.html') } },
    },
    // React's development build: only it runs StrictMode's double mount, which react.html tests.
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
    // Module workers may code-split; the default 'iife' cannot.
    worker: { format: 'es' },
  })
  return outDir
}

/**
 * Builds and serves the app, starts the Realtime server, sets the env.ts variables; returns the
 * teardown that stops both and removes the build.
 * @example
 * // playwright.config.ts
 * export default defineConfig({ globalSetup: './test/e2e/support/global-setup.ts' })
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now()
  const outDir = await buildApp()
  const app = await serveStatic(outDir)
  const realtime = await startRealtimeServer({ port: 0, host: '127.0.0.1' })
  process.env[ENV_KEYS.appUrl] = app.url
  process.env[ENV_KEYS.realtimeUrl] = realtime.url
  process.env[ENV_KEYS.anonKey] = realtime.anonKey
  console.log(`e2e: app built and served at ${app.url}, realtime at ${realtime.url} (${Date.now() - started} ms)`)
  return async () => {
    await Promise.allSettled([app.close(), realtime.close()])
    await rm(outDir, { recursive: true, force: true })
  }
}
