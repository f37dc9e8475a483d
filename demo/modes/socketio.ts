/**
 * `?transport=socketio&sio=http://127.0.0.1:PORT`: the same chat over the Socket.IO transport,
 * against the demo's Socket.IO chat server (demo/server/socketio.ts, started by `npm run demo`,
 * which prints this URL). A room is a Socket.IO room; a message carries its sender's name and id;
 * the server does not echo to the sender, so the hub hands a send to this user's other tabs.
 */
import { createRelay, workerName, type Relay } from '../../src/index.ts'
import type { DemoConfig } from '../config.ts'
import { mountChat, type ChatMessage } from '../ui/chat.ts'
import { byTestId, h, setText } from '../ui/dom.ts'
import type { LogKind } from '../ui/log.ts'

declare global {
  interface Window {
    /** This tab's client in the Socket.IO mode, for DevTools and tests. */
    relay?: Relay
  }
}

interface Said { id: string; name: string; text: string; at: number }

// Chromium 148+ keeps the worker (and its connection) alive across a reload of the last tab.
const EXTENDED_LIFETIME = { extendedLifetime: true }

/**
 * Whether the page asks for this mode.
 * @example
 * isSocketIoMode('?transport=socketio&user=bob') // true
 */
export function isSocketIoMode(search: string): boolean {
  return new URLSearchParams(search).get('transport') === 'socketio'
}

/**
 * Runs the chat over Socket.IO.
 * @example
 * if (isSocketIoMode(location.search)) startSocketIoMode(config, log, tokens)
 */
export function startSocketIoMode(config: DemoConfig, log: (kind: LogKind, text: string) => void, accessToken: () => Promise<string>): void {
  const endpoint = new URLSearchParams(location.search).get('sio')
  if (endpoint === null) throw new Error('?transport=socketio needs &sio=<the Socket.IO server URL> (npm run demo prints it)')
  const relay = createRelay({
    transport: 'socketio', endpoint, accessToken,
    worker: () => new SharedWorker(new URL('../worker-socketio.ts', import.meta.url), { ...EXTENDED_LIFETIME, type: 'module', name: `${workerName()}-socketio` }),
    ...(config.pauseMs === undefined ? {} : { pauseWhenHiddenMs: config.pauseMs }),
  })
  window.relay = relay
  const room = relay.topic(config.room, { ack: true })
  byTestId('presence', HTMLElement).replaceChildren(h('li', { class: 'muted' }, 'no presence over Socket.IO rooms'))
  // Ids are random; the chat orders by number, so each message is numbered as it arrives here.
  const numbers = new Map<string, number>()
  const numbered = (said: Said): ChatMessage => {
    const number = numbers.get(said.id) ?? numbers.size + 1
    numbers.set(said.id, number)
    return { id: number, name: said.name, text: said.text, at: said.at }
  }
  const chat = mountChat({
    user: config.user,
    list: byTestId('messages', HTMLElement),
    form: byTestId('chat-form', HTMLFormElement),
    input: byTestId('chat-input', HTMLInputElement),
    send: async (text) => {
      const said: Said = { id: crypto.randomUUID(), name: config.user, text, at: Date.now() }
      const result = await room.send('message', { ...said })
      if (result !== 'ok') throw new Error(`the message was not sent (${result})`)
      return numbered(said)
    },
    onTyping: () => undefined,
    onSent: () => undefined,
  })
  room.on<Said>('message', (said) => {
    if (chat.show(numbered(said))) log('broadcast', `message from ${said.name}: “${said.text.slice(0, 40)}”`)
  })
  room.onResync((since) => {
    log('system', `resync since ${new Date(since).toLocaleTimeString()}`)
    chat.note('reconnected to another session: messages sent meanwhile are not replayed (the server keeps no history)')
  })
  const channelStatus = byTestId('channel-status', HTMLElement)
  room.onStatus((status, error) => {
    setText(channelStatus, status === 'SUBSCRIBED' ? 'live' : status.toLowerCase().replace('_', ' '))
    channelStatus.dataset['status'] = status
    log('channel', `${config.room}: ${status}${error ? ` (${error.message})` : ''}`)
  })
  relay.onStatus((status, detail) => log('status', `${status}${detail.attempt ? ` #${detail.attempt}` : ''}${detail.error ? `: ${detail.error.message}` : ''}`))
  relay.onLeaderChange((isLeader) => log('leader', isLeader ? 'this tab is now the leader' : 'another tab leads'))
}
