/**
 * The demo page: a chat room whose messages are rows of `messages` (history and inserts over REST,
 * new rows through `postgres_changes`), with presence for who is online and typing, a connection
 * panel and an event log, all riding on the tab's share of ONE realtime connection per user.
 * `window.realtime` is this tab's `SharedRealtime`, for DevTools and scripted tests.
 */
import { mountUpdateBanner } from './ui/update.ts'
import { createSharedRealtime, workerName, type Json, type SharedRealtime } from '../src/supabase/index.ts'
import { readConfig, tokenSource, urlForUser, type DemoConfig } from './config.ts'
import { messageStore, toMessage, type MessageStore } from './messages.ts'
import { mountChat, type Chat, type ChatMessage } from './ui/chat.ts'
import { byTestId, setText } from './ui/dom.ts'
import { mountLog, type LogKind } from './ui/log.ts'
import { createNotifier } from './ui/notify.ts'
import { mountPanel } from './ui/panel.ts'
import { mountDevtoolsToggle } from './ui/devtools.ts'
import { mountPresence } from './ui/presence.ts'
import { createTyping } from './ui/typing.ts'
import { isWebSocketMode, startWebSocketMode } from './modes/websocket.ts'
import { isSocketIoMode, startSocketIoMode } from './modes/socketio.ts'
import { djangoApiOf, startDjangoMode } from './modes/django.ts'

declare global {
  interface Window {
    /** This tab's client, for DevTools and tests. */
    realtime?: SharedRealtime
  }
}

const USERS = ['alice', 'bob', 'carol']
const TYPING_IDLE_MS = 3_000
const HISTORY_LIMIT = 50
// A row's created_at is its transaction's start on the database's clock, `since` a moment on this
// tab's clock: look this far further back, and let the chat drop the ids it already shows.
const BACKFILL_SLACK_MS = 5_000
// Chromium 148+: reloading the only tab keeps the worker and its socket. Spread, because
// TypeScript's WorkerOptions does not know the option yet (and Vite accepts a spread before `type`).
const EXTENDED_LIFETIME = { extendedLifetime: true }

function connect(config: DemoConfig, accessToken: () => Promise<string>): SharedRealtime {
  return createSharedRealtime({
    url: config.realtimeUrl,
    apikey: config.apikey,
    accessToken,
    // Where SharedWorker is missing or does not start, host 'auto' elects one tab to run this
    // file as a dedicated Worker for every tab: still one connection per user.
    worker: (kind) => kind === 'shared'
      ? new SharedWorker(new URL('./worker.ts', import.meta.url), { ...EXTENDED_LIFETIME, type: 'module', name: workerName() })
      : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
    ...(config.pauseMs === undefined ? {} : { pauseWhenHiddenMs: config.pauseMs }),
  })
}

/** A presence meta as `typing=false`, without `name` and `presence_ref`, for the log. */
function metaText(meta: Json): string {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return JSON.stringify(meta)
  return Object.entries(meta).filter(([key]) => key !== 'presence_ref' && key !== 'name').map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ')
}

function mountHeader(config: DemoConfig): void {
  setText(byTestId('room-name', HTMLElement), config.room)
  setText(byTestId('user-name', HTMLElement), config.user)
  document.title = `${config.user} · #${config.room} · tabrelay demo`
  const select = byTestId('user-select', HTMLSelectElement)
  const names = USERS.includes(config.user) ? USERS : [...USERS, config.user]
  select.replaceChildren(...names.map((name) => new Option(name, name, false, name === config.user)))
  select.addEventListener('change', () => { location.href = urlForUser(location.href, select.value) })
  byTestId('open-tab', HTMLButtonElement).addEventListener('click', () => { window.open(location.href, '_blank') })
  byTestId('chat-input', HTMLInputElement).placeholder = `Message #${config.room} as ${config.user}`
}

/** Shows rows that `fetch` returns, and logs how many were new. */
function fill(chat: Chat, log: (kind: LogKind, text: string) => void, what: string, fetch: () => Promise<ChatMessage[]>): void {
  fetch().then((messages) => {
    const added = messages.filter((m) => chat.show(m)).length
    log('history', `${what}: ${messages.length} rows, ${added} new`)
  }, (error: unknown) => log('error', error instanceof Error ? error.message : String(error)))
}

