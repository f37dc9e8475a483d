/**
 * Supabase's rules for sharing one server channel between many tabs, as pure functions: public
 * and private topics are separate namespaces, presence is on when any tab wants it, the first
 * presence key set wins, and postgres_changes bindings are the union (each tab filters its own
 * locally, by binding key).
 */
import { bindingKey } from '../../../src/contract/bindings.ts'
import type { PostgresFilter, ReplayOption, Subscription } from '../../../src/contract/protocol.ts'

/** The server channel one topic needs on Supabase Realtime. */
export interface SupabaseSpec {
  topic: string
  isPrivate: boolean
  presenceKey: string
  hasPresence: boolean
  postgres: PostgresFilter[]
  /** The app's own `broadcast.replay`, honoured on the join that opens the topic (the first tab's). */
  replay?: ReplayOption
}

/**
 * The topic key: public and private topics of the same name are separate namespaces.
 * @example
 * supabaseKey({ subId: 's1', topic: 'room', config: { private: true }, bindings: [] }) // 'private:room'
 */
export function supabaseKey(sub: Subscription): string {
  return `${sub.config.private === true ? 'private' : 'public'}:${sub.topic}`
}

/**
 * The server channel a set of subscriptions of one topic needs.
 * @example
 * mergeSupabase([sub1, sub2], false) // { topic: 'room', isPrivate: false, hasPresence: true, … }
 */
export function mergeSupabase(subs: readonly Subscription[], hasTracks: boolean, current?: SupabaseSpec): SupabaseSpec {
  const postgres = new Map<string, PostgresFilter>()
  let presenceKey = ''
  let hasPresence = hasTracks || current?.hasPresence === true
  for (const sub of subs) {
    if (presenceKey === '' && sub.config.presence?.key) presenceKey = sub.config.presence.key
    if (sub.config.presence?.enabled === true) hasPresence = true
    for (const binding of sub.bindings) {
      if (binding.type === 'presence') hasPresence = true
      if (binding.type === 'postgres_changes') postgres.set(bindingKey(binding.filter), binding.filter)
    }
  }
  const first = subs[0]
  const spec: SupabaseSpec = { topic: first?.topic ?? '', isPrivate: first?.config.private === true, presenceKey, hasPresence, postgres: [...postgres.values()] }
  // Replay is history up to the join: a topic joined already keeps serving its stream from there.
  const replay = current ? current.replay : subs.find((sub) => sub.config.broadcast?.replay)?.config.broadcast?.replay
  return replay ? { ...spec, replay } : spec
}

/**
 * Whether a channel joined with `current` also serves `wanted`: only growth or a new presence key
 * re-joins, a shrinking union keeps serving the extra bindings (filtered locally), and presence
 * once on stays on.
 * @example
 * coversSupabase(joined, mergeSupabase(subs, false)) // false when a new postgres binding appeared
 */
export function coversSupabase(current: SupabaseSpec, wanted: SupabaseSpec): boolean {
  if (wanted.hasPresence && !current.hasPresence) return false
  // A key is who the server lists this user's presence under: when the subscription that set it
  // leaves and the next one names another (the app signed in as someone else), re-join with it.
  if (wanted.presenceKey !== '' && wanted.presenceKey !== current.presenceKey) return false
  const have = new Set(current.postgres.map(bindingKey))
  return wanted.postgres.every((filter) => have.has(bindingKey(filter)))
}
