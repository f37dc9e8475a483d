/**
 * The demo pages' one reader of a JWT's claims (the Supabase-style tokens of demo/config.ts and
 * Django's SimpleJWT pair in demo/modes/django-session.ts): only to know when to refresh. Never
 * verified here: the server verifies.
 */

/**
 * The claims of `token`'s payload, `{}` when it is not a readable JWT.
 * @example
 * jwtClaims(token)['exp'] // 1765152000 (seconds)
 */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const part = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')
    const claims: unknown = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')))
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
