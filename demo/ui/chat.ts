/**
 * The chat room: the message list (auto-scrolling unless the reader scrolled up), the input, and
 * the typing signal it drives. Messages are broadcasts with `self: true`, so this tab's own
 * messages come back through the hub like everyone else's and render from one code path.
 */
import type { Json } from '../../src/supabase/index.ts'
import { clockTime, h } from './dom.ts'

/** One chat message, the payload of the `message` broadcast. */
export interface ChatMessage {
  id: string
  name: string
  text: string
  at: number
}

/**
 * Reads a broadcast payload as a message; anything else (another app on the topic) is null.
 * @example
 * toMessage({ id: 'm1', name: 'bob', text: 'hi', at: 1 }) // the same, typed
 */
export function toMessage(payload: Json): ChatMessage | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null
  const { id, name, text, at } = payload
  if (typeof id !== 'string' || typeof name !== 'string' || typeof text !== 'string' || typeof at !== 'number') return null
  return { id, name, text, at }
}

/** What the chat needs from the page. */
export interface ChatDeps {
  user: string
  list: HTMLElement
  form: HTMLFormElement
  input: HTMLInputElement
  /** Broadcasts a message; resolves to the hub's answer. */
  send(message: ChatMessage): Promise<string>
  /** Called on every keystroke that changes the text. */
  onTyping(): void
  /** Called once a message left, to clear the typing signal at once. */
  onSent(): void
}

/** The mounted chat. */
export interface Chat {
  show(message: ChatMessage): void
  note(text: string): void
}

// Within this distance of the bottom the reader is "following" and new messages scroll into view.
const FOLLOW_PX = 48

/**
 * Wires the form and returns how to show messages.
 * @example
 * const chat = mountChat({ user, list, form, input, send, onTyping, onSent }); chat.show(message)
 */
export function mountChat(deps: ChatDeps): Chat {
  const { list, form, input } = deps
  let seq = 0
  const append = (node: HTMLElement): void => {
    const isFollowing = list.scrollHeight - list.scrollTop - list.clientHeight < FOLLOW_PX
    list.querySelector('[data-testid="chat-empty"]')?.remove()
    list.append(node)
    if (isFollowing) list.scrollTop = list.scrollHeight
  }
  input.addEventListener('input', () => { if (input.value.trim() !== '') deps.onTyping() })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (text === '') return
    input.value = ''
    const message = { id: `${deps.user}-${Date.now().toString(36)}-${++seq}`, name: deps.user, text, at: Date.now() }
    deps.onSent()
    deps.send(message).then(
      (result) => { if (result !== 'ok') append(noteNode(`not delivered (${result}): “${text}”`)) },
      (error: unknown) => append(noteNode(`not delivered: ${error instanceof Error ? error.message : String(error)}`)),
    )
  })
  return {
    show: (message) => append(messageNode(message, message.name === deps.user)),
    note: (text) => append(noteNode(text)),
  }
}

function messageNode(message: ChatMessage, isMine: boolean): HTMLElement {
  return h('li', { class: isMine ? 'msg mine' : 'msg', testid: 'message', 'data-id': message.id, 'data-sender': message.name },
    h('div', { class: 'msg-head' },
      h('span', { class: 'msg-name', testid: 'message-sender' }, message.name),
      h('time', { class: 'msg-time', testid: 'message-time', datetime: new Date(message.at).toISOString() }, clockTime(message.at))),
    h('div', { class: 'msg-text', testid: 'message-text' }, message.text))
}

function noteNode(text: string): HTMLElement {
  return h('li', { class: 'note', testid: 'chat-note' }, text)
}
