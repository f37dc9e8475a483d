/**
 * The demo's `?transport=sse` mode: the same chat over Server-Sent Events. The worker reads ONE
 * stream `${sseUrl}/sub/<room>` for every tab of the user; a message is `POST ${sseUrl}/pub/<room>`
 * with `{type:'message', id, name, text, at}`, typing `{type:'typing', name, typing}`. `sseUrl=`
 * points it at another server (nginx + nchan); the default is the demo server's own endpoint.
 * The panel counts streams at the server (`/stats` `sse.streams`).
 */
import { mountDevtoolsToggle } from '../ui/devtools.ts'
import { mountUpdateBanner } from '../ui/update.ts'
import { createRelay, workerName, type Relay } from '../../src/index.ts'
import type { DemoConfig } from '../config.ts'
import { mountChat, type ChatMessage } from '../ui/chat.ts'
import { byTestId, h, setText } from '../ui/dom.ts'
import type { LogKind } from '../ui/log.ts'
import { createTyping } from '../ui/typing.ts'

const TYPING_IDLE_MS = 3_000
const POLL_MS = 1_000

/**
 * Where the SSE endpoint is: `?sseUrl=…`, else the demo server.
 * @example
 * sseUrlOf('?transport=sse&sseUrl=http://127.0.0.1:8080', config) // 'http://127.0.0.1:8080'
 */
export function sseUrlOf(search: string, config: DemoConfig): string {
  return (new URLSearchParams(search).get('sseUrl') ?? config.realtimeUrl).replace(/\/+$/, '')
}

// Open streams at the demo server; nchan keeps its count elsewhere (`nchan_stub_status`).
async function streamsAt(sseUrl: string): Promise<number | null> {
  try {
    const body: unknown = await (await fetch(`${sseUrl}/stats`, { cache: 'no-store' })).json()
    const sse = typeof body === 'object' && body !== null && 'sse' in body ? body.sse : null
    return typeof sse === 'object' && sse !== null && 'streams' in sse && typeof sse.streams === 'number' ? sse.streams : null
  } catch {
    return null
  }
}

function mountSsePanel(relay: Relay, sseUrl: string): void {
  const status = byTestId('status', HTMLElement)
  const refresh = async (): Promise<void> => {
    setText(status, relay.status)
    status.dataset['status'] = relay.status
    const [stats, streams] = await Promise.all([relay.stats().catch(() => null), streamsAt(sseUrl)])
    if (stats) {
      setText(byTestId('tabs', HTMLElement), String(stats.tabs))
      setText(byTestId('visible-tabs', HTMLElement), String(stats.visibleTabs))
      setText(byTestId('worker-id', HTMLElement), stats.workerId.slice(0, 8))
      setText(byTestId('worker-connections', HTMLElement), String(stats.connections))
    }
    setText(byTestId('server-connections', HTMLElement), streams === null ? '—' : String(streams))
    setText(byTestId('user-connections', HTMLElement), streams === null ? '—' : String(streams))
    const tabs = stats ? `${stats.tabs} tab${stats.tabs === 1 ? '' : 's'}` : 'connecting…'
    setText(byTestId('headline', HTMLElement), streams === null ? tabs : `${tabs} · ${streams} stream${streams === 1 ? '' : 's'}`)
  }
  relay.onStatus(() => void refresh())
  relay.onLeaderChange((isLeader) => { byTestId('leader-badge', HTMLElement).hidden = !isLeader })
  void refresh()
  setInterval(() => void refresh(), POLL_MS)
}

/**
 * Reads a published `{type:'message', id, name, text, at}` body; anything else is null.
 * @example
 * messageOf({ id: 1, name: 'bob', text: 'hi', at: 1767225600000 })
 */
export function messageOf(data: unknown): ChatMessage | null {
  if (typeof data !== 'object' || data === null) return null
  const { id, name, text, at } = data as Record<string, unknown>
  if (typeof id !== 'number' || typeof name !== 'string' || typeof text !== 'string' || typeof at !== 'number') return null
  return { id, name, text, at }
}

/**
 * Starts the chat over SSE for this tab.
 * @example
 * startSseMode(readConfig(location.search), location.search, log)
 */
export function startSseMode(config: DemoConfig, search: string, log: (kind: LogKind, text: string) => void): Relay {
  const sseUrl = sseUrlOf(search, config)
  const relay = createRelay({
    transport: 'sse', endpoint: sseUrl, identity: config.user,
    worker: () => new SharedWorker(new URL('./sse.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
    ...(config.pauseMs === undefined ? {} : { pauseWhenHiddenMs: config.pauseMs }),
  })
  mountDevtoolsToggle(relay, { options: { transport: 'sse', endpoint: sseUrl } })
  const room = relay.topic(config.room)
  const typingLine = byTestId('typing', HTMLElement)
  // An empty Online card reads as "nobody is here": say why it is empty instead.
  byTestId('presence', HTMLElement).replaceChildren(h('li', { class: 'muted' }, 'no presence over Server-Sent Events: a stream only carries messages to the tabs'))
  const typists = new Set<string>()
  const typing = createTyping((isTyping) => {
    void room.send('typing', { name: config.user, typing: isTyping })
  }, TYPING_IDLE_MS)
  const chat = mountChat({
    user: config.user, list: byTestId('messages', HTMLElement), form: byTestId('chat-form', HTMLFormElement), input: byTestId('chat-input', HTMLInputElement),
    send: async (text) => {
      // No database behind this mode: the id is the sender's clock (ms) with a random tail, so
      // ids still grow and two tabs' messages never share one.
      const message: ChatMessage = { id: Date.now() * 1_000 + Math.floor(Math.random() * 1_000), name: config.user, text, at: Date.now() }
      const result = await room.send('message', { ...message })
      if (result !== 'ok') throw new Error(`the message was not published (${result})`)
      return message
    },
    onTyping: () => typing.keystroke(), onSent: () => typing.stop(),
  })
  room.on('message', (payload) => {
    const message = messageOf(payload)
    if (!message || !chat.show(message)) return
    log('broadcast', `message from ${message.name}: “${message.text.slice(0, 40)}”`)
  })
  room.on<{ name?: unknown; typing?: unknown }>('typing', ({ name, typing: isTyping }) => {
    if (typeof name !== 'string' || name === config.user) return
    if (isTyping === true) typists.add(name)
    else typists.delete(name)
    setText(typingLine, typists.size === 0 ? '' : `${[...typists].join(', ')} typing…`)
  })
  room.onStatus((status) => {
    const pill = byTestId('channel-status', HTMLElement)
    setText(pill, status === 'SUBSCRIBED' ? 'live' : status.toLowerCase().replace('_', ' '))
    pill.dataset['status'] = status
    log('channel', `${config.room} over SSE: ${status}`)
  })
  room.onResync((since) => log('system', `resync since ${new Date(since).toLocaleTimeString()}: streams resume from the last id while the server still holds it`))
  mountSsePanel(relay, sseUrl)
  relay.onStatus((status, detail) => log('status', `${status}${detail.attempt ? ` #${detail.attempt}` : ''}${detail.error ? `: ${detail.error.message}` : ''}`))
  mountUpdateBanner(relay, (text) => log('system', text))
  return relay
}
