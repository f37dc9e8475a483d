/**
 * The inbox endpoint's message memory: TEXT frames get increasing integer `message_id`s (as the
 * Django app's autoincrement rows do) and the newest of each conversation are kept, bounded, so a
 * `subscribe` with `since` can replay what a socket missed. Lost on restart, like the demo's data.
 */

/** Messages kept per conversation; an older `since` gets `is_complete: false`. */
export const HISTORY_PER_CONVERSATION = 500
/** Conversations kept; the least recently written one is forgotten first. */
export const HISTORY_CONVERSATIONS = 1_000

/**
 * A stored TEXT frame.
 * @example
 * const frame: StoredText = { type: 'TEXT', message_id: 7, conversation_id: 'lobby', message: 'hi' }
 */
export type StoredText = Record<string, unknown> & { message_id: number; conversation_id: string }

/**
 * What a socket missed after `since`, oldest first, and whether that is all of it.
 * @example
 * const { missed, newest, isComplete } = history.after('lobby', 3)
 */
export interface Replay {
  missed: StoredText[]
  newest: number
  isComplete: boolean
}

/**
 * Ids and the bounded store.
 * @example
 * const history = new InboxHistory(); const frame = history.add({ type: 'TEXT', conversation_id: 'c', message: 'hi' })
 */
export class InboxHistory {
  #lastId = 0
  // The newest id of any conversation forgotten whole: a conversation started afresh may miss up to it.
  #forgottenUpTo = 0
  readonly #byConversation = new Map<string, { list: StoredText[]; droppedUpTo: number }>()

  /** Stamps `frame` with the next `message_id` and keeps it. */
  add(frame: Record<string, unknown> & { conversation_id: string }): StoredText {
    const stored: StoredText = { ...frame, message_id: ++this.#lastId }
    const entry = this.#byConversation.get(frame.conversation_id) ?? { list: [], droppedUpTo: this.#forgottenUpTo }
    // Re-inserted: the Map's order is the least recently written first.
    this.#byConversation.delete(frame.conversation_id)
    this.#byConversation.set(frame.conversation_id, entry)
    entry.list.push(stored)
    if (entry.list.length > HISTORY_PER_CONVERSATION) entry.droppedUpTo = entry.list.shift()?.message_id ?? entry.droppedUpTo
    if (this.#byConversation.size > HISTORY_CONVERSATIONS) {
      const oldest = this.#byConversation.keys().next().value
      if (oldest !== undefined) this.#byConversation.delete(oldest)
      this.#forgottenUpTo = this.#lastId
    }
    return stored
  }

  /**
   * After `since` (`null`: nothing, only `newest`). Incomplete when messages after `since` were
   * forgotten, or `since` is newer than any id given here (the server restarted).
   */
  after(conversation: string, since: number | null): Replay {
    const entry = this.#byConversation.get(conversation) ?? { list: [], droppedUpTo: this.#forgottenUpTo }
    const newest = entry.list.at(-1)?.message_id ?? 0
    if (since === null) return { missed: [], newest, isComplete: true }
    const isComplete = since >= entry.droppedUpTo && since <= this.#lastId
    return { missed: isComplete ? entry.list.filter((m) => m.message_id > since) : [], newest, isComplete }
  }
}
