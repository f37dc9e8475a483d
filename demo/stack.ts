/**
 * The demo stack in one process: the local realtime server and the Vite dev server of the demo
 * page, wired together. Used by `npm run demo` (`demo/run.ts`) and the demo's e2e test.
 */
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createServer, type LogLevel } from 'vite'
import { startRealtimeServer, type RealtimeServer } from './server/index.ts'
import { startSocketIoChat, type SocketIoChat } from './server/socketio.ts'

/** A running demo page (the Vite dev server). */
export interface DemoPage {
  /** The page's base URL, `http://127.0.0.1:PORT/`; add `?user=alice`. */
  url: string
  close(): Promise<void>
}

/** A running demo: the realtime server and the page. */
export interface DemoStack {
  realtime: RealtimeServer
  /** The Socket.IO chat server of `?transport=socketio&sio=<its url>`. */
  socketio: SocketIoChat
  pageUrl: string
  close(): Promise<void>
}

/** Ports (0 = any free one) and knobs of {@link startDemo}. */
export interface DemoOptions {
  realtimePort: number
  demoPort: number
  /** The Socket.IO chat server's port; default 0 (any free one). */
  socketioPort?: number
  jwtSecret?: string
  logLevel?: LogLevel
  /** A PostgreSQL URL; default PGlite. */
  databaseUrl?: string
  /** PGlite's data directory, so the chat keeps its history across restarts; default in memory. */
  dataDir?: string
}

const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url))

/** Knobs of {@link serveDemoPage}. */
export interface DemoPageOptions {
  /** 0 = any free port. */
  port: number
  logLevel?: LogLevel
  /**
   * Default true: Vite watches the sources and reloads open pages when one changes (development).
   * False for tests: a source saved mid-run must not reload the pages under test.
   */
  isWatching?: boolean
}

/**
 * Serves the demo page with Vite's dev server on 127.0.0.1, pointed at a running realtime server.
 * @example
 * const page = await serveDemoPage({ url: server.url, anonKey: server.anonKey }, { port: 0 })
 */
export async function serveDemoPage(realtime: { url: string; anonKey: string }, options: DemoPageOptions): Promise<DemoPage> {
  const isWatching = options.isWatching ?? true
  const vite = await createServer({
    configFile: CONFIG_FILE,
    logLevel: options.logLevel ?? 'info',
    define: { __REALTIME_URL__: JSON.stringify(realtime.url), __ANON_KEY__: JSON.stringify(realtime.anonKey) },
    server: {
      host: '127.0.0.1', port: options.port, strictPort: options.port !== 0,
      ...(isWatching ? {} : { hmr: false, watch: null }),
    },
  })
  try {
    await vite.listen()
    const address = vite.httpServer?.address()
    if (address === null || address === undefined || typeof address === 'string') throw new Error('the Vite dev server has no TCP address')
    return { url: `http://127.0.0.1:${(address as AddressInfo).port}/`, close: () => vite.close() }
  } catch (error) {
    await vite.close()
    throw error
  }
}

/**
 * Starts the realtime server and the demo page on 127.0.0.1; the page gets this server's URL and anon key.
 * @example
 * const demo = await startDemo({ realtimePort: 0, demoPort: 0 })
 * await page.goto(`${demo.pageUrl}?user=alice`); await demo.close()
 */
export async function startDemo(options: DemoOptions): Promise<DemoStack> {
  const { jwtSecret, databaseUrl, dataDir } = options
  const realtime = await startRealtimeServer({
    port: options.realtimePort, host: '127.0.0.1', isDatabaseEager: true,
    ...(jwtSecret ? { jwtSecret } : {}), ...(databaseUrl ? { databaseUrl } : {}), ...(dataDir ? { dataDir } : {}),
  })
  let socketio: SocketIoChat | null = null
  try {
    socketio = await startSocketIoChat({ port: options.socketioPort ?? 0, ...(jwtSecret ? { jwtSecret } : {}) })
    const page = await serveDemoPage(realtime, { port: options.demoPort, ...(options.logLevel ? { logLevel: options.logLevel } : {}) })
    let isClosed = false
    const chat = socketio
    return {
      realtime,
      socketio: chat,
      pageUrl: page.url,
      async close() {
        if (isClosed) return
        isClosed = true
        await Promise.allSettled([page.close(), realtime.close(), chat.close()])
      },
    }
  } catch (error) {
    await Promise.allSettled([realtime.close(), socketio?.close()])
    throw error
  }
}
