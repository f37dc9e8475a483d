/**
 * The WebSocket upgrade: path, `vsn` and `apikey` checks, answered with HTTP errors like the real server
 * (REALTIME_PROTOCOL.md §1.2, §8) before any frame is exchanged.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketServer } from 'ws'
import type { Context } from './context.ts'
import type { Vsn } from './serializer.ts'
import { Connection } from './socket.ts'
import { upgradeError } from './tokens.ts'

const SOCKET_PATHS = new Set(['/realtime/v1/websocket', '/socket/websocket'])

/**
 * An HTTP server's `upgrade` listener.
 *
 * @example
 * const refuseAll: UpgradeListener = (_req, socket) => socket.destroy()
 */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

/**
 * Send each upgrade to the listener of its exact path, the rest to `fallback` (the Realtime paths).
 *
 * @example
 * server.on('upgrade', dispatchUpgrades(new Map([['/ws/inbox/', inbox.upgrade]]), createUpgradeHandler(ctx, wss)))
 */
export function dispatchUpgrades(routes: ReadonlyMap<string, UpgradeListener>, fallback: UpgradeListener): UpgradeListener {
  return (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    ;(routes.get(pathname) ?? fallback)(req, socket, head)
  }
}

/**
 * Build the `upgrade` listener of the HTTP server.
 *
 * @example
 * server.on('upgrade', createUpgradeHandler(ctx, new WebSocketServer({ noServer: true })))
 */
export function createUpgradeHandler(ctx: Context, wss: WebSocketServer): UpgradeListener {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    accept(ctx, wss, req, socket, head).catch(() => refuse(socket, 500, 'Error connecting to Realtime'))
  }
}

async function accept(ctx: Context, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (!SOCKET_PATHS.has(url.pathname)) return refuse(socket, 404, 'Not found')
  const vsn = parseVsn(url.searchParams.get('vsn'))
  if (vsn === null) return refuse(socket, 403, 'Unsupported serializer version')
  // Kong sets x-api-key; the browser client can only use the query string.
  const header = req.headers['x-api-key']
  const apikey = (typeof header === 'string' ? header : '') || (url.searchParams.get('apikey') ?? '')
  if (apikey === '') return refuse(socket, 401, 'API key is missing')
  const check = await ctx.tokens.verify(apikey)
  if (!check.ok) return refuse(socket, 401, upgradeError(check))
  wss.handleUpgrade(req, socket, head, (ws) => {
    new Connection(ctx, ws, { vsn, apikey, claims: check.claims })
  })
}

// Phoenix accepts `~> 1.0.0` / `~> 2.0.0` and assumes 1.0.0 when vsn is absent.
function parseVsn(value: string | null): Vsn | null {
  if (value === null) return '1.0.0'
  if (/^1\.0\.\d+$/.test(value)) return '1.0.0'
  if (/^2\.0\.\d+$/.test(value)) return '2.0.0'
  return null
}

function refuse(socket: Duplex, status: number, error: string): void {
  if (socket.destroyed) return
  const body = JSON.stringify({ error })
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `access-control-allow-origin: *\r\nconnection: close\r\n\r\n${body}`,
  )
}
