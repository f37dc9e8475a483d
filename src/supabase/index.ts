/**
 * tabrelay's Supabase adapter: supabase-js's realtime API (`channel()`, `.on('broadcast' |
 * 'presence' | 'postgres_changes' | 'system')`, `subscribe`, `track`, …) over ONE shared
 * connection per user. The worker serves it with `supabaseTransport()` from `tabrelay/worker/supabase`.
 * @example
 * import { createSharedRealtime } from 'tabrelay/supabase'
 * import { workerName } from 'tabrelay'
 * const realtime = createSharedRealtime({ url, apikey, worker: () =>
 *   new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }) })
 */
export { createSharedRealtime, type SharedRealtime, type ConnectionState } from './client.ts'
export type { SharedRealtimeOptions } from './options.ts'
export type { ChannelState } from '../core/membership.ts'
export type { UpdateInfo } from '../core/deploy.ts'
export type {
  SharedChannel, ChannelOptions, SubscribeCallback, BroadcastMessage, CallOptions, HttpSendResult, Presence, RealtimePresenceState,
  RealtimePresenceJoinPayload, RealtimePresenceLeavePayload, RealtimePostgresChangesPayload, RealtimePostgresInsertPayload,
  RealtimePostgresUpdatePayload, RealtimePostgresDeletePayload, RealtimePostgresChangesFilter,
} from './types.ts'
export { workerName, type HubWorker } from '../hosts/worker.ts'
export { RelayError, type ErrorCode } from '../contract/errors.ts'
export type { ConnectionStatus, ChannelStatus, StatusEvent, SendResult, SendOutcome, OutboxReport, HubStats, PresenceState, Json, Persist, ResyncPayload, ResyncReason } from '../contract/protocol.ts'
