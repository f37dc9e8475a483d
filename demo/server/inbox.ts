/**
 * The inbox endpoint `ws://…/ws/inbox/?token=<JWT>`: one user-level socket, frames routed by
 * `conversation_id`, as a Django Channels app serves it (test/servers/django runs the real thing on
 * Redis; the contract suite test/unit/inbox runs against both). Like Channels' `group_send`, a
 * conversation frame reaches every subscribed socket, the sender's own included.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { InboxHistory } from './inbox-history.ts'
import { identityOf, notSubscribed, parseInboxFrame, type InboxFrame, type InboxIdentity } from './inbox-frames.ts'
import type { Tokens } from './tokens.ts'

/**
 * The path the endpoint answers on, the Django app's `path('ws/inbox/', …)`.
 *
 * @example
 * new WebSocket(`ws://127.0.0.1:54321${INBOX_PATH}?token=${jwt}`)
 */
export const INBOX_PATH = '/ws/inbox/'

/**
 * Close code for a missing, invalid or expired token: browsers see close codes, not HTTP statuses.
 *
 * @example
 * ws.addEventListener('close', (event) => event.code === UNAUTHORIZED_CLOSE && refreshToken())
 */
export const UNAUTHORIZED_CLOSE = 4401

/**
 * The `inbox` field of `/stats`: open authenticated sockets, conversations with at least one
 * subscriber, and sockets per user id.
 *
 * @example
 * const { sockets, conversations, users } = server.stats().inbox
 */
export interface InboxStats {
  sockets: number
  conversations: number
  users: Record<string, number>
}

/**
 * The endpoint, mounted on the demo server's HTTP server.
 *
 * @example
 * const inbox = createInbox(tokens); http.on('upgrade', inbox.upgrade)
 */
export interface Inbox {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  stats(): InboxStats
  /** Close every socket from the server side (clients see `code` and reconnect). */
  closeAll(code: number, reason: string): void
  /** Terminate every socket and stop accepting. */
  close(): void
}

interface Member {
  ws: WebSocket
  user: InboxIdentity
  conversations: Set<string>
}

/**
 * Create the endpoint; tokens are verified with the demo server's own `Tokens`.
 *
 * @example
 * const inbox = createInbox(createTokens(DEV_JWT_SECRET))
 */
