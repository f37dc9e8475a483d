/**
 * The demo's settings, read from the page URL with build-time defaults:
 * `?user=alice&room=lobby&pauseMs=10000&realtime=http://127.0.0.1:54321&apikey=…`.
 */
import { jwtClaims } from './jwt.ts'

/** What one tab of the demo runs as. */
export interface DemoConfig {
  /** The identity: the JWT `sub` this tab asks `/dev/token` for; on Django (`django=`), the username to sign in as. */
  user: string
  room: string
  /** `pauseWhenHiddenMs`, or undefined for the library's default. */
  pauseMs: number | undefined
  /** The realtime server's base URL (also where `/stats` and `/dev/token` live). */
  realtimeUrl: string
  apikey: string
}

const NAME = /^[\w.-]{1,32}$/

/**
 * Parses `search` (e.g. `location.search`); unusable values fall back to the defaults.
 * @example
 * readConfig('?user=bob&pauseMs=5000') // { user: 'bob', room: 'lobby', pauseMs: 5000, … }
 */
export function readConfig(search: string): DemoConfig {
  const params = new URLSearchParams(search)
  const pick = (key: string, fallback: string): string => {
    const value = params.get(key)?.trim()
    return value !== undefined && NAME.test(value) ? value : fallback
  }
  const pause = Number(params.get('pauseMs') ?? Number.NaN)
  return {
    user: pick('user', 'alice'),
    room: pick('room', 'lobby'),
    pauseMs: Number.isFinite(pause) && pause >= 0 ? pause : undefined,
    realtimeUrl: (params.get('realtime') ?? __REALTIME_URL__).replace(/\/+$/, ''),
    apikey: params.get('apikey') ?? __ANON_KEY__,
  }
}

/**
 * The same page as another user, keeping the other parameters.
 * @example
 * location.href = urlForUser(location.href, 'bob')
 */
export function urlForUser(href: string, user: string): string {
  const url = new URL(href)
  url.searchParams.set('user', user)
  return url.toString()
}

/**
 * Asks the dev server for a user token (`POST /dev/token`, dev only: any name gets one).
 * @example
 * const token = await devToken('http://127.0.0.1:54321', 'alice')
 */
export async function devToken(realtimeUrl: string, sub: string): Promise<string> {
  const response = await fetch(`${realtimeUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  })
  if (!response.ok) throw new Error(`POST ${realtimeUrl}/dev/token answered ${response.status}: is the realtime server running (npm run server)?`)
  const body: unknown = await response.json()
  if (typeof body === 'object' && body !== null && 'access_token' in body && typeof body.access_token === 'string') return body.access_token
  throw new Error(`POST ${realtimeUrl}/dev/token returned no access_token`)
}

/**
 * An `accessToken` source for `createSharedRealtime`: one dev token per user and browser profile,
 * kept in localStorage as an app's session is (supabase-js keeps its session there too), so every
 * tab of the user offers the same token; fetched again a minute before it expires. Tabs offering
 * different tokens of one user would each be held until the server accepted theirs.
 * @example
 * createSharedRealtime({ url, apikey, worker, accessToken: tokenSource(url, 'alice') })
 */
export function tokenSource(realtimeUrl: string, user: string): () => Promise<string> {
  const key = `tabrelay-demo-token:${realtimeUrl}:${user}`
  return async () => {
    const stored = readStored(key)
    if (stored !== null && expiryMs(stored) - Date.now() > 60_000) return stored
    const token = await devToken(realtimeUrl, user)
    // Another tab may have stored one meanwhile: the newer stays, and the next call reads it.
    writeStored(key, token)
    return token
  }
}

function readStored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null
  } catch {
    return null
  }
}

function writeStored(key: string, token: string): void {
  try {
    globalThis.localStorage?.setItem(key, token)
  } catch {
    // Storage refused (a private mode quota): this tab keeps asking the server.
  }
}

function expiryMs(token: string): number {
  const exp = jwtClaims(token)['exp']
  return typeof exp === 'number' ? exp * 1000 : 0
}
