/**
 * The chat of the inbox modes (demo/modes/websocket.ts): TEXT frames as chat messages, and sends
 * that resolve with the server's echo of them, so each message is shown once, with the server's
 * `sender_name`, time and id.
 */
import type { Json, Topic } from '../../src/index.ts'
import { mountChat, type Chat, type ChatMessage } from '../ui/chat.ts'
import { byTestId } from '../ui/dom.ts'

/**
 * A string or number field of a frame as a string, else null (frames are untrusted input).
 * @example
 * field({ message_id: 7 }, 'message_id') // '7'
 */
export function field(frame: Json, key: string): string | null {
  const value = typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? frame[key] : undefined
  // message_id is an integer on both inbox servers (the stored row's id); NOTIFY ids are UUIDs.
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null
}

/**
 * Maps TEXT frames to chat messages. With `isOrderedById` an integer `message_id` is the message's
 * place (a server's row ids, valid across its restarts); otherwise messages are numbered as they
 * arrive (this tab's socket is the user's one socket: every tab sees the same order).
 * @example
 * const toMessage = textMessages(true); toMessage(frame)?.id // the frame's message_id
 */
export function textMessages(isOrderedById: boolean): (frame: Json) => ChatMessage | null {
  const numbers = new Map<string, number>()
  const numberOf = (id: string | null, name: string): number => {
    if (isOrderedById && id !== null && /^\d+$/.test(id)) return Number(id)
    const key = id ?? `${name}-${numbers.size}`
    const number = numbers.get(key) ?? numbers.size + 1
    numbers.set(key, number)
    return number
  }
  return (frame) => {
    const [text, name, id, created] = [field(frame, 'message'), field(frame, 'sender_name'), field(frame, 'message_id'), field(frame, 'created_at')]
    if (text === null || name === null) return null
    return { id: numberOf(id, name), name, text, at: created ? Date.parse(created) : Date.now() }
  }
}

/**
 * The mounted inbox chat.
 * @example
 * const { chat, receive } = mountInboxChat(room, 'Alice', typing); chat.note('reconnected')
 */
export interface InboxChat {
  chat: Chat
  /** Shows a received message; resolves this tab's send of it. True when it was new here. */
  receive(message: ChatMessage): boolean
}

/**
 * Mounts the chat form and list; a send goes out as a TEXT frame on `room`.
 * @example
 * const { chat, receive } = mountInboxChat(room, 'Alice', typing)
 */
export function mountInboxChat(room: Topic, senderName: string, typing: { keystroke(): void; stop(): void }): InboxChat {
  // The server echoes a frame to its sender: a send resolves with that echo.
  const pending: Array<{ text: string; resolve: (message: ChatMessage) => void }> = []
  const chat = mountChat({
    user: senderName,
    list: byTestId('messages', HTMLElement),
    form: byTestId('chat-form', HTMLFormElement),
    input: byTestId('chat-input', HTMLInputElement),
    send: async (text) => {
      const echoed = new Promise<ChatMessage>((resolve) => pending.push({ text, resolve }))
      const result = await room.send('TEXT', { message: text })
      // Typed while the socket is down: stored, shown greyed until the server's frame of it arrives.
      if (result === 'queued') {
        const shown = chat.queued(text)
        return echoed.then((message) => { shown(); return message })
      }
      if (result !== 'ok') throw new Error(`the message was not sent (${result})`)
      return echoed
    },
    onTyping: () => typing.keystroke(),
    onSent: () => typing.stop(),
  })
  const receive = (message: ChatMessage): boolean => {
    const mine = message.name === senderName ? pending.findIndex((p) => p.text === message.text) : -1
    if (mine >= 0) pending.splice(mine, 1)[0]?.resolve(message)
    return chat.show(message)
  }
  return { chat, receive }
}
