/**
 * The inbox contract's incoming frames, validated, and who a token says the sender is. The Django
 * test server (test/servers/django/inbox_frames.py) applies the same rules with the same messages,
 * so one contract suite runs against both.
 */
import { isRecord } from './postgres.ts'

/**
 * Longest accepted `conversation_id` or `to`, in UTF-16 code units.
 *
 * @example
 * if (id.length > MAX_ID_LENGTH) throw new Error('conversation id too long')
 */
export const MAX_ID_LENGTH = 256

/**
 * A frame a client may send.
 *
 * @example
 * const frame: InboxFrame = { type: 'TEXT', conversation_id: 'lobby', message: 'hi' }
 */
export type InboxFrame =
  | { type: 'subscribe'; conversation_id: string; since?: number | null }
  | { type: 'unsubscribe'; conversation_id: string }
  | { type: 'TEXT'; conversation_id: string; message: string }
  | { type: 'typing'; conversation_id: string; typing: boolean }
  | { type: 'notify'; to: string; message: string }
  | { type: 'ping' }

/**
 * A parsed frame, or the text of the `error` frame that answers it.
 *
 * @example
 * const parsed: ParsedFrame = { ok: false, error: 'frames must be JSON text' }
 */
export type ParsedFrame = { ok: true; frame: InboxFrame } | { ok: false; error: string }

/**
 * Who a socket acts for: the token's `sub`, a display name and an avatar URL.
 *
 * @example
 * const alice: InboxIdentity = { id: 'alice', name: 'Alice', avatar: null }
 */
export interface InboxIdentity {
  id: string
  name: string
  avatar: string | null
}

class FrameError extends Error {}

/**
 * Validate one socket message; binary frames and anything but the known types are errors.
 *
 * @example
 * parseInboxFrame('{"type":"ping"}', false) // { ok: true, frame: { type: 'ping' } }
 */
export function parseInboxFrame(text: string, isBinary: boolean): ParsedFrame {
  try {
    return { ok: true, frame: toFrame(decode(text, isBinary)) }
  } catch (error) {
    if (error instanceof FrameError) return { ok: false, error: error.message }
    throw error
  }
}

function decode(text: string, isBinary: boolean): Record<string, unknown> {
  let value: unknown
  try {
    value = isBinary ? undefined : JSON.parse(text)
  } catch {
    value = undefined
  }
  if (value === undefined) throw new FrameError('frames must be JSON text')
  if (!isRecord(value) || typeof value['type'] !== 'string') {
    throw new FrameError('a frame must be a JSON object with a string "type"')
  }
  return value
}

function toFrame(raw: Record<string, unknown>): InboxFrame {
  const type = String(raw['type'])
  switch (type) {
    case 'subscribe':
      return 'since' in raw ? { type, conversation_id: conversation(raw), since: since(raw) } : { type, conversation_id: conversation(raw) }
    case 'unsubscribe':
      return { type, conversation_id: conversation(raw) }
    case 'TEXT':
      return { type, conversation_id: conversation(raw), message: message(raw) }
    case 'typing':
      return { type, conversation_id: conversation(raw), typing: typing(raw) }
    case 'notify':
      return { type, to: recipient(raw), message: message(raw) }
    case 'ping':
      return { type }
    default:
      throw new FrameError(`unknown frame type "${type.slice(0, 40)}": expected subscribe, unsubscribe, TEXT, typing, notify or ping`)
  }
}

function since(raw: Record<string, unknown>): number | null {
  const value = raw['since']
  if (value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) return value
  throw new FrameError('"since" must be a message_id (an integer of at least 0) or null')
}

function conversation(raw: Record<string, unknown>): string {
  const value = raw['conversation_id']
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
    throw new FrameError(`conversation_id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`)
  }
  return value
}

function message(raw: Record<string, unknown>): string {
  const value = raw['message']
  if (typeof value !== 'string' || value === '') throw new FrameError('"message" must be a non-empty string')
  return value
}

function recipient(raw: Record<string, unknown>): string {
  const value = raw['to']
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
    throw new FrameError('"to" must be a non-empty string (a user id)')
  }
  return value
}

function typing(raw: Record<string, unknown>): boolean {
  const value = raw['typing']
  if (typeof value !== 'boolean') throw new FrameError('"typing" must be true or false')
  return value
}

/**
 * The error text for a send to a conversation the socket has not subscribed to.
 *
 * @example
 * notSubscribed('lobby') // 'not subscribed to conversation "lobby": send a subscribe frame first'
 */
export function notSubscribed(conversationId: string): string {
  return `not subscribed to conversation "${conversationId.slice(0, 40)}": send a subscribe frame first`
}

/**
 * Identity from verified claims: name from `user_metadata.name`/`full_name` or `name` (else `sub`),
 * avatar from `user_metadata.avatar_url` or `avatar_url`; null without a string `sub`.
 *
 * @example
 * identityOf({ sub: 'alice', user_metadata: { name: 'Alice' } }) // { id: 'alice', name: 'Alice', avatar: null }
 */
export function identityOf(claims: Record<string, unknown>): InboxIdentity | null {
  const id = text(claims['sub'])
  if (id === null) return null
  const meta = isRecord(claims['user_metadata']) ? claims['user_metadata'] : {}
  const name = text(meta['name']) ?? text(meta['full_name']) ?? text(claims['name']) ?? id
  return { id, name, avatar: text(meta['avatar_url']) ?? text(claims['avatar_url']) }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}
