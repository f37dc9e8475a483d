/**
 * tabrelay for tabs: ONE shared realtime connection for every tab of a user, held by a hub in a
 * SharedWorker. This entry is the transport-neutral client; the Supabase-compatible API is
 * `tabrelay/supabase`, the worker side `tabrelay/worker`.
 * @example
 * import { createRelay, workerName } from 'tabrelay'
 * const relay = createRelay({ transport: 'inbox', endpoint: '/ws/inbox/', worker: () =>
 *   new SharedWorker(new URL('./relay.worker.ts', import.meta.url), { type: 'module', name: workerName() }) })
 */
export { createRelay, type Relay, type RelayOptions } from './core/relay.ts'
export type { Topic, TopicMessage, TopicOptions } from './core/topic.ts'
export type { ClientOptions } from './core/options.ts'
export type { UpdateInfo, DeployWorker, AcceptDeploy } from './core/deploy.ts'
export type { ChannelState } from './core/membership.ts'
export { workerName, type HubWorker, type WorkerKind } from './hosts/worker.ts'
export type { HostStrategy } from './hosts/strategy.ts'
export { RelayError, type ErrorCode } from './contract/errors.ts'
export type { ConnectionStatus, ChannelStatus, StatusEvent, SendResult, SendOutcome, OutboxReport, HubStats, HubOffer, Json, ResyncReason } from './contract/protocol.ts'
