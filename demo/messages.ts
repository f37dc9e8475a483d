/**
 * The chat's rows in the `messages` table, through supabase-js's own REST client (`from()`), as an
 * app would read and write them: the room's recent history when a tab opens, the rows created
 * since a moment (the backfill after a `resync`), and an insert per message sent.
 */
import { createClient } from '@supabase/supabase-js'
import type { ChatMessage } from './ui/chat.ts'

/** The chat's table, as the page uses it. */
export interface MessageStore {
  /** The room's last `limit` messages, oldest first. */
  recent(limit: number): Promise<ChatMessage[]>
  /** The room's messages created at or after `sinceMs`, oldest first. */
  since(sinceMs: number): Promise<ChatMessage[]>
  /** Stores one message; resolves to the stored row. */
  insert(text: string): Promise<ChatMessage>
}

/** Where the rows are and who writes them. */
export interface StoreConfig {
  url: string
  apikey: string
  room: string
  user: string
  accessToken(): Promise<string>
}

const COLUMNS = 'id,room,name,text,created_at'

/**
 * Reads one `messages` row as a chat message; anything else (a row of another shape) is null.
 * @example
 * toMessage({ id: 1, room: 'lobby', name: 'bob', text: 'hi', created_at: '2026-12-01T10:00:00+00:00' })
 */
export function toMessage(row: unknown): ChatMessage | null {
  if (typeof row !== 'object' || row === null) return null
  const { id, name, text, created_at: createdAt } = row as Record<string, unknown>
  if (typeof id !== 'number' || typeof name !== 'string' || typeof text !== 'string' || typeof createdAt !== 'string') return null
  return { id, name, text, at: Date.parse(createdAt) }
}

function messagesOf(rows: unknown[] | null): ChatMessage[] {
  return (rows ?? []).map(toMessage).filter((m): m is ChatMessage => m !== null)
}

/**
 * A supabase-js client for REST only (this tab's realtime goes through the shared worker).
 * @example
 * const store = messageStore({ url, apikey, room: 'lobby', user: 'alice', accessToken })
 * const history = await store.recent(50)
 */
export function messageStore(config: StoreConfig): MessageStore {
  const supabase = createClient(config.url, config.apikey, { accessToken: config.accessToken })
  const table = (): ReturnType<typeof supabase.from> => supabase.from('messages')
  const fail = (what: string, message: string): Error => new Error(`${what}: ${message}`)
  return {
    async recent(limit) {
      const { data, error } = await table().select(COLUMNS).eq('room', config.room).order('id', { ascending: false }).limit(limit)
      if (error) throw fail('loading the history', error.message)
      return messagesOf(data).reverse()
    },
    async since(sinceMs) {
      const { data, error } = await table().select(COLUMNS).eq('room', config.room).gte('created_at', new Date(sinceMs).toISOString()).order('id')
      if (error) throw fail('backfilling', error.message)
      return messagesOf(data)
    },
    async insert(text) {
      const { data, error } = await table().insert({ room: config.room, name: config.user, text }).select(COLUMNS).single()
      const message = toMessage(data)
      if (error || !message) throw fail('not sent', error?.message ?? 'no row came back')
      return message
    },
  }
}
