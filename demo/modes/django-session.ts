/**
 * Signing in to the Django project of `DEMO_INBOX=django` with SimpleJWT: a login form posts the
 * user's password to `/api/token/`, the pair is kept in localStorage per user (as an app keeps its
 * session), so every tab of the user offers the same access token, and one tab at a time (a Web
 * Lock) refreshes it through `/api/token/refresh/` when it is about to expire.
 *
 * Why not the session cookie: cookies are per host, not per port, and one browser profile holds one
 * `sessionid` for 127.0.0.1, so alice and bob could not be signed in side by side in one browser.
 */
import { byTestId, h, setText } from '../ui/dom.ts'
import { jwtClaims } from '../jwt.ts'

/**
 * SimpleJWT's pair from `POST /api/token/`.
 * @example
 * const { access, refresh }: TokenPair = await signIn(api, 'alice')
 */
export interface TokenPair {
  access: string
  refresh: string
}

// Refresh this long before the access token expires (at most a third of its life, for short-lived
// test tokens), so a connect never carries a dying one.
const EARLY_MS = 30_000

const storageKey = (api: string, username: string): string => `tabrelay-demo-django:${api}:${username}`

// SimpleJWT's `{access, refresh}`, from the token view or from storage (both untrusted input).
function toPair(value: unknown): TokenPair | null {
  if (typeof value !== 'object' || value === null || !('access' in value) || !('refresh' in value)) return null
  return typeof value.access === 'string' && typeof value.refresh === 'string' ? { access: value.access, refresh: value.refresh } : null
}

function readPair(key: string): TokenPair | null {
  try {
    return toPair(JSON.parse(localStorage.getItem(key) ?? 'null'))
  } catch {
    return null
  }
}

async function postJson(url: string, body: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`)
  return response.json()
}

// The new access token; null when the server refused the refresh token, undefined when unreachable.
async function refreshed(api: string, refresh: string): Promise<string | null | undefined> {
  try {
    const body = await postJson(`${api}/api/token/refresh/`, { refresh })
    return typeof body === 'object' && body !== null && 'access' in body && typeof body.access === 'string' ? body.access : null
  } catch (error) {
    // fetch rejects with a TypeError when nothing answers; an HTTP error is the server refusing.
    return error instanceof TypeError ? undefined : null
  }
}

/**
 * The stored pair of `username`, or null when that user has not signed in in this browser.
 * @example
 * const pair = storedPair('http://127.0.0.1:8001', 'alice')
 */
export function storedPair(api: string, username: string): TokenPair | null {
  return readPair(storageKey(api, username))
}

/**
 * Forgets the stored pair of `username` (the server no longer takes it: another demo run).
 * @example
 * forgetPair('http://127.0.0.1:8001', 'alice')
 */
export function forgetPair(api: string, username: string): void {
  localStorage.removeItem(storageKey(api, username))
}

/**
 * Shows the login form in place of the chat until the server accepts the password; resolves to
 * the stored pair.
 * @example
 * const pair = storedPair(api, 'alice') ?? (await signIn(api, 'alice'))
 */
export function signIn(api: string, username: string): Promise<TokenPair> {
  const password = h('input', { type: 'password', testid: 'login-password', 'aria-label': 'password', placeholder: `password of ${username}`, autocomplete: 'current-password' })
  const error = h('div', { class: 'muted', testid: 'login-error', role: 'alert', style: 'padding: 0 18px 12px' })
  const form = h('form', { class: 'composer', testid: 'login-form' },
    h('span', {}, `Sign in to Django as ${username}`), password, h('button', { type: 'submit', class: 'primary', testid: 'login-submit' }, 'Sign in'))
  const chatForm = byTestId('chat-form', HTMLFormElement)
  chatForm.hidden = true
  chatForm.before(form, error)
  password.focus()
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      postJson(`${api}/api/token/`, { username, password: password.value }).then((body) => {
        const pair = toPair(body)
        if (pair === null) throw new Error('the token view answered without a token pair')
        localStorage.setItem(storageKey(api, username), JSON.stringify(pair))
        form.remove()
        error.remove()
        chatForm.hidden = false
        resolve(pair)
      }).catch((reason: unknown) => setText(error, `not signed in: ${reason instanceof Error ? reason.message : String(reason)} (the password is printed by npm run demo)`))
    })
  })
}

/**
 * The relay's `accessToken()`: the stored access token while it has more than 30 s (or a third of
 * its life) left, else a
 * refreshed one (stored for the user's other tabs); null once the server refuses the refresh token.
 * @example
 * createRelay({ transport: 'inbox', endpoint, accessToken: accessTokenOf(api, 'alice'), worker })
 */
export function accessTokenOf(api: string, username: string): () => Promise<string | null> {
  const key = storageKey(api, username)
  return () => navigator.locks.request(key, async () => {
    const pair = readPair(key)
    if (pair === null) return null
    const { exp, iat } = jwtClaims(pair.access)
    const early = typeof iat === 'number' && typeof exp === 'number' ? Math.min(EARLY_MS, ((exp - iat) * 1000) / 3) : EARLY_MS
    if (typeof exp === 'number' && exp * 1000 - Date.now() > early) return pair.access
    const access = await refreshed(api, pair.refresh)
    // Unreachable (the server restarts): offer the old token; the attempt fails anyway and the
    // hub asks again before its next one.
    if (access === undefined) return pair.access
    if (access === null) return null
    localStorage.setItem(key, JSON.stringify({ ...pair, access }))
    return access
  })
}
