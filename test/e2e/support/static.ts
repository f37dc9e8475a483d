/**
 * A tiny static file server for the built test app: 127.0.0.1, a free port, no directory listing,
 * nothing outside its root.
 */
import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
}

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:PORT/` */
  url: string
  close(): Promise<void>
}

/**
 * Serves `root` on 127.0.0.1 at a free port; `/` is `index.html`.
 * @example
 * const app = await serveStatic('/tmp/app'); await page.goto(app.url); await app.close()
 */
export async function serveStatic(root: string): Promise<StaticServer> {
  const base = normalize(root + sep)
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    const file = normalize(join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname))
    if (!file.startsWith(base)) {
      res.writeHead(403).end()
      return
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
        res.end(body)
      },
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
