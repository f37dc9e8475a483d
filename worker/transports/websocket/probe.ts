/**
 * Why a WebSocket closed before it ever opened. Browsers hide the HTTP answer to a refused upgrade
 * (a wrong path, a refused token and a stopped server all read close code 1006,
 * https://websockets.spec.whatwg.org/#feedback-from-the-protocol), so the attempt asks the same
 * URL over HTTP: no answer at all means the server cannot be reached; any answer (a 404, an SPA
 * host's HTML page, a 426) means it is up and no WebSocket opened at that path.
 */
import type { CloseReason } from '../transport.ts'

/**
 * A socket URL as messages may show it: `http(s)://host/path`, without the query (it may hold
 * the token).
 * @example
 * socketPlace('ws://127.0.0.1:8000/ws/inbox/?token=x') // 'http://127.0.0.1:8000/ws/inbox/'
 */
export function socketPlace(socketUrl: string): string {
  return socketUrl.replace(/^ws/, 'http').replace(/[?#].*/s, '')
}

const retry = (message: string): CloseReason => ({ kind: 'retry', error: { code: 'transport', message } })

/**
 * Asks the socket's URL over HTTP why the socket closed `code` before it opened; always a
 * `retry` (a server starting or a path being deployed heals), with a message saying which.
 * @example
 * const reason = await probeSocket('ws://127.0.0.1:8000/ws/inbox/', 1006, fetch)
 */
export async function probeSocket(socketUrl: string, code: number, fetcher: typeof fetch, timeoutMs = 5_000): Promise<CloseReason> {
  const place = socketPlace(socketUrl)
  let status: number
  try {
    // no-cors: a server of another origin answers too (opaquely, status 0); only an unreachable one fails.
    const response = await fetcher(place, { mode: 'no-cors', signal: AbortSignal.timeout(timeoutMs) })
    void response.body?.cancel().catch(() => undefined)
    status = response.status
  } catch {
    return retry(`cannot reach the server at ${place} (network error, socket closed ${code}); retrying`)
  }
  // A dev server or SPA host answers unknown paths with its page (200); a WebSocket-only route
  // that refused the upgrade (e.g. for the token) answers a plain request with 404 or 426.
  return retry(`no WebSocket opened at ${place} (socket closed ${code}; a plain request gets ${status ? `HTTP ${status}` : 'an answer'}): check the path, then the token; retrying`)
}