function start(config: DemoConfig, log: (kind: LogKind, text: string) => void, accessToken: () => Promise<string>): void {
  const realtime = connect(config, accessToken)
  window.realtime = realtime
  const store: MessageStore = messageStore({ url: config.realtimeUrl, apikey: config.apikey, room: config.room, user: config.user, accessToken })
  const bell = createNotifier()
  const renderPresence = mountPresence(config.user, byTestId('presence', HTMLElement), byTestId('typing', HTMLElement), byTestId('online-count', HTMLElement))
  const channelStatus = byTestId('channel-status', HTMLElement)
  // presence.key = the user: presence lists users, not tabs.
  const room = realtime.channel(`room:${config.room}`, { config: { presence: { key: config.user } } })
  const track = (isTyping: boolean): void => {
    room.track({ name: config.user, typing: isTyping }).catch((error: unknown) => log('error', `track: ${String(error)}`))
  }
  const typing = createTyping(track, TYPING_IDLE_MS)
  const chat = mountChat({
    user: config.user,
    list: byTestId('messages', HTMLElement),
    form: byTestId('chat-form', HTMLFormElement),
    input: byTestId('chat-input', HTMLInputElement),
    send: (text) => store.insert(text),
    onTyping: () => typing.keystroke(),
    onSent: () => typing.stop(),
  })
  let hasHistory = false
  room
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `room=eq.${config.room}` }, (change) => {
      const message = toMessage(change.new)
      if (!message || !chat.show(message)) return
      log('change', `INSERT #${message.id} from ${message.name}: “${message.text.slice(0, 40)}”`)
      // Only the leader rings, so a user with five hidden tabs hears one beep.
      if (document.visibilityState === 'hidden' && realtime.isLeader && message.name !== config.user) bell.ring(`${message.name}: ${message.text}`)
    })
    .on('presence', { event: 'sync' }, () => renderPresence(room.presenceState()))
    // An update of a user's presence (typing on/off) arrives as a leave then a join, as in supabase-js.
    .on('presence', { event: 'join' }, ({ key, newPresences }) => log('presence', `join ${key} ${newPresences.map(metaText).join(' ')}`))
    .on('presence', { event: 'leave' }, ({ key }) => log('presence', `leave ${key}`))
    .on('system', { event: 'resync' }, ({ since }) => {
      log('system', `resync since ${since === null ? 'start' : new Date(since).toLocaleTimeString()}`)
      // Rows inserted while this user's connection was paused or down never came as changes.
      if (since === null) fill(chat, log, 'history', () => store.recent(HISTORY_LIMIT))
      else fill(chat, log, 'backfill', () => store.since(since - BACKFILL_SLACK_MS))
    })
    .subscribe((status, error) => {
      setText(channelStatus, status === 'SUBSCRIBED' ? 'live' : status.toLowerCase().replace('_', ' '))
      channelStatus.dataset['status'] = status
      log('channel', `${room.subTopic}: ${status}${error ? ` (${error.message})` : ''}`)
      if (status !== 'SUBSCRIBED') return
      track(false)
      // After the join, so a row inserted meanwhile comes as a change or in the history, or both.
      if (!hasHistory) fill(chat, log, 'history', () => store.recent(HISTORY_LIMIT))
      hasHistory = true
    })
  mountPanel(realtime, { realtimeUrl: config.realtimeUrl, user: config.user })
  mountDevtoolsToggle(realtime, { options: { url: config.realtimeUrl, apikey: config.apikey, pauseMs: config.pauseMs ?? null, host: 'auto' } })
  realtime.onStatus((status, detail) => log('status', `${status}${detail.attempt ? ` #${detail.attempt}` : ''}${detail.error ? `: ${detail.error.message}` : ''}`))
  realtime.onLeaderChange((isLeader) => log('leader', isLeader ? 'this tab is now the leader' : 'another tab leads'))
  mountUpdateBanner(realtime, (text) => log('system', text))
}

const RETRY_MS = 2_000

/**
 * Gets the first token before creating the client: a client whose `accessToken()` fails falls
 * back to anonymous, and this tab would then join as nobody instead of waiting for the server.
 */
async function firstToken(tokens: () => Promise<string>, log: (kind: LogKind, text: string) => void): Promise<void> {
  for (;;) {
    try {
      await tokens()
      return
    } catch (error) {
      log('error', error instanceof Error ? error.message : String(error))
      setText(byTestId('headline', HTMLElement), 'waiting for the server…')
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
    }
  }
}

async function boot(): Promise<void> {
  const config = readConfig(location.search)
  const log = mountLog(byTestId('log', HTMLElement))
  mountHeader(config)
  // `?transport=sse`: the same chat over Server-Sent Events (demo/modes/sse.ts), no token needed.
  if (new URLSearchParams(location.search).get('transport') === 'sse') {
    const { startSseMode } = await import('./modes/sse.ts')
    startSseMode(config, location.search, log)
    return
  }
  // `?transport=websocket&django=<url>`: the inbox chat on the Django project of
  // `DEMO_INBOX=django npm run demo` (demo/modes/django.ts), signed in with SimpleJWT, not dev tokens.
  const djangoApi = djangoApiOf(location.search)
  if (djangoApi !== null) {
    await startDjangoMode(config, djangoApi, log).catch((error: unknown) => {
      log('error', error instanceof Error ? error.message : String(error))
      setText(byTestId('headline', HTMLElement), 'not connected')
    })
    return
  }
  const tokens = tokenSource(config.realtimeUrl, config.user)
  await firstToken(tokens, log)
  try {
    // ?transport=websocket: the same chat over a plain WebSocket inbox (demo/modes/websocket.ts);
    // ?transport=socketio&sio=…: over Socket.IO rooms (demo/modes/socketio.ts).
    if (isWebSocketMode(location.search)) startWebSocketMode(config, log, tokens)
    else if (isSocketIoMode(location.search)) startSocketIoMode(config, log, tokens)
    else start(config, log, tokens)
  } catch (error) {
    log('error', error instanceof Error ? error.message : String(error))
    setText(byTestId('headline', HTMLElement), 'not connected')
  }
}

void boot()
