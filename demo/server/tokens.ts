/**
 * HS256 JWT checks with the real server's error strings (REALTIME_PROTOCOL.md §8), and dev token minting.
 */
import { SignJWT, compactVerify, errors } from 'jose'

/**
 * The dev secret of `supabase start`; with it `anonKey` equals the well-known local anon key.
 *
 * @example
 * await startRealtimeServer({ jwtSecret: DEV_JWT_SECRET })
 */
export const DEV_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'

/**
 * Verified JWT claims: `role` and an integer `exp` are guaranteed, the rest is whatever was signed.
 *
 * @example
 * const claims: Claims = { role: 'authenticated', exp: 2_000_000_000, sub: 'alice' }
 */
export interface Claims {
  [claim: string]: unknown
  role: string
  exp: number
}

/**
 * Outcome of a token check; `code` + `message` join into a join error reason `Code: message`.
 *
 * @example
 * const check: TokenCheck = { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' }
 */
export type TokenCheck = { ok: true; claims: Claims } | { ok: false; code: string; message: string }

/**
 * Claims accepted by `mint`: `role` defaults to 'authenticated', `expiresInS` to one hour (negative = expired).
 *
 * @example
 * await tokens.mint({ sub: 'alice', expiresInS: 5 })
 */
export interface MintClaims {
  sub: string
  role?: string
  expiresInS?: number
}

/**
 * Verifies and mints HS256 tokens for one secret.
 *
 * @example
 * const tokens = createTokens(DEV_JWT_SECRET); const check = await tokens.verify(await tokens.mint({ sub: 'a' }))
 */
export interface Tokens {
  verify(token: string): Promise<TokenCheck>
  mint(claims: MintClaims): Promise<string>
  /** The anon key: fixed claims, so the same secret always yields the same key. */
  anonKey(): Promise<string>
}

const MISSING_CLAIMS = 'Fields `role` and `exp` are required in JWT'
// Claims of supabase's local anon key; signed with DEV_JWT_SECRET they reproduce it byte for byte.
const ANON_CLAIMS = { iss: 'supabase-demo', role: 'anon', exp: 1983812996 }

/**
 * Build the token helpers for a secret.
 *
 * @example
 * const tokens = createTokens('my-secret-of-at-least-32-characters!!')
 */
export function createTokens(secret: string): Tokens {
  const key = new TextEncoder().encode(secret)
  const sign = (claims: Record<string, unknown>): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key)
  return {
    verify: (token) => verifyToken(key, token),
    anonKey: () => sign({ ...ANON_CLAIMS }),
    mint: ({ sub, role, expiresInS }) => {
      const iat = Math.floor(Date.now() / 1000)
      return sign({ sub, role: role ?? 'authenticated', iat, exp: iat + Math.round(expiresInS ?? 3600) })
    },
  }
}

async function verifyToken(key: Uint8Array, token: string): Promise<TokenCheck> {
  let payload: Uint8Array
  try {
    payload = (await compactVerify(token, key, { algorithms: ['HS256'] })).payload
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' }
    }
    return malformed()
  }
  let claims: unknown
  try {
    claims = JSON.parse(new TextDecoder().decode(payload))
  } catch {
    return malformed()
  }
  return checkClaims(claims)
}

function checkClaims(claims: unknown): TokenCheck {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return malformed()
  const record = claims as Record<string, unknown>
  const { role, exp } = record
  if (typeof role !== 'string' || exp === undefined) {
    return { ok: false, code: 'InvalidJWTToken', message: MISSING_CLAIMS }
  }
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    return { ok: false, code: 'InvalidJWTToken', message: 'Token expiration time is invalid' }
  }
  const agoS = secondsSinceExpiry(exp)
  if (agoS >= 0) return { ok: false, code: 'InvalidJWTToken', message: expiredMessage(agoS) }
  return { ok: true, claims: { ...record, role, exp } }
}

function malformed(): TokenCheck {
  return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' }
}

/**
 * Seconds elapsed since `exp` (negative while the token is still valid).
 *
 * @example
 * secondsSinceExpiry(Math.floor(Date.now() / 1000) - 5) // 5
 */
export function secondsSinceExpiry(exp: number, nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000) - exp
}

/**
 * The real server's expiry message.
 *
 * @example
 * expiredMessage(5) // 'Token has expired 5 seconds ago'
 */
export function expiredMessage(agoS: number): string {
  return `Token has expired ${agoS} seconds ago`
}

/**
 * The HTTP 401 message for a failed apikey check on the socket upgrade (no seconds, like the real server).
 *
 * @example
 * upgradeError({ ok: false, code: 'InvalidJWTToken', message: 'Token has expired 3 seconds ago' }) // 'Token has expired'
 */
export function upgradeError(check: Extract<TokenCheck, { ok: false }>): string {
  return check.message.startsWith('Token has expired') ? 'Token has expired' : check.message
}
