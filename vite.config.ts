/**
 * Vite config of the demo (`demo/`): `npm run demo` serves it through `demo/run.ts`,
 * `npm run demo:build` builds it to `demo/dist`, `npm run demo:preview` serves the build.
 *
 * The page needs the realtime server's URL and anon key. They are build-time constants
 * (`__REALTIME_URL__`, `__ANON_KEY__`): `demo/run.ts` passes the running server's, and a plain
 * `vite build` uses env `REALTIME_URL` / `REALTIME_ANON_KEY`, else the local server's defaults
 * (`http://127.0.0.1:54321`, the anon key of the dev JWT secret). `?realtime=` and `?apikey=`
 * override both at run time. The key must be one fixed string: the hub keys a connection by
 * (url, apikey, user), so tabs with different apikeys would not share a socket.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig, type UserConfig } from 'vite'
import { DEFAULT_PORT } from './demo/server/index.ts'
import { createTokens, DEV_JWT_SECRET } from './demo/server/tokens.ts'

export default defineConfig(async (): Promise<UserConfig> => {
  const secret = process.env['REALTIME_JWT_SECRET'] ?? DEV_JWT_SECRET
  const realtimeUrl = process.env['REALTIME_URL'] ?? `http://127.0.0.1:${process.env['REALTIME_PORT'] ?? DEFAULT_PORT}`
  const anonKey = process.env['REALTIME_ANON_KEY'] ?? (await createTokens(secret).anonKey())
  const port = Number(process.env['DEMO_PORT'] ?? 5173)
  return {
    root: fileURLToPath(new URL('./demo', import.meta.url)),
    publicDir: false,
    clearScreen: false,
    define: {
      __REALTIME_URL__: JSON.stringify(realtimeUrl),
      __ANON_KEY__: JSON.stringify(anonKey),
    },
    // The worker's imports (realtime-js) are invisible to the scan of index.html; listing the
    // worker as an entry avoids a mid-session re-optimization that reloads every open tab.
    optimizeDeps: { entries: ['index.html', 'worker.ts'] },
    server: { host: '127.0.0.1', port, strictPort: true },
    preview: { host: '127.0.0.1', port: Number(process.env['DEMO_PORT'] ?? 4173), strictPort: true },
    worker: { format: 'es' },
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  }
})
