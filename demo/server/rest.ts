/**
 * The REST broadcast endpoints (REALTIME_PROTOCOL.md §7): batch `POST …/api/broadcast` used by the
 * `send()` fallback, and single `POST …/api/broadcast/:topic/events/:event` used by `httpSend()`.
 */
import type { IncomingMessage } from 'node:http'
import { fanOutJson, fanOutUser, storeIfPersisted } from './broadcast.ts'
import { namespaceKey } from './channels.ts'
import type { Context } from './context.ts'
import { isRecord } from './postgres.ts'

/**
 * A JSON answer: status plus optional body.
 *
 * @example
 * const answer: Answer = { status: 202 }
 */
export interface Answer {
  status: number
  body?: unknown
  /** Extra response headers (lowercase names); `content-type` here replaces the JSON default. */
  headers?: Record<string, string>
}

const SINGLE = /^\/(?:realtime\/v1\/)?api\/broadcast\/([^/]+)\/events\/([^/]+)$/
const BATCH = /^\/(?:realtime\/v1\/)?api\/broadcast\/?$/

/**
 * Whether a pathname is one of the REST broadcast routes (query strings are ignored, trap 15).
 *
 * @example
 * isBroadcastRoute('/realtime/v1/api/broadcast') // true
 */
export function isBroadcastRoute(pathname: string): boolean {
  return SINGLE.test(pathname) || BATCH.test(pathname)
}

/**
 * Serve a REST broadcast request whose body has been read.
 *
 * @example
 * const answer = await serveBroadcast(ctx, req, url, body)
 */
export async function serveBroadcast(ctx: Context, req: IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
  if (!(await isAuthorized(ctx, req))) return { status: 401, body: { message: 'Unauthorized' } }
  const single = SINGLE.exec(url.pathname)
  if (single !== null) {
    const [, topic = '', event = ''] = single
    return serveSingle(ctx, req, url, { topic: decodeURIComponent(topic), event: decodeURIComponent(event), body })
  }
  return serveBatch(ctx, body)
}

// The real server accepts the bearer token or the apikey header, either of which must verify as a JWT.
async function isAuthorized(ctx: Context, req: IncomingMessage): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  const apikey = req.headers['apikey']
  for (const token of [bearer, typeof apikey === 'string' ? apikey : undefined]) {
    if (token !== undefined && (await ctx.tokens.verify(token)).ok) return true
  }
  return false
}

function serveSingle(
  ctx: Context,
  req: IncomingMessage,
  url: URL,
  msg: { topic: string; event: string; body: Buffer },
): Answer {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  const isPrivate = url.searchParams.get('private') === 'true'
  const topic = `realtime:${msg.topic}`
  const key = namespaceKey(topic, isPrivate)
  // httpSend's `persist`: `persist=true`, or `persist[ttl]=<s>`.
  const ttl = url.searchParams.get('persist[ttl]')
  const persist = ttl === null ? url.searchParams.get('persist') : { ttl }
  if (type === 'application/octet-stream') {
    const stored = { event: msg.event, encoding: 0 as const, payload: msg.body }
    fanOutUser(ctx, key, { ...stored, topic, metadata: storeIfPersisted(ctx, key, isPrivate, { persist }, stored) })
    return { status: 202 }
  }
  if (type !== 'application/json') {
    return { status: 415, body: { error: 'Unsupported Media Type: use application/json or application/octet-stream' } }
  }
  if (!isJson(msg.body)) return { status: 422, body: { errors: { payload: ['is not valid JSON'] } } }
  const stored = { event: msg.event, encoding: 1 as const, payload: msg.body }
  fanOutUser(ctx, key, { ...stored, topic, metadata: storeIfPersisted(ctx, key, isPrivate, { persist }, stored) })
  return { status: 202 }
}

function serveBatch(ctx: Context, body: Buffer): Answer {
  const messages = parseBatch(body)
  if (typeof messages === 'string') return { status: 422, body: { errors: { messages: [messages] } } }
  for (const m of messages) {
    const topic = `realtime:${m.topic}`
    const payload: Record<string, unknown> = { type: 'broadcast', event: m.event, payload: m.payload }
    if (m.id !== undefined) payload['meta'] = { id: m.id }
    fanOutJson(ctx, namespaceKey(topic, m.isPrivate), payload)
  }
  return { status: 202 }
}

interface BatchMessage {
  topic: string
  event: string
  payload: Record<string, unknown>
  isPrivate: boolean
  id?: unknown
}

function parseBatch(body: Buffer): BatchMessage[] | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return 'body is not valid JSON'
  }
  const list = isRecord(parsed) ? parsed['messages'] : undefined
  if (!Array.isArray(list)) return 'messages must be a list'
  const messages: BatchMessage[] = []
  for (const m of list) {
    if (!isRecord(m) || typeof m['topic'] !== 'string' || typeof m['event'] !== 'string' || !isRecord(m['payload'])) {
      return 'each message needs a string topic, a string event and an object payload'
    }
    const message: BatchMessage = { topic: m['topic'], event: m['event'], payload: m['payload'], isPrivate: m['private'] === true }
    if (m['id'] !== undefined) message.id = m['id']
    messages.push(message)
  }
  return messages
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'))
    return true
  } catch {
    return false
  }
}
