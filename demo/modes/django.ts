/**
 * `?transport=websocket&django=<daphne's http URL>&user=alice`: the inbox chat against the Django
 * project that `DEMO_INBOX=django npm run demo` starts (test/servers/django). The user signs in
 * with a password (SimpleJWT, demo/modes/django-session.ts); the hub names the identity from the
 * token's `user_id`; the room's stored messages are shown on open (the REST history endpoint); the
 * worker resubscribes with `since` (`inboxFrames({ replay: true })`), so a daphne restart loses
 * nothing and needs no refetch.
 */
import { workerName, type Json } from '../../src/index.ts'
import type { DemoConfig } from '../config.ts'
import { byTestId, setText } from '../ui/dom.ts'
import type { LogKind } from '../ui/log.ts'
import { accessTokenOf, forgetPair, signIn, storedPair } from './django-session.ts'
import { runInboxChat } from './websocket.ts'

const EXTENDED_LIFETIME = { extendedLifetime: true }
const HISTORY_LIMIT = 50

/**
 * The Django project's base URL when the page asks for this mode, else null.
 * @example
 * djangoApiOf('?transport=websocket&django=http%3A%2F%2F127.0.0.1%3A8001') // 'http://127.0.0.1:8001'
 */
export function djangoApiOf(search: string): string | null {
  const params = new URLSearchParams(search)
  const api = params.get('django')
  return params.get('transport') === 'websocket' && api !== null && /^https?:\/\//.test(api) ? api.replace(/\/+$/, '') : null
}

async function getJson(url: string, accessToken: () => Promise<string | null>): Promise<unknown> {
  const token = await accessToken()
  const response = await fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } })
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`)
  return response.json()
}

async function whoAmI(api: string, accessToken: () => Promise<string | null>): Promise<{ id: number; name: string }> {
  const me = await getJson(`${api}/api/me`, accessToken)
  if (typeof me === 'object' && me !== null && 'id' in me && typeof me.id === 'number' && 'name' in me && typeof me.name === 'string') return { id: me.id, name: me.name }
  throw new Error(`GET ${api}/api/me: no id and name`)
}

async function history(api: string, room: string, accessToken: () => Promise<string | null>): Promise<Json[]> {
  const url = `${api}/api/conversations/${encodeURIComponent(room)}/messages?limit=${HISTORY_LIMIT}`
  const body = await getJson(url, accessToken)
  const messages = typeof body === 'object' && body !== null && 'messages' in body ? body.messages : null
  if (!Array.isArray(messages)) throw new Error(`GET ${url}: no "messages" list`)
  return messages as Json[]
}

/**
 * Signs the user in (once per browser: the other tabs find the stored tokens) and runs the chat.
 * @example
 * const api = djangoApiOf(location.search); if (api !== null) await startDjangoMode(config, api, log)
 */
export async function startDjangoMode(config: DemoConfig, api: string, log: (kind: LogKind, text: string) => void): Promise<void> {
  setText(byTestId('headline', HTMLElement), 'sign in to Django')
  const accessToken = accessTokenOf(api, config.user)
  // Who the token is: Django's integer pk (the hub's identity is the token's user_id, the same pk;
  // /stats counts users by it) and the name the server puts in this user's frames. A stored pair
  // of an earlier demo run (another SECRET_KEY) is refused: sign in again.
  const hasPair = storedPair(api, config.user) !== null
  let me = hasPair ? await whoAmI(api, accessToken).catch(() => null) : null
  if (me === null) {
    forgetPair(api, config.user)
    await signIn(api, config.user)
    me = await whoAmI(api, accessToken)
  }
  setText(byTestId('user-name', HTMLElement), `${me.name} (Django user ${me.id})`)
  log('system', `signed in to ${api} as ${config.user}, user_id ${me.id}`)
  runInboxChat(config, log, {
    wsUrl: `${api.replace(/^http/, 'ws')}/ws/inbox/`,
    accessToken,
    statsUser: String(me.id),
    senderName: me.name,
    worker: () => new SharedWorker(new URL('../worker-django.ts', import.meta.url), { ...EXTENDED_LIFETIME, type: 'module', name: `${workerName()}-django` }),
    history: () => history(api, config.room, accessToken),
    resyncNote: 'reconnected: the server could not replay the whole gap (over 500 messages, or another database); the newest messages were reloaded',
  })
}
