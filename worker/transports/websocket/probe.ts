/**
 * Why a WebSocket closed before it ever opened. Browsers hide the HTTP answer to a refused upgrade
 * (a wrong path, a refused token and a stopped server all read close code 1006,
 * https://websockets.spec.whatwg.org/#feedback-from-the-protocol), so the attempt asks the same
 * URL over HTTP: no answer at all means the server cannot be reached; a 404 or an HTML page means
 * nothing serves a WebSocket at that path; another answer means the server is up and refused the
 * upgrade. The messages name the server's origin and path, never the query (it may hold the token).
 */
import type { Clock } from '../../../src/contract/clock.ts'
import type { CloseReason } from '../transport.ts'

/** The `fetch` the probe uses: the worker's global one. */
export type ProbeFetch = (url: string, init: { mode: 'no-cors'; cache: 'no-store'; signal: AbortSignal }) => Promise<Response>

const retry = (message: string): CloseReason => ({ kind: 'retry', error: { code: 'transport', message } })

/**
 * The HTTP(S) origin and path of a socket URL, without its query: what messages may show.
 * @example
 * socketPlace('ws://127.0.0.1:8000/ws/inbox/?token=x') // { origin: 'http://127.0.0.1:8000', path: '/ws/inbox/' }
 */
export function socketPlace(socketUrl: string): { origin: string; path: string } {
  try {
    const url = new URL(socketUrl)
    url.protocol = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol
    return { origin: url.origin, path: url.pathname }
  } catch {
    return { origin: 'the server', path: '' }
  }
}

/**
 * Asks the socket's URL over HTTP why the socket closed before it opened; always a `retry`
 * (a path being deployed, or a server starting, heals), with a message saying what happened.
 * @example
 * const reason = await probeSocket('ws://127.0.0.1:8000/ws/inbox/', 1006, fetch, clock)
 */
export async function probeSocket(socketUrl: string, code: number, fetcher: ProbeFetch, clock: Clock, timeoutMs = 5_000): Promise<CloseReason> {
  const { origin, path } = socketPlace(socketUrl)
  const closed = `the socket closed ${code} before it opened`
  const abort = new AbortController()
  const cancel = clock.setTimeout(() => abort.abort(), timeoutMs)
  let response: Response
  try {
    // no-cors: a cross-origin server answers too (opaquely); only an unreachable one fails.
    response = await fetcher(`${origin}${path}`, { mode: 'no-cors', cache: 'no-store', signal: abort.signal })
  } catch {
    return retry(`cannot reach the server at ${origin} (network error, ${closed}); retrying`)
  } finally {
    cancel()
  }
  void response.body?.cancel().catch(() => undefined)
  const noSocket = `the server at ${origin} is up but no WebSocket opened at ${path} (${closed})`
  if (response.type === 'opaque') return retry(`${noSocket}: check the endpoint path, and that the server accepts this user's token; retrying`)
  const isHtml = response.headers.get('content-type')?.includes('text/html') === true
  if (response.status === 404 || isHtml) {
    const answer = isHtml ? `an HTML page (HTTP ${response.status})` : 'HTTP 404'
    return retry(`${noSocket}, and a plain request to that path answers ${answer}: check the endpoint path (a dev server or an SPA host answers unknown paths with its page; a WebSocket-only route that refused the upgrade, e.g. for the token, answers the same); retrying`)
  }
  return retry(`${noSocket}; a plain request to that path answers HTTP ${response.status}, so the server refused the upgrade: check that it accepts this user's token; retrying`)
}
