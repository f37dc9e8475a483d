/**
 * Plain HTTP routes. Every response carries permissive CORS headers, because the demo page and its
 * SharedWorker call these from another port, and the `apikey` header forces a preflight.
 *
 * | route | what |
 * |---|---|
 * | `OPTIONS *` | CORS preflight, 204 |
 * | `GET /stats` | `Stats` JSON |
 * | `POST /realtime/v1/api/broadcast` | REST batch broadcast, 202 |
 * | `POST /realtime/v1/api/broadcast/:topic/events/:event` | REST single broadcast, 202 |
 * | `GET`, `POST /rest/v1/:table` | the PostgREST subset (postgrest.ts) |
 * | `POST /dev/token` | dev only: `{sub, expiresInS?, role?}` → `{access_token}` |
 * | `POST /dev/drop` | dev only: server-side close of every socket |
 * | `POST /dev/emit` | dev only: body is a `Change`; → `{delivered}` channels |
 * | `/sub/…`, `/pub/…` | the SSE endpoint (sse.ts), with nchan's CORS instead of the above |
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from './context.ts'
import { dropAll, statsOf } from './context.ts'
import type { Database } from './database.ts'
import { isRecord, toChange, type Change } from './postgres.ts'
import { isRestRoute, serveRest } from './postgrest.ts'
import { isBroadcastRoute, serveBroadcast, type Answer } from './rest.ts'

/** Largest accepted request body: the real payload limit, 3000 KB plus envelope. */
const MAX_BODY_BYTES = 3000 * 1024 + 500

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  // postgrest-js reads the row range from here (`count`), so a browser must be allowed to see it.
  'access-control-expose-headers': 'content-range',
  'access-control-allow-headers': 'apikey, authorization, content-type, x-client-info',
  'access-control-max-age': '86400',
}
// postgrest-js adds prefer (inserts) and accept-/content-profile (the schema) to supabase-js's headers.
const REST_HEADERS = `${CORS['access-control-allow-headers']}, prefer, accept-profile, content-profile, range`

/**
 * What the routes reach besides the context: the server's `emitChange` (so /dev/emit and the API
 * share it) and the database of the REST subset.
 *
 * @example
 * const routes: Routes = { emitChange: (change) => deliverChange(ctx, change), db: () => store.open() }
 */
export interface Routes {
  emitChange(change: Change): number
  /** The database, opened on first use. */
  db(): Promise<Database>
}

/**
 * Build the request listener.
 *
 * @example
 * http.createServer(createHttpHandler(ctx, { emitChange: (change) => deliverChange(ctx, change), db: () => store.open() }))
 */
export function createHttpHandler(ctx: Context, routes: Routes): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (ctx.sse.handle(req, res)) return
    route(ctx, routes, req)
      .then((answer) => send(res, answer))
      .catch((error: unknown) => send(res, { status: 400, body: { error: errorText(error) } }))
  }
}

async function route(ctx: Context, routes: Routes, req: IncomingMessage): Promise<Answer> {
  const { emitChange } = routes
  const url = new URL(req.url ?? '/', 'http://localhost')
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') return { status: 204, ...(isRestRoute(url.pathname) ? { headers: { 'access-control-allow-headers': REST_HEADERS } } : {}) }
  if (url.pathname === '/stats' && method === 'GET') return { status: 200, body: statsOf(ctx) }
  if (isRestRoute(url.pathname)) return serveRest({ db: await routes.db(), tokens: ctx.tokens }, req, url, await readBody(req))
  if (method !== 'POST') return { status: 404, body: { error: 'Not found' } }
  if (isBroadcastRoute(url.pathname)) return serveBroadcast(ctx, req, url, await readBody(req))
  switch (url.pathname) {
    case '/dev/token':
      return mintRoute(ctx, await readBody(req))
    case '/dev/drop':
      dropAll(ctx)
      return { status: 200, body: { dropped: true } }
    case '/dev/emit': {
      const change = toChange(parseJson(await readBody(req)))
      if (change === null) return { status: 422, body: { error: 'Expected {schema, table, type, record?, old_record?}' } }
      return { status: 200, body: { delivered: emitChange(change) } }
    }
    default:
      return { status: 404, body: { error: 'Not found' } }
  }
}

async function mintRoute(ctx: Context, body: Buffer): Promise<Answer> {
  const input = parseJson(body)
  if (!isRecord(input) || typeof input['sub'] !== 'string') {
    return { status: 422, body: { error: 'Expected {sub: string, expiresInS?: number, role?: string}' } }
  }
  const { sub, role, expiresInS } = input
  const access_token = await ctx.tokens.mint({
    sub,
    ...(typeof role === 'string' ? { role } : {}),
    ...(typeof expiresInS === 'number' && Number.isFinite(expiresInS) ? { expiresInS } : {}),
  })
  return { status: 200, body: { access_token } }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Payload too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent) return
  const hasBody = answer.body !== undefined
  res.writeHead(answer.status, { ...CORS, ...(hasBody ? { 'content-type': 'application/json' } : {}), ...answer.headers })
  res.end(hasBody ? JSON.stringify(answer.body) : undefined)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
