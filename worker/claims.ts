/**
 * Who a token belongs to, for transports that authenticate with a JWT: the hub keys connections by
 * identity so that tabs of another user in the same profile never share a socket, a token or an
 * event with the first. The claims are read, not verified: the server verifies.
 */
import type { ConnectionTarget } from '../src/contract/protocol.ts'

/** The claims the hub reads; the token is not verified here (the server does that). */
export interface TokenClaims {
  sub: string | null
  exp: number | null
}

function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes))
}

/**
 * Reads `sub` and `exp` of a JWT; anything unreadable counts as anonymous without expiry.
 * @example
 * claimsOf(session.access_token) // { sub: 'user-1', exp: 1767225600 }
 */
export function claimsOf(token: string | null): TokenClaims {
  return readClaims(token) ?? { sub: null, exp: null }
}

// The claims of a token that is a JWT (three segments, a JSON object in the middle), else null.
function readClaims(token: string | null): TokenClaims | null {
  const parts = token?.split('.') ?? []
  const payload = parts[1]
  if (parts.length !== 3 || payload === undefined) return null
  try {
    const claims = decodeSegment(payload)
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return null
    const sub = 'sub' in claims && typeof claims.sub === 'string' ? claims.sub : null
    const exp = 'exp' in claims && typeof claims.exp === 'number' ? claims.exp : null
    return { sub, exp }
  } catch {
    return null
  }
}

/**
 * The identity a token names: a JWT's `sub` (`anon` for a JWT without one, such as Supabase's anon
 * key), no token `anon`, and any other token itself: two opaque tokens never share a connection.
 * @example
 * tokenIdentity(session.access_token) // 'sub:user-1'
 */
export function tokenIdentity(token: string | null): string {
  if (token === null || token === '') return 'anon'
  const claims = readClaims(token)
  if (claims === null) return `token:${token}`
  return claims.sub === null ? 'anon' : `sub:${claims.sub}`
}

/**
 * The usual identity rule for transports that take a token: an explicit identity (cookie auth)
 * when the tab gives one, else the token's.
 * @example
 * defaultIdentity({ transport: 'inbox', endpoint, params: {}, identity: 'user-7' }, null) // 'id:user-7'
 */
export function defaultIdentity(target: ConnectionTarget, token: string | null): string {
  return target.identity !== null ? `id:${target.identity}` : tokenIdentity(token)
}
