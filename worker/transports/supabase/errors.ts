/**
 * Server error texts mapped onto tabrelay's error codes, so tabs can tell "sign in again" apart
 * from "the server is down".
 */
import type { Json, WireError } from '../../../src/contract/protocol.ts'
import type { CloseReason } from '../transport.ts'

// The server's token failures (spec §8): InvalidJWTToken, MalformedJWT, JwtSignatureError,
// Unauthorized, and the shutdown texts "Token has expired …" / "no longer have permission".
const AUTH_FAILURE = /JWT|[Tt]oken|Unauthorized|permission/

/**
 * A join failure from realtime-js as wire data: `unauthorized` for token problems, else `join-failed`.
 * @example
 * channelError(new Error('InvalidJWTToken: Token has expired 5 seconds ago')).code // 'unauthorized'
 */
export function channelError(error: Error): WireError {
  return { code: AUTH_FAILURE.test(error.message) ? 'unauthorized' : 'join-failed', message: error.message }
}

/**
 * The error carried by a `system` message with status `error`, if it is one.
 * @example
 * systemError({ extension: 'system', status: 'error', message: 'Token has expired 3 seconds ago' })
 */
export function systemError(payload: Json): WireError | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined
  if (payload.status !== 'error' || typeof payload.message !== 'string') return undefined
  return channelError(new Error(payload.message))
}

/**
 * How a closed socket ends the attempt: the hub retries every close. Browsers hide an upgrade's
 * HTTP status (a refused apikey reads 1006 like a server that is down), so a refusal cannot be
 * told apart here.
 * @example
 * closeReason(1006, '') // { kind: 'retry', error: { code: 'transport', message: 'socket closed (1006)' } }
 */
export function closeReason(code: number, reason: string): CloseReason {
  const detail = reason ? `: ${reason}` : ''
  return { kind: 'retry', error: { code: 'transport', message: `socket closed (${code}${detail})` } }
}
