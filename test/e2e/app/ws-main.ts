/**
 * The e2e page of the WebSocket transport: `createRelay()` over the inbox worker, from
 * `?endpoint=ws://…/ws/inbox/&token=…` (plus the client and `hub.*` options of params.ts), exposed
 * as `window.ws` for specs. With the Django project (`api=http://…`): `auth=cookie` names the
 * identity from `/api/me` (the session cookie authenticates the socket); `refresh=<SimpleJWT refresh
 * token>` makes `accessToken()` refresh an expired access token itself; `replay=1` turns on the
 * worker's `since` replay.
 */
import { createRelay, workerName, type Relay } from '../../../src/index.ts'
import type { ConnectionStatus, SendOutcome } from '../../../src/index.ts'
import { clientOptionsFrom, workerSearch } from './params.ts'

/** One TEXT frame as a tab received it. */
export interface TextSeen {
  type: string
  message: string
  sender_id: string | number
  sender_name: string
  message_id: string | number
}

/** What specs drive through `page.evaluate`. */
export interface WsHarness {
  relay: Relay
  /** Listens to TEXT and NOTIFY on `topic` (joins it) and counts its resyncs. */
  join(topic: string): void
  joined(topic: string): boolean
  received(topic: string): TextSeen[]
  send(topic: string, message: string): Promise<SendOutcome>
  statuses(): ConnectionStatus[]
  resyncs(topic: string): number
  /** How many times `accessToken()` fetched a fresh SimpleJWT access token. */
  refreshes(): number
  /** Signs out: `accessToken()` answers null from now on, and `setAuth(null)`. */
  signOut(): Promise<void>
}

declare global {
  interface Window {
    ws: WsHarness
  }
}

const params = new URLSearchParams(location.search)
const api = params.get('api')
const refreshToken = params.get('refresh')
let refreshes = 0

// SimpleJWT: the tabs of a user share one access token (localStorage, as an app's session is), and
// one tab at a time refreshes it once it expires (a Web Lock; a form POST needs no CORS preflight).
// Tabs refreshing on their own would each hold a different token, and the hub admits a tab to its
// user's connection only with a token the server accepted.
async function freshAccess(): Promise<string | null> {
  if (api === null || refreshToken === null || isSignedOut) return null
  const key = `tabrelay-e2e-access:${refreshToken.slice(-16)}`
  return navigator.locks.request(key, async () => {
    const stored = localStorage.getItem(key) ?? token
    const exp = stored === null ? 0 : (JSON.parse(atob(stored.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? '')) as { exp: number }).exp
    if (stored !== null && exp * 1000 > Date.now() + 1_000) return stored
    const response = await fetch(`${api}/api/token/refresh/`, { method: 'POST', body: new URLSearchParams({ refresh: refreshToken }) })
    if (!response.ok) throw new Error(`refresh failed: HTTP ${response.status}`)
    refreshes++
    const access = ((await response.json()) as { access: string }).access
    localStorage.setItem(key, access)
    return access
  })
}

// Cookie sessions: the app names the identity (Django's user id); the socket's cookie proves it.
async function sessionIdentity(): Promise<string | null> {
  if (api === null || params.get('auth') !== 'cookie') return null
  const response = await fetch(`${api}/api/me`, { credentials: 'include' })
  return response.ok ? String(((await response.json()) as { id: number }).id) : null
}

function hubWorker(search: string): SharedWorker {
  // Vite bundles a worker only for the literal `new SharedWorker(new URL(…))` form (see main.ts).
  const SharedWorker = class extends globalThis.SharedWorker {
    constructor(url: URL, options: WorkerOptions) {
      url.search = search
      super(url, options)
    }
  }
  return new SharedWorker(new URL('./ws-worker.ts', import.meta.url), { type: 'module', name: `${workerName()}-ws` })
}

const endpoint = params.get('endpoint')
let token = params.get('token')
let isSignedOut = false
const status = document.querySelector('[data-testid="status"]')
async function start(endpoint: string): Promise<void> {
  const identity = await sessionIdentity()
  const forwarded = new URLSearchParams(workerSearch(params))
  if (params.get('replay') === '1') forwarded.set('replay', '1')
  const search = forwarded.size > 0 ? `?${forwarded.toString()}` : ''
  const accessToken = refreshToken === null ? () => token : () => freshAccess()
  const relay = createRelay({ transport: 'inbox', endpoint, identity, accessToken, worker: () => hubWorker(search), ...clientOptionsFrom(params) })
  const resyncs = new Map<string, number>()
  const seen = new Map<string, TextSeen[]>()
  const statuses: ConnectionStatus[] = [relay.status]
  relay.onStatus((s) => { statuses.push(s); if (status) status.textContent = s })
  window.ws = {
    relay,
    join(topic) {
      const list: TextSeen[] = []
      seen.set(topic, list)
      for (const type of ['TEXT', 'NOTIFY']) {
        relay.topic(topic).on<TextSeen>(type, (frame) => list.push({ type, message: frame.message, sender_id: frame.sender_id, sender_name: frame.sender_name, message_id: frame.message_id }))
      }
      relay.topic(topic).onResync(() => resyncs.set(topic, (resyncs.get(topic) ?? 0) + 1))
    },
    joined: (topic) => relay.topic(topic).state === 'joined',
    received: (topic) => [...(seen.get(topic) ?? [])],
    send: (topic, message) => relay.topic(topic).send('TEXT', { message }),
    statuses: () => [...statuses],
    resyncs: (topic) => resyncs.get(topic) ?? 0,
    refreshes: () => refreshes,
    signOut: async () => {
      token = null
      isSignedOut = true
      if (identity === null) return relay.setAuth(null)
      // Cookie sessions: the server ends the session (and clears the cookie), the tab leaves the user's connection.
      await fetch(`${api ?? ''}/api/logout`, { method: 'POST', credentials: 'include' })
      return relay.setAuth(null, null)
    },
  }
  document.body.dataset['ready'] = 'true'
}

if (endpoint) void start(endpoint)
