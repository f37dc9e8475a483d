/**
 * Server error texts mapped onto tabrelay's error codes, so tabs can tell "sign in again" apart
 * from "the server is down".
 */
import type { Json, WireError } from '../../src/contract/protocol.ts'

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
