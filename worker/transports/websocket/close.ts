/**
 * How a closed socket ends an attempt: the app's close codes decide between "retry", "ask a tab
 * for a fresh token, then retry" and "stop". Messages never carry the URL (it holds the token).
 */
import type { CloseReason } from '../transport.ts'
import type { CloseCodes } from './options.ts'

/**
 * The attempt's end for a close `code` (and the server's `reason` text, if any) of a socket that
 * was open; `where` names the server (`socketPlace()`: never the query, which may hold the token).
 * @example
 * closeReasonOf(4401, '', { unauthorized: [4401, 4403], fatal: [] }).kind // 'unauthorized'
 * closeReasonOf(1006, '', codes, 'http://h/ws/').error.message // 'the connection to the server at http://h/ws/ was lost (1006: …); reconnecting'
 */
export function closeReasonOf(code: number, reason: string, codes: CloseCodes, where = ''): CloseReason {
  const server = where === '' ? 'the server' : `the server at ${where}`
  const closed = `${server} closed the socket (${code}${reason ? `: ${reason}` : ''})`
  if (codes.unauthorized.includes(code)) {
    return { kind: 'unauthorized', error: { code: 'unauthorized', message: `${closed}: it refused the token; asking a tab for a fresh one before retrying` } }
  }
  if (codes.fatal.includes(code)) {
    return { kind: 'fatal', error: { code: 'transport', message: `${closed}, which the worker maps to fatal: not retrying; reload the page once the cause is fixed` } }
  }
  // 1006: no close frame came (the server stopped, or the network dropped).
  const message = code === 1006 ? `the connection to ${server} was lost (1006: no close frame); reconnecting` : `${closed}; reconnecting`
  return { kind: 'retry', error: { code: 'transport', message } }
}

/**
 * The attempt's end when no pong came in time: the socket may look open but be dead (half-open).
 * @example
 * missedPong(10_000).kind // 'retry'
 */
export function missedPong(timeoutMs: number): CloseReason {
  return { kind: 'retry', error: { code: 'transport', message: `no pong within ${timeoutMs} ms: the socket is half-open or the server hangs; reconnecting` } }
}

/**
 * The attempt's end when the socket cannot even be constructed (a malformed URL, a refused
 * subprotocol): retrying the same settings cannot help.
 * @example
 * unusableSocket(new SyntaxError('Invalid URL')).kind // 'fatal'
 */
export function unusableSocket(error: unknown): CloseReason {
  const name = error instanceof Error ? error.name : 'Error'
  return { kind: 'fatal', error: { code: 'transport', message: `the WebSocket could not be created (${name}); check the endpoint and protocols given to the worker` } }
}

/**
 * The attempt's end when the server sent a frame over `maxFrameBytes`: it is not decoded or
 * delivered; the next attempt starts clean and the hub tells the tabs to resync.
 * @example
 * oversizeFrame(5_000_000, 4_194_304).kind // 'retry'
 */
export function oversizeFrame(size: number, max: number): CloseReason {
  return { kind: 'retry', error: { code: 'transport', message: `the server sent a frame of ${size} characters or bytes, over the ${max} this worker takes; it was dropped and the socket closed. Raise websocketTransport({ maxFrameBytes }) if such frames are expected` } }
}
