/**
 * `?transport=websocket`: the same chat over the plain WebSocket transport, with a Django
 * Channels inbox's frames — `conversation_id` = the room, `?token=<this tab's JWT>` on the socket
 * URL, each message shown with the frame's `sender_name`. `wsUrl=` points it at another server
 * (e.g. daphne); the default is the demo server's own `/ws/inbox/`. The server has no presence.
 * `django=<daphne's http URL>` runs it against the Django project instead (demo/modes/django.ts).
 */
import { mountUpdateBanner } from '../ui/update.ts'
import { mountDevtoolsToggle } from '../ui/devtools.ts'
import { createRelay, workerName, type Json, type Relay, type Topic } from '../../src/index.ts'
import type { DemoConfig } from '../config.ts'
import { byTestId, h, setText } from '../ui/dom.ts'
import type { LogKind } from '../ui/log.ts'
import { createTyping } from '../ui/typing.ts'
import { field, mountInboxChat, textMessages } from './inbox-chat.ts'
import { mountInboxPanel } from './inbox-panel.ts'

declare global {
  interface Window {
    /** This tab's client in the WebSocket mode, for DevTools and tests. */
    relay?: Relay
  }
}

const TYPING_IDLE_MS = 3_000
const EXTENDED_LIFETIME = { extendedLifetime: true }

/**
 * Where the inbox chat connects and how it names this tab's user.
 * @example
 * const setup: InboxSetup = { wsUrl, accessToken, worker, statsUser: '1', senderName: 'Alice', resyncNote: 'reconnected' }
 */
export interface InboxSetup {
  wsUrl: string
  accessToken: () => Promise<string | null>
  worker: () => SharedWorker
  /** This user's key in the server's `GET /stats` (`users`). */
  statsUser: string
  /** The `sender_name` of this user's frames, which marks a message as this tab's own. */
  senderName: string
  /**
   * The stored TEXT frames of the room, shown on the first join and after a resync; when given,
   * `message_id`s are the room's order (the server's row ids). Without it, messages are numbered
   * as they arrive.
   */
  history?: () => Promise<Json[]>
  /** The chat's note when the topic resyncs (what this tab may have missed, and why). */
  resyncNote: string
}

/**
 * Whether the page asks for this mode.
 * @example
 * isWebSocketMode('?transport=websocket&user=bob') // true
 */
export function isWebSocketMode(search: string): boolean {
  return new URLSearchParams(search).get('transport') === 'websocket'
}

/**
 * Runs the chat over the demo server's own inbox socket (or `wsUrl=`), with the demo's dev tokens.
 * @example
 * if (isWebSocketMode(location.search)) startWebSocketMode(config, log, tokens)
 */
export function startWebSocketMode(config: DemoConfig, log: (kind: LogKind, text: string) => void, accessToken: () => Promise<string>): void {
  const wsUrl = new URLSearchParams(location.search).get('wsUrl') ?? `${config.realtimeUrl.replace(/^http/, 'ws')}/ws/inbox/`
  runInboxChat(config, log, {
    wsUrl, accessToken, statsUser: config.user, senderName: config.user,
    worker: () => new SharedWorker(new URL('../worker-websocket.ts', import.meta.url), { ...EXTENDED_LIFETIME, type: 'module', name: `${workerName()}-inbox` }),
    resyncNote: 'reconnected: messages sent by others while the socket was down are not shown (this worker subscribes without since, so the server replays nothing)',
  })
}

/**
 * Runs the chat, the connection panel and the retry banner over one inbox socket per user.
 * @example
 * runInboxChat(config, log, { wsUrl, accessToken, worker, statsUser: '1', senderName: 'Alice', resyncNote: '…' })
 */
export function runInboxChat(config: DemoConfig, log: (kind: LogKind, text: string) => void, setup: InboxSetup): void {
  const { wsUrl } = setup
  const relay = createRelay({
    transport: 'inbox', endpoint: wsUrl, accessToken: setup.accessToken, outbox: 'persist', worker: setup.worker,
    ...(config.pauseMs === undefined ? {} : { pauseWhenHiddenMs: config.pauseMs }),
  })
  window.relay = relay
  mountDevtoolsToggle(relay, { options: { transport: 'inbox', endpoint: wsUrl } })
  const room = relay.topic(config.room)
  const typingLine = byTestId('typing', HTMLElement)
  byTestId('presence', HTMLElement).replaceChildren(h('li', { class: 'muted' }, 'no presence on a plain WebSocket'))
  const typing = createTyping((isTyping) => { void room.send('typing', { typing: isTyping }) }, TYPING_IDLE_MS)
  const toMessage = textMessages(setup.history !== undefined)
  const { chat, receive } = mountInboxChat(room, setup.senderName, typing)
  room.on('TEXT', (frame) => {
    const message = toMessage(frame)
    if (message !== null && receive(message)) log('broadcast', `TEXT from ${message.name}: “${message.text.slice(0, 40)}”`)
  })
  room.on('typing', (frame) => {
    const name = field(frame, 'sender_name')
    if (name === null || name === setup.senderName) return
    const isTyping = typeof frame === 'object' && frame !== null && !Array.isArray(frame) && frame['typing'] === true
    setText(typingLine, isTyping ? `${name} is typing…` : '')
  })
  const loadHistory = (what: string): void => {
    if (setup.history === undefined) return
    setup.history().then((frames) => {
      const added = frames.map(toMessage).filter((m) => m !== null && chat.show(m)).length
      log('history', `${what}: ${frames.length} messages, ${added} new`)
    }, (error: unknown) => log('error', `${what}: ${error instanceof Error ? error.message : String(error)}`))
  }
  room.onResync((since) => {
    log('system', `resync since ${new Date(since).toLocaleTimeString()}`)
    chat.note(setup.resyncNote)
    loadHistory('history after resync')
  })
  mountRoomStatus(room, config.room, log, () => loadHistory('history'))
  relay.onStatus((status, detail) => log('status', `${status}${detail.attempt ? ` #${detail.attempt}` : ''}${detail.error ? `: ${detail.error.message}` : ''}`))
  relay.onLeaderChange((isLeader) => log('leader', isLeader ? 'this tab is now the leader' : 'another tab leads'))
  mountUpdateBanner(relay, (text) => log('system', text))
  mountInboxPanel(relay, { wsUrl, user: setup.statsUser })
}

// The channel pill; `onFirstJoin` runs once, after the join, so a message stored meanwhile comes
// live, in the history, or both (the chat shows each id once).
function mountRoomStatus(room: Topic, name: string, log: (kind: LogKind, text: string) => void, onFirstJoin: () => void): void {
  const channelStatus = byTestId('channel-status', HTMLElement)
  let isJoined = false
  room.onStatus((status, error) => {
    setText(channelStatus, status === 'SUBSCRIBED' ? 'live' : status.toLowerCase().replace('_', ' '))
    channelStatus.dataset['status'] = status
    log('channel', `${name}: ${status}${error ? ` (${error.message})` : ''}`)
    if (status !== 'SUBSCRIBED' || isJoined) return
    isJoined = true
    onFirstJoin()
  })
}
