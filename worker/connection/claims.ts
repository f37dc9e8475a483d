/**
 * Who a token belongs to, for transports that authenticate with a JWT: the hub keys connections by
 * identity so that tabs of another user in the same profile never share a socket, a token or an
 * event with the first. The claims are read, not verified (the server verifies; see admission.ts
 * for why an unverified claim still never routes an event). The hub never guesses an identity:
 * - the identity is the first of the transport's `identityClaim` candidates the JWT carries as a
 *   non-empty string or a finite number, named with its claim and JSON type: `user_id` 7 is
 *   `user_id:7`, `user_id` "7" is `user_id:"7"`, `sub` "7" is `sub:"7"` — three identities, so a
 *   server that changes how it writes ids opens a second connection instead of merging two users;
 * - a token whose identity cannot be read (not a JWT, or no candidate claim) is its own identity,
 *   keyed by a digest of the token (never the token itself);
 * - no token is `anon`, and so is a JWT whose `role` is `anon` without a candidate claim, where the
 *   transport says such a key is anonymous (Supabase's anon key).
 */
import type { ConnectionTarget } from '../../src/contract/protocol.ts'

/**
 * The claim(s) naming the user, tried in order; the first the token carries decides.
 * @example
 * const claim: IdentityClaim = ['user_id', 'sub'] // Django SimpleJWT first, then the registered claim
 */
export type IdentityClaim = string | readonly string[]

/**
 * The identity of tabs with no token (and no explicit identity).
 * @example
 * tokenIdentity(null, { claim: 'sub' }) === ANONYMOUS // true
 */
export const ANONYMOUS = 'anon'

/** Longest claim value read as an identity; a longer one counts as unreadable. */
const MAX_CLAIM_CHARS = 256

/**
 * The claims the hub reads; the token is not verified here (the server does that).
 * @example
 * const claims: TokenClaims = { sub: 'user-1', exp: 1767225600, iat: 1767222000 }
 */
export interface TokenClaims {
  sub: string | null
  exp: number | null
  iat: number | null
}

function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4)
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes))
}

// The payload of a token that is a JWT (three segments, a JSON object in the middle), else null.
function payloadOf(token: string | null): Record<string, unknown> | null {
  const parts = token?.split('.') ?? []
  const payload = parts[1]
  if (parts.length !== 3 || payload === undefined) return null
  try {
    const claims = decodeSegment(payload)
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return null
    return { ...claims }
  } catch {
    return null
  }
}

const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/**
 * Reads `sub`, `exp` and `iat` of a JWT; anything unreadable has none of them.
 * @example
 * claimsOf(session.access_token) // { sub: 'user-1', exp: 1767225600, iat: 1767222000 }
 */
export function claimsOf(token: string | null): TokenClaims {
  const claims = payloadOf(token)
  const sub = claims?.['sub']
  return { sub: typeof sub === 'string' ? sub : null, exp: numberOf(claims?.['exp']), iat: numberOf(claims?.['iat']) }
}

/**
 * A short, stable digest of a token, so maps never hold an unreadable token as a key. Not a
 * cryptographic hash: it only keeps distinct tokens apart (aiming at another opaque token's
 * identity needs that token, and an unverified token gets no event anyway, see admission.ts).
 * @example
 * tokenDigest('opaque-token') // 'a3f0…' (32 hex digits)
 */
export function tokenDigest(token: string): string {
  // Four 32-bit FNV-1a lanes with distinct offsets, each finished with murmur3's fmix32.
  const lanes = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]
  for (let i = 0; i < token.length; i += 1) {
    const c = token.charCodeAt(i)
    for (let l = 0; l < 4; l += 1) lanes[l] = Math.imul((lanes[l] ?? 0) ^ (c + l * 0x3b), 0x01000193 + l * 2)
  }
  return lanes.map((h, l) => {
    let x = (h ^ token.length ^ (l << 24)) >>> 0
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
    return ((x ^ (x >>> 16)) >>> 0).toString(16).padStart(8, '0')
  }).join('')
}

/**
 * How {@link tokenIdentity} reads a token.
 * @example
 * const rule: IdentityRule = { claim: 'sub', anonymousRole: 'anon' } // Supabase
 */
export interface IdentityRule {
  claim: IdentityClaim
  /** A JWT with this `role` and no identity claim is anonymous (Supabase's anon key); absent: none is. */
  anonymousRole?: string
}

function claimValue(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name]
  if (typeof value === 'string' && value !== '' && value.length <= MAX_CLAIM_CHARS) return `${name}:${JSON.stringify(value)}`
  if (typeof value === 'number' && Number.isFinite(value)) return `${name}:${JSON.stringify(value)}`
  return null
}

/**
 * The identity a token names (see the module comment for the rule).
 * @example
 * tokenIdentity(simpleJwtAccess, { claim: ['user_id', 'sub'] }) // 'user_id:7'
 * tokenIdentity(session.access_token, { claim: 'sub' })          // 'sub:"4b1c…"'
 */
export function tokenIdentity(token: string | null, rule: IdentityRule): string {
  if (token === null || token === '') return ANONYMOUS
  const claims = payloadOf(token)
  if (claims !== null) {
    const names = typeof rule.claim === 'string' ? [rule.claim] : rule.claim
    for (const name of names) {
      const identity = claimValue(claims, name)
      if (identity !== null) return identity
    }
    if (rule.anonymousRole !== undefined && claims['role'] === rule.anonymousRole) return ANONYMOUS
  }
  return `token#${tokenDigest(token)}`
}

/**
 * The usual identity rule for transports that take a token: an explicit identity (cookie auth)
 * when the tab gives one, else the token's.
 * @example
 * defaultIdentity({ transport: 'inbox', endpoint, params: {}, identity: 'user-7' }, null, { claim: 'user_id' }) // 'id:user-7'
 */
export function defaultIdentity(target: ConnectionTarget, token: string | null, rule: IdentityRule): string {
  return target.identity !== null ? `id:${target.identity}` : tokenIdentity(token, rule)
}

// `exp` then `iat`; a token without `exp` never expires; no token loses to any token.
function freshness(token: string | null): [number, number] {
  if (token === null) return [-1, -1]
  const { exp, iat } = claimsOf(token)
  return [exp ?? Number.MAX_SAFE_INTEGER, iat ?? 0]
}

/**
 * The default token rule of every transport: `offered` replaces `current` (both of one identity)
 * only when it is not older — by `exp`, then `iat` — so `null`, a stale token in a hello, or a late
 * `accessToken()` answer never replaces a fresher one.
 * @example
 * isFresher(jwt({ exp: 2000 }), jwt({ exp: 1000 })) // true
 * isFresher(null, jwt({ exp: 1000 }))               // false
 */
export function isFresher(offered: string | null, current: string | null): boolean {
  if (offered === current) return false
  const [a, b] = [freshness(offered), freshness(current)]
  return a[0] !== b[0] ? a[0] > b[0] : a[1] >= b[1]
}