export function createInbox(tokens: Tokens): Inbox {
  const hub = new InboxHub()
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const admit = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const user = await userOf(tokens, req)
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Accept, then close: a browser cannot read an HTTP refusal's status, but it sees this code.
      if (user === null) ws.close(UNAUTHORIZED_CLOSE)
      else hub.join(ws, user)
    })
  }
  return {
    upgrade: (req, socket, head) => {
      socket.on('error', () => socket.destroy())
      admit(req, socket, head).catch(() => socket.destroy())
    },
    stats: () => hub.stats(),
    closeAll: (code, reason) => hub.closeAll(code, reason),
    close: () => {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}

async function userOf(tokens: Tokens, req: IncomingMessage): Promise<InboxIdentity | null> {
  const values = new URL(req.url ?? '/', 'http://localhost').searchParams.getAll('token')
  const token = values.length === 1 ? values[0] : undefined
  if (token === undefined || token === '') return null
  const check = await tokens.verify(token)
  return check.ok ? identityOf(check.claims) : null
}

/** Group membership: sockets per conversation and per user, owned here only. */
class InboxHub {
  readonly #conversations = new Map<string, Set<Member>>()
  readonly #users = new Map<string, Set<Member>>()
  readonly #history = new InboxHistory()

  join(ws: WebSocket, user: InboxIdentity): void {
    const member: Member = { ws, user, conversations: new Set() }
    add(this.#users, user.id, member)
    ws.on('message', (data, isBinary) => this.#receive(member, textOf(data), isBinary))
    ws.on('close', () => this.#leave(member))
    ws.on('error', () => ws.terminate())
  }

  stats(): InboxStats {
    const users: Record<string, number> = {}
    for (const [id, members] of this.#users) users[id] = members.size
    const sockets = Object.values(users).reduce((sum, n) => sum + n, 0)
    return { sockets, conversations: this.#conversations.size, users }
  }

  closeAll(code: number, reason: string): void {
    for (const members of this.#users.values()) for (const member of members) member.ws.close(code, reason)
  }

  #leave(member: Member): void {
    remove(this.#users, member.user.id, member)
    for (const id of member.conversations) remove(this.#conversations, id, member)
    member.conversations.clear()
  }

  #receive(member: Member, text: string, isBinary: boolean): void {
    const parsed = parseInboxFrame(text, isBinary)
    if (!parsed.ok) return send(member, { type: 'error', message: parsed.error })
    const error = this.#handle(member, parsed.frame)
    if (error !== null) send(member, { type: 'error', message: error })
  }

  // Returns the text of an error frame, or null.
  #handle(member: Member, frame: InboxFrame): string | null {
    switch (frame.type) {
      case 'ping':
        send(member, { type: 'pong' })
        return null
      case 'subscribe': {
        member.conversations.add(frame.conversation_id)
        add(this.#conversations, frame.conversation_id, member)
        if (frame.since === undefined) return null
        // One thread: nothing is sent to the conversation between the read and these frames.
        const { missed, newest, isComplete } = this.#history.after(frame.conversation_id, frame.since)
        for (const message of missed) send(member, message)
        send(member, { type: 'replayed', conversation_id: frame.conversation_id, since: frame.since, count: missed.length, last_message_id: newest, is_complete: isComplete })
        return null
      }
      case 'unsubscribe':
        member.conversations.delete(frame.conversation_id)
        remove(this.#conversations, frame.conversation_id, member)
        return null
      case 'TEXT': {
        const { message, conversation_id } = frame
        if (!member.conversations.has(conversation_id)) return notSubscribed(conversation_id)
        return this.#toConversation(member, conversation_id, this.#history.add({ type: 'TEXT', message, conversation_id, ...stamp(member.user) }))
      }
      case 'typing': {
        const { conversation_id, typing } = frame
        const sender = { sender_id: member.user.id, sender_name: member.user.name }
        return this.#toConversation(member, conversation_id, { type: 'typing', conversation_id, ...sender, typing })
      }
      case 'notify': {
        const notice = { type: 'NOTIFY', message: frame.message, ...stamp(member.user), message_id: randomUUID() }
        for (const to of this.#users.get(frame.to) ?? []) send(to, notice)
        return null
      }
    }
  }

  // Sending requires membership, as in an app that checks participants before group_send.
  #toConversation(member: Member, id: string, frame: Record<string, unknown>): string | null {
    if (!member.conversations.has(id)) return notSubscribed(id)
    for (const to of this.#conversations.get(id) ?? []) send(to, frame)
    return null
  }
}

// Sender fields and time, computed once so every receiver gets the same. A TEXT's message_id is
// the history's next integer, a NOTIFY's (not stored) a UUID, as on the Django server.
function stamp(user: InboxIdentity): Record<string, string | null> {
  return { sender_id: user.id, sender_name: user.name, sender_avatar: user.avatar, created_at: new Date().toISOString() }
}

function send(member: Member, frame: Record<string, unknown>): void {
  if (member.ws.readyState === WebSocket.OPEN) member.ws.send(JSON.stringify(frame))
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8')
  return data.toString('utf8')
}

function add(groups: Map<string, Set<Member>>, key: string, member: Member): void {
  const members = groups.get(key) ?? new Set<Member>()
  members.add(member)
  groups.set(key, members)
}

function remove(groups: Map<string, Set<Member>>, key: string, member: Member): void {
  const members = groups.get(key)
  if (members === undefined) return
  members.delete(member)
  if (members.size === 0) groups.delete(key)
}
