/**
 * Who a token belongs to. The hub keys connections by identity so that tabs of another user in the
 * same profile never share a socket, a token or an event with the first.
 */

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
  const payload = token?.split('.')[1]
  if (payload === undefined) return { sub: null, exp: null }
  try {
    const claims = decodeSegment(payload)
    if (typeof claims !== 'object' || claims === null) return { sub: null, exp: null }
    const sub = 'sub' in claims && typeof claims.sub === 'string' ? claims.sub : null
    const exp = 'exp' in claims && typeof claims.exp === 'number' ? claims.exp : null
    return { sub, exp }
  } catch {
    return { sub: null, exp: null }
  }
}

/**
 * The connection key: project URL, API key and user (`anon` without a user token).
 * @example
 * identityKey(url, apikey, token) // 'http://127.0.0.1:54321|eyJ…|user-1'
 */
export function identityKey(url: string, apikey: string, token: string | null): string {
  return `${url}|${apikey}|${claimsOf(token).sub ?? 'anon'}`
}
