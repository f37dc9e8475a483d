/**
 * What `inspect()` returns: the hub as one identity sees it, for `tabrelay/devtools`. Types only,
 * like `protocol.ts`. Nothing here carries a token or a payload: endpoints lose their query, the
 * connection's params show their names only, topics show counts.
 */
import type { ConnectionStatus, StatusEvent, Visibility, WireError } from './protocol.ts'

/** One thing the hub did or saw, in the order it happened; `seq` grows by one per entry. */
export type JournalEvent =
  | { kind: 'status'; status: ConnectionStatus; attempt?: number; retryAt?: number; error?: WireError }
  | { kind: 'tab-added'; tabId: string; visibility: Visibility }
  | { kind: 'tab-removed'; tabId: string; reason: RemoveReason }
  | { kind: 'visibility'; anyVisible: boolean }
  | { kind: 'leader'; tabId: string | null }
  | { kind: 'joined' | 'left'; tabId: string; topic: string; subId: string }
  | { kind: 'overflow'; tabId: string }
  | { kind: 'error'; tabId: string; error: WireError }

/** Why a tab left an identity's view. */
export type RemoveReason = 'bye' | 'lock' | 'heartbeat' | 'hello' | 'moved'

/**
 * A journal event as the hub writes it: the kind, then the event's values in order. Positional,
 * because the hub writes these in every worker while only workers with devtools turn them into
 * {@link JournalEvent}s (named fields cost bytes in every worker bundle).
 */
export type JournalNote =
  | ['status', StatusEvent]
  | ['tab-added', string, Visibility]
  | ['tab-removed', string, RemoveReason]
  | ['visibility', boolean]
  | ['leader', string | null]
  | ['joined' | 'left', string, string, string]
  | ['overflow', string]
  | ['error', string, WireError]

/** A journal event with its place and time (hub clock, epoch ms). */
export type JournalEntry = JournalEvent & { seq: number; at: number }

/** A tab of the caller's identity. */
export interface InspectedTab {
  tabId: string
  /** The tab that called `inspect()`. */
  isSelf: boolean
  isLeader: boolean
  visibility: Visibility
  focused: boolean
  /** No heartbeat for over twice the tab's interval: the page may be frozen or throttled. */
  isFrozenSuspect: boolean
  /** Hub clock of the tab's last hello or heartbeat. */
  lastBeatAt: number
  heartbeatIntervalMs: number
  /** Deliveries waiting in the worker for this tab, and the most it ever held. */
  outbox: { queued: number; peak: number; overflows: number }
}

/** A server topic of the caller's connection. */
export interface InspectedTopic {
  topic: string
  status: string
  /** Presence keys on the topic. */
  presence: number
  /** Time of the last event on the topic (what a resync reports as `since`). */
  since: number | null
  /** Server messages routed to tabs, and sends written by tabs, since the topic was joined. */
  received: number
  sent: number
  /**
   * `running` from a re-join's replay request (or a late tab's promised re-join) until the replay
   * reached back to a delivered message, filled its limit or settled (at most `settleMs` after
   * `SUBSCRIBED`), and while resyncs are owed at the next join; `idle` when none of that is pending:
   * on a joined topic, no replay of the past can still bring a message or a `resync`.
   */
  replay: 'idle' | 'running'
  subs: Array<{ tabId: string; subId: string; bindings: number }>
}

/** The caller's identity's view of the hub; see the module comment for what is left out. */
export interface HubInspection {
  workerId: string
  protocol: number
  /** Where the hub runs: a SharedWorker, or a dedicated Worker (own or a leader tab's). */
  host: 'shared-worker' | 'dedicated-worker' | 'other'
  /** Hub clock when the snapshot was taken. */
  now: number
  /** Highest journal `seq` so far: pass it as `since` next time to get only newer entries. */
  seq: number
  connection: {
    transport: string
    /** Scheme, host and path only: a query or user part may hold a token. */
    endpoint: string
    params: string[]
    status: ConnectionStatus
    attempt?: number
    retryAt?: number
    error?: WireError
    /** Sends waiting for their topic to be joined. */
    sendQueue: number
  } | null
  tabs: InspectedTab[]
  topics: InspectedTopic[]
  /** Journal entries of this identity newer than `since`, oldest first (bounded by the ring). */
  journal: JournalEntry[]
}
