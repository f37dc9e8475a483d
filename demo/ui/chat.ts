/**
 * The chat room: the message list (auto-scrolling unless the reader scrolled up), the input, and
 * the typing signal it drives. A message can reach a tab four ways (the history, the insert's
 * answer, the `postgres_changes` INSERT, and a backfill after a resync): the list shows each id
 * once, in id order, whichever way came first.
 */
import { clockTime, h } from './dom.ts'

/** One chat message: a row of the `messages` table. */
export interface ChatMessage {
  /** The row's id; ids grow, so they give the room's order. */
  id: number
  name: string
  text: string
  at: number
}

/** What the chat needs from the page. */
export interface ChatDeps {
  user: string
  list: HTMLElement
  form: HTMLFormElement
  input: HTMLInputElement
  /** Stores a message; resolves to the stored row, rejects when it was not stored. */
  send(text: string): Promise<ChatMessage>
  /** Called on every keystroke that changes the text. */
  onTyping(): void
  /** Called once a message left, to clear the typing signal at once. */
  onSent(): void
}

/** The mounted chat. */
export interface Chat {
  /** Shows the message unless its id is shown already; true when it was new. */
  show(message: ChatMessage): boolean
  note(text: string): void
  /** Shows a message of this tab stored in the outbox, greyed; returns how to take it away once sent. */
  queued(text: string): () => void
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
  const shown = new Map<number, HTMLElement>()
  const place = (node: HTMLElement, id?: number): void => {
    const isFollowing = list.scrollHeight - list.scrollTop - list.clientHeight < FOLLOW_PX
    list.querySelector('[data-testid="chat-empty"]')?.remove()
    // A later id already shown (a backfilled row older than a live one) goes before it.
    const after = id === undefined ? undefined : [...shown].filter(([other]) => other > id).sort(([a], [b]) => a - b)[0]?.[1]
    if (after) list.insertBefore(node, after)
    else list.append(node)
    if (isFollowing) list.scrollTop = list.scrollHeight
  }
  input.addEventListener('input', () => { if (input.value.trim() !== '') deps.onTyping() })
  const chat: Chat = {
    show: (message) => {
      if (shown.has(message.id)) return false
      const node = messageNode(message, message.name === deps.user)
      place(node, message.id)
      shown.set(message.id, node)
      return true
    },
    note: (text) => place(noteNode(text)),
    queued: (text) => {
      const node = h('li', { class: 'msg mine queued', testid: 'message-queued', title: 'waiting for the connection' }, h('div', { class: 'msg-text' }, text))
      place(node)
      return () => node.remove()
    },
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (text === '') return
    input.value = ''
    deps.onSent()
    deps.send(text).then(
      (message) => { chat.show(message) },
      (error: unknown) => chat.note(`not delivered: ${error instanceof Error ? error.message : String(error)} (“${text}”)`),
    )
  })
  return chat
}

function messageNode(message: ChatMessage, isMine: boolean): HTMLElement {
  return h('li', { class: isMine ? 'msg mine' : 'msg', testid: 'message', 'data-id': String(message.id), 'data-sender': message.name },
    h('div', { class: 'msg-head' },
      h('span', { class: 'msg-name', testid: 'message-sender' }, message.name),
      h('time', { class: 'msg-time', testid: 'message-time', datetime: new Date(message.at).toISOString() }, clockTime(message.at))),
    h('div', { class: 'msg-text', testid: 'message-text' }, message.text))
}

function noteNode(text: string): HTMLElement {
  return h('li', { class: 'note', testid: 'chat-note' }, text)
}
