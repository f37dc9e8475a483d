/**
 * A PostgREST-compatible subset on `/rest/v1/:table`, enough for supabase-js's
 * `from(t).select().eq().gt().order().limit()` (GET), `.single()` and `.insert().select()` (POST).
 * Tokens are checked as for Realtime: the `apikey` header must verify, and so must a bearer token.
 * There is no RLS: every verified caller reads and writes every table of `public`.
 */
import type { IncomingMessage } from 'node:http'
import { sqlError, type Database } from './database.ts'
import { isRecord } from './postgres.ts'
import { insertQuery, quoteIdent, RestError, selectQuery, type RestTable, type Statement } from './postgrest-query.ts'
import type { Answer } from './rest.ts'
import type { TokenCheck, Tokens } from './tokens.ts'

const ROUTE = /^\/rest\/v1\/([^/]+)\/?$/
const OBJECT_TYPE = 'application/vnd.pgrst.object+json'

/**
 * Whether the pathname is a table route of the REST subset.
 *
 * @example
 * isRestRoute('/rest/v1/messages') // true
 */
export function isRestRoute(pathname: string): boolean {
  return ROUTE.test(pathname)
}

/**
 * Serves one REST request whose body has been read; every failure is PostgREST's JSON error shape.
 *
 * @example
 * const answer = await serveRest({ db, tokens }, req, url, body)
 */
export async function serveRest(deps: { db: Database; tokens: Tokens }, req: IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
  try {
    await authorize(deps.tokens, req, url)
    const name = decodeURIComponent(ROUTE.exec(url.pathname)?.[1] ?? '')
    const table = await lookUp(deps.db, name)
    const method = req.method ?? 'GET'
    if (method === 'GET') return respond(req, 200, await run(deps.db, selectQuery(table, url.searchParams)))
    if (method === 'POST') return await insert(deps.db, req, table, url, body)
    throw new RestError(405, { code: 'PGRST117', message: `Unsupported HTTP method: ${method}` })
  } catch (error) {
    return failure(error)
  }
}

async function authorize(tokens: Tokens, req: IncomingMessage, url: URL): Promise<void> {
  const header = req.headers['apikey']
  const apikey = typeof header === 'string' ? header : url.searchParams.get('apikey')
  // The gateway in front of the real PostgREST refuses a missing or unknown key before PostgREST runs.
  if (apikey === null || !(await tokens.verify(apikey)).ok) {
    throw new RestError(401, { code: 'PGRST301', message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' })
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (bearer === undefined) return
  const check = await tokens.verify(bearer)
  if (!check.ok) throw jwtError(check)
}

function jwtError(check: Extract<TokenCheck, { ok: false }>): RestError {
  if (check.message.startsWith('Token has expired')) return new RestError(401, { code: 'PGRST303', message: 'JWT expired' })
  if (check.code === 'JwtSignatureError') return new RestError(401, { code: 'PGRST301', message: 'JWSError JWSInvalidSignature' })
  return new RestError(401, { code: 'PGRST301', message: check.message })
}

async function lookUp(db: Database, name: string): Promise<RestTable> {
  const { rows } = await db.query<{ attname: string }>(
    `select a.attname from pg_attribute a
      where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [`public.${quoteIdent(name)}`],
  )
  if (rows.length === 0) {
    throw new RestError(404, { code: 'PGRST205', message: `Could not find the table 'public.${name}' in the schema cache` })
  }
  return { name, columns: rows.map((row) => row.attname) }
}

async function run(db: Database, statement: Statement): Promise<unknown[]> {
  const { rows } = await db.query<{ body: unknown }>(statement.sql, statement.params)
  const body = rows[0]?.body
  return Array.isArray(body) ? body : []
}

async function insert(db: Database, req: IncomingMessage, table: RestTable, url: URL, body: Buffer): Promise<Answer> {
  const rows = parseRows(body)
  const inserted = await run(db, insertQuery(table, rows, url.searchParams))
  const prefer = String(req.headers['prefer'] ?? '')
  if (!/\breturn=representation\b/.test(prefer)) return { status: 201 }
  return respond(req, 201, inserted)
}

function parseRows(body: Buffer): Record<string, unknown>[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new RestError(400, { code: 'PGRST102', message: 'Empty or invalid json' })
  }
  const rows = Array.isArray(parsed) ? parsed : [parsed]
  if (!rows.every(isRecord)) throw new RestError(400, { code: 'PGRST102', message: 'All object keys must match' })
  return rows
}

// `.single()` asks for one object; anything but exactly one row is PostgREST's 406.
function respond(req: IncomingMessage, status: number, rows: unknown[]): Answer {
  const range = rows.length === 0 ? '*/*' : `0-${rows.length - 1}/*`
  if (!String(req.headers.accept ?? '').includes(OBJECT_TYPE)) return { status, body: rows, headers: { 'content-range': range } }
  if (rows.length !== 1) {
    throw new RestError(406, {
      code: 'PGRST116',
      message: 'JSON object requested, multiple (or no) rows returned',
      details: `The result contains ${rows.length} rows`,
    })
  }
  return { status, body: rows[0], headers: { 'content-range': range, 'content-type': `${OBJECT_TYPE}; charset=utf-8` } }
}

// PostgREST's status for a database error: conflicts 409, permissions 403, other client errors 400.
function statusOf(code: string): number {
  if (code === '23505' || code === '23503') return 409
  if (code === '42501') return 403
  if (code === '42P01') return 404
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('57') || code.startsWith('XX') ? 503 : 400
}

function failure(error: unknown): Answer {
  if (error instanceof RestError) {
    return { status: error.status, body: { code: error.code, details: error.details, hint: error.hint, message: error.message } }
  }
  const sql = sqlError(error)
  if (sql !== null) return { status: statusOf(sql.code), body: { code: sql.code, details: sql.detail, hint: sql.hint, message: sql.message } }
  const message = error instanceof Error ? error.message : String(error)
  return { status: 500, body: { code: 'PGRST000', details: null, hint: null, message } }
}
