/**
 * HTTP answers of an SSE server as the hub's close reasons, and the POST that publishes a send.
 */
import type { Clock } from '../../../src/contract/clock.ts'
import type { SendResult } from '../../../src/contract/protocol.ts'
import type { CloseReason } from '../transport.ts'

/**
 * How 401 and 403 end an attempt (`unauthorized`: the hub asks a tab for a fresh token first).
 * @example
 * const policy: AuthPolicy = { onUnauthorized: 'unauthorized', onForbidden: 'fatal' }
 */
export interface AuthPolicy {
  onUnauthorized: 'unauthorized' | 'fatal'
  onForbidden: 'unauthorized' | 'fatal'
}

// Retry-After in seconds (RFC 9110 §10.2.3); the HTTP-date form is rare on streams and ignored.
function retryAfterMs(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after') ?? '')
  return Number.isFinite(value) && value > 0 ? value * 1000 : undefined
}

/**
 * Whether a response is an HTML page: what a dev server or an SPA host answers for a path it does
 * not know, with status 200.
 * @example
 * isHtml(new Response('<html>', { headers: { 'content-type': 'text/html' } })) // true
 */
export function isHtml(response: Response): boolean {
  return response.headers.get('content-type')?.includes('text/html') === true
}

/**
 * The close reason of a stream request the server refused: auth per policy, 408/429/5xx retried
 * (with the server's Retry-After as floor), any other status or an HTML page fatal (a wrong URL
 * does not heal by retrying). A 400 on a resume is retried: the caller forgets the id first.
 * `where` is the stream's origin and path (never its query: it may hold a token).
 * @example
 * refusal(new Response(null, { status: 401 }), policy) // { kind: 'unauthorized', error: { code: 'unauthorized', … } }
 */
export function refusal(response: Response, policy: AuthPolicy, where = ''): CloseReason {
  const { status } = response
  const stream = where === '' ? 'the SSE stream' : `the SSE stream at ${where}`
  if (status === 200 && isHtml(response)) {
    return { kind: 'fatal', error: { code: 'transport', message: `${stream} answered an HTML page (HTTP 200), not text/event-stream: check the stream URL (a dev server or an SPA host answers unknown paths with its page)` } }
  }
  const message = `${stream} answered HTTP ${status}`
  if (status === 401 || status === 403) {
    const kind = status === 401 ? policy.onUnauthorized : policy.onForbidden
    return { kind, error: { code: 'unauthorized', message: `${message}; sign in again` } }
  }
  const floor = retryAfterMs(response)
  const isRetried = status === 400 || status === 408 || status === 429 || status >= 500
  if (!isRetried) return { kind: 'fatal', error: { code: 'transport', message: `${message}; check the stream URL` } }
  return { kind: 'retry', error: { code: 'transport', message }, ...(floor === undefined ? {} : { retryAfterMs: floor }) }
}

/**
 * What a publish needs: the request and the time it may take.
 * @example
 * const request: PublishRequest = { url, body: '{"type":"message"}', headers: {}, credentials: 'same-origin', fetch, clock, timeoutMs: 10_000 }
 */
export interface PublishRequest {
  url: string
  body: string
  headers: Record<string, string>
  credentials: RequestCredentials
  fetch: typeof fetch
  clock: Clock
  timeoutMs: number
}

/**
 * POSTs one send; any 2xx is the server's ack (nchan answers 201 or 202).
 * @example
 * await publish(request) // 'ok'
 */
export async function publish(request: PublishRequest): Promise<SendResult> {
  const abort = new AbortController()
  let isTimedOut = false
  const cancel = request.clock.setTimeout(() => { isTimedOut = true; abort.abort() }, request.timeoutMs)
  try {
    const response = await request.fetch(request.url, {
      method: 'POST', body: request.body, credentials: request.credentials, signal: abort.signal,
      headers: { 'content-type': 'application/json', ...request.headers },
    })
    // Read the body so the HTTP/1.1 connection is free for the next request.
    await response.arrayBuffer().catch(() => undefined)
    return response.ok ? 'ok' : 'error'
  } catch {
    return isTimedOut ? 'timed out' : 'error'
  } finally {
    cancel()
  }
}
