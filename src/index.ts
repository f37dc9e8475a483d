/**
 * tabrelay for tabs: one shared Supabase Realtime connection for every tab of a user, held by a
 * SharedWorker. The worker side is `tabrelay/worker`.
 * @example
 * import { createSharedRealtime, workerName } from 'tabrelay'
 * const realtime = createSharedRealtime({ url, apikey, worker: () =>
 *   new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }) })
 */
export { createSharedRealtime, type SharedRealtime } from './supabase/client.ts'
export { workerName, type HubWorker } from './core/connect.ts'
export { RelayError, type ErrorCode } from './contract/errors.ts'
export type { SharedRealtimeOptions } from './core/options.ts'
export type { SharedChannel, ChannelOptions, ChannelState, SubscribeCallback, BroadcastMessage, PresenceJoin, PresenceLeave, PostgresChange } from './supabase/listen.ts'
export type { ConnectionStatus, ChannelStatus, StatusEvent, SendResult, HubStats, PresenceState, Json } from './contract/protocol.ts'
