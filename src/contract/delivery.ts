/**
 * What crosses from the hub to a tab, event by event: the deliveries, the frames that carry them
 * (with their acks), and the payloads of the hub's own `system` events (`resync`, `outbox`).
 * Apart from protocol.ts, which re-exports all of it, so that it stays one import for both sides.
 */
import type { ChannelStatus, Json, PresenceState, WireError } from './protocol.ts'

/** States of a persisted send, as its topic's `outbox` system event reports them. */
export type OutboxState = 'queued' | 'ok' | 'error'

/**
 * The payload of a topic's `outbox` system event: a persisted send was stored (`queued`), went
 * out (`ok`), or never will (`error`, with `reason` `'refused'` by the server or `'expired'`).
 * `key` is its idempotency key; `at` when it was queued (epoch ms).
 */
export type OutboxReport = { key: string; event: string; payload: Json; state: OutboxState; at: number; reason?: 'refused' | 'expired' }

/**
 * Why a `resync` fired, i.e. why tabrelay could not deliver what the topic missed itself:
 * - `not-replayable`: the server or transport cannot replay this topic;
 * - `public-channel`: Supabase replays private channels only;
 * - `postgres-changes`: the topic listens to postgres_changes, which no server replays;
 * - `not-persisted`: a broadcast the topic received was not sent with `persist` (or none was received yet);
 * - `replay-gap`: the replay did not reach back to the last delivered message (limit reached, expired);
 * - `new-hub`: the tab moved to another hub (a restarted worker, a tab-host handover, a deploy);
 * - `user-switch`: the tab's channels were joined for another user;
 * - `held`: the tab's token was not proven yet, so it was held from the connection's events;
 * - `overflow`: the tab fell too far behind and its backlog was dropped.
 */
export type ResyncReason =
  | 'not-replayable' | 'public-channel' | 'postgres-changes' | 'not-persisted' | 'replay-gap' | 'new-hub' | 'user-switch' | 'held' | 'overflow'

/**
 * What a subscription got before it rejoined a new hub: `since`, when it got its newest message
 * with an id (epoch ms), and `ids`, the ids (`meta.id`) of its newest messages, oldest first, at most
 * {@link MAX_RESUME_IDS} of at most {@link MAX_RESUME_ID_CHARS} characters; empty when a message
 * without an id came after them (the server did not store it, so a replay cannot cover the gap).
 */
export interface ResumeCursor {
  since: number
  ids: string[]
}

/** Most ids a {@link ResumeCursor} may carry: more than a replay's usual limit (Supabase: 25). */
export const MAX_RESUME_IDS = 64
/** Longest id a {@link ResumeCursor} may carry (Supabase's are UUIDs, 36 characters). */
export const MAX_RESUME_ID_CHARS = 128

/** The payload of a `system` `resync` delivery: fetch what changed after `since` (`null`: everything). */
export interface ResyncPayload {
  since: number | null
  reason: ResyncReason
}

/** One event for one tab; `subIds` are the tab's subscriptions it is for. */
export type Delivery =
  | { kind: 'broadcast'; subIds: string[]; event: string; payload: Json; meta?: Json }
  | { kind: 'presence'; subIds: string[]; event: 'sync' | 'join' | 'leave'; key?: string;
      currentPresences?: Json[]; newPresences?: Json[]; leftPresences?: Json[]; state: PresenceState }
  | { kind: 'postgres_changes'; subIds: string[]; bindingKeys: string[]; payload: Json }
  | { kind: 'system'; subIds: string[]; event: string; payload: Json }
  | { kind: 'channel'; subIds: string[]; status: ChannelStatus; error?: WireError }

/**
 * A batch of deliveries the hub posts on the tab's endpoint beside Comlink's messages (which have
 * an `id`; frames do not). `batch` is JSON text of `Delivery[]` built once per event for all tabs,
 * or the deliveries themselves when a payload is not JSON (binary). With `ack`, answered by a
 * {@link DeliveryAck}: the hub's back-pressure.
 */
export interface DeliveryFrame {
  frame: 'deliver'
  seq: number
  batch: string | Delivery[]
  /** Whether the hub waits for this frame's ack (the others count as answered once posted). */
  ack: boolean
}

/** The tab took the {@link DeliveryFrame} numbered `seq`. */
export interface DeliveryAck {
  frame: 'ack'
  seq: number
}
