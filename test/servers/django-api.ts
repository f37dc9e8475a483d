/**
 * The HTTP API of the Django inbox project (test/servers/django), for suites: sign-up, session
 * sign-in (the `sessionid` cookie), SimpleJWT's token and refresh views, and a conversation's history.
 */

/**
 * A user of the Django project; `id` is Django's integer pk (SimpleJWT's `user_id`).
 * @example
 * const user: DjangoUser = { id: 1, username: 'alice', name: 'Alice' }
 */
export interface DjangoUser {
  id: number
  username: string
  name: string
}

/**
 * SimpleJWT's pair from `POST /api/token/`.
 * @example
 * const { access, refresh } = await api.token('alice')
 */
export interface TokenPair {
  access: string
  refresh: string
}

/**
 * A TEXT frame of the history endpoint or a replay (`message_id` is the row's integer id).
 * @example
 * const first: StoredMessage = (await api.history('room', pair.access))[0]
 */
export interface StoredMessage {
  type: 'TEXT'
  message: string
  conversation_id: string
  sender_id: number | string
  sender_name: string
  sender_avatar: string | null
  created_at: string
  message_id: number
}

/**
 * The helpers bound to one server's `http://127.0.0.1:PORT`.
 * @example
 * const api = djangoApi(inbox.httpUrl); const { cookie } = await api.login('alice')
 */
export interface DjangoApi {
  /** Creates the user (or resets its password); password default `<username>-password`. */
  createUser(username: string, options?: { name?: string; password?: string }): Promise<DjangoUser>
  /** `POST /api/login`: the `sessionid=…` cookie pair and the user. */
  login(username: string, password?: string): Promise<{ cookie: string; user: DjangoUser }>
  /** `POST /api/logout` with that cookie: the session row is deleted. */
  logout(cookie: string): Promise<void>
  /** `GET /api/me` with the cookie, `null` when not signed in. */
  me(cookie: string): Promise<DjangoUser | null>
  /** SimpleJWT `POST /api/token/`. */
  token(username: string, password?: string): Promise<TokenPair>
  /** SimpleJWT `POST /api/token/refresh/`: a new access token. */
  refresh(refreshToken: string): Promise<string>
  /** `GET /api/conversations/<id>/messages` as the user of `access`, oldest first. */
  history(conversation: string, access: string, options?: { before?: number; limit?: number }): Promise<StoredMessage[]>
}

const password = (username: string): string => `${username}-password`

async function call<T>(url: string, init: RequestInit, what: string): Promise<T> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
})

/**
 * The API of the server at `httpUrl`.
 * @example
 * const pair = await djangoApi('http://127.0.0.1:8001').token('alice')
 */
export function djangoApi(httpUrl: string): DjangoApi {
  return {
    createUser: (username, options = {}) =>
      call(`${httpUrl}/api/users`, post({ username, password: options.password ?? password(username), name: options.name ?? '' }), `create user ${username}`),
    login: async (username, secret = password(username)) => {
      const response = await fetch(`${httpUrl}/api/login`, { ...post({ username, password: secret }), signal: AbortSignal.timeout(10_000) })
      if (!response.ok) throw new Error(`login ${username}: HTTP ${response.status}`)
      const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('sessionid='))
      if (cookie === undefined) throw new Error(`login ${username}: no sessionid cookie`)
      return { cookie, user: (await response.json()) as DjangoUser }
    },
    logout: async (cookie) => {
      await call(`${httpUrl}/api/logout`, post({}, { cookie }), 'logout')
    },
    me: async (cookie) => {
      const response = await fetch(`${httpUrl}/api/me`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) })
      return response.status === 401 ? null : ((await response.json()) as DjangoUser)
    },
    token: (username, secret = password(username)) => call(`${httpUrl}/api/token/`, post({ username, password: secret }), `token of ${username}`),
    refresh: async (refreshToken) => (await call<{ access: string }>(`${httpUrl}/api/token/refresh/`, post({ refresh: refreshToken }), 'refresh')).access,
    history: async (conversation, access, options = {}) => {
      const query = new URLSearchParams(Object.entries(options).map(([k, v]) => [k, String(v)]))
      const url = `${httpUrl}/api/conversations/${encodeURIComponent(conversation)}/messages?${query.toString()}`
      return (await call<{ messages: StoredMessage[] }>(url, { headers: { authorization: `Bearer ${access}` } }, 'history')).messages
    },
  }
}
