/**
 * Supabase Realtime as a tabrelay transport, through the unmodified realtime-js client. Supabase's
 * rules live here only: identity from the JWT `sub` (or `identityClaim`) per project URL and apikey,
 * the anon key as the one anonymous token, the freshest token by `exp`, separate private topics,
 * the presence and postgres_changes merge, realtime-js's byte limits, and a server that never echoes
 * a socket's own broadcasts.
 */
import type { ConnectionTarget, Subscription } from '../../../src/contract/protocol.ts'
import { isFresher, tokenIdentity, type IdentityRule } from '../../connection/claims.ts'
import type { Capabilities, OpenOptions, Transport, TransportConnection } from '../transport.ts'
import { SupabaseAttempt, type SupabaseTransportOptions } from './attempt.ts'
import { coversSupabase, mergeSupabase, supabaseKey, type SupabaseSpec } from './spec.ts'

export type { SupabaseTransportOptions } from './attempt.ts'
export type { SupabaseSpec } from './spec.ts'

/**
 * Longest topic in UTF-8 bytes on Supabase Realtime: realtime-js writes `realtime:<topic>` into a
 * one-byte length field of its binary broadcast frame (255), so a longer topic could join but
 * never broadcast.
 */
export const SUPABASE_TOPIC_BYTES = 255 - 'realtime:'.length

/**
 * What Supabase Realtime supports. The payload limit is the hosted default for broadcast (3 MB on
 * paid plans; the server closes a socket whose frame is larger, and with it every tab's channels);
 * a presence meta goes in one frame too, and is re-sent on every rejoin.
 */
export const SUPABASE_CAPABILITIES: Capabilities = {
  presence: true, postgresChanges: true, privateTopics: true, acks: true, echoesToSender: false,
  // realtime-js's binary broadcast frame stores `realtime:<topic>` and the event in one-byte fields.
  maxTopicBytes: SUPABASE_TOPIC_BYTES, maxEventBytes: 255, maxPayloadBytes: 3_000 * 1024, maxMetaBytes: 3_000 * 1024,
}

class SupabaseTransport implements Transport<SupabaseSpec> {
  readonly capabilities: Capabilities
  readonly #extra: SupabaseTransportOptions
  readonly #identity: IdentityRule
  // realtime-js sends a new access token to the joined channels at once; the server answers them.
  readonly appliesTokenInPlace = true

  constructor(extra: SupabaseTransportOptions, capabilities: Partial<Capabilities>) {
    this.#extra = extra
    // Supabase's anon key is a JWT with role `anon` and no `sub`: the one anonymous token.
    this.#identity = { claim: extra.identityClaim ?? 'sub', anonymousRole: 'anon' }
    this.capabilities = { ...SUPABASE_CAPABILITIES, ...capabilities }
  }

  identify(target: ConnectionTarget, token: string | null): string {
    // One connection per project key and user; an explicit identity cannot override the JWT's.
    return `${target.params['apikey'] ?? ''}|${tokenIdentity(token, this.#identity)}`
  }

  prefers(offered: string | null, current: string | null): boolean {
    return isFresher(offered, current)
  }

  key(sub: Subscription): string {
    return supabaseKey(sub)
  }

  merge(subs: readonly Subscription[], hasTracks: boolean, current?: SupabaseSpec): SupabaseSpec {
    return mergeSupabase(subs, hasTracks, current)
  }

  notice(spec: SupabaseSpec, sub: Subscription): string | undefined {
    const replay = sub.config.broadcast?.replay
    if (replay && replay !== spec.replay && JSON.stringify(replay) !== JSON.stringify(spec.replay)) {
      return `broadcast.replay was not applied: the topic is joined already (by another tab or channel), so this channel gets its messages from now on. Replay history with a fetch, or give the first channel the replay.`
    }
    const key = sub.config.presence?.key
    if (!key || spec.presenceKey === '' || key === spec.presenceKey) return undefined
    return `presence key '${key}' is served as '${spec.presenceKey}', another tab's: one connection holds one presence per topic and user, so this user's tabs share the first key given. Use the same key in every tab (e.g. the user id).`
  }

  covers(current: SupabaseSpec, wanted: SupabaseSpec): boolean {
    return coversSupabase(current, wanted)
  }

  open(options: OpenOptions): TransportConnection<SupabaseSpec> {
    return new SupabaseAttempt(options, this.#extra)
  }
}

/**
 * The Supabase Realtime transport, named by tabs as `'supabase'` unless the worker names it otherwise.
 * @example
 * serveHub({ transports: { supabase: supabaseTransport() } })
 */
export function supabaseTransport(extra: SupabaseTransportOptions = {}, capabilities: Partial<Capabilities> = {}): Transport<SupabaseSpec> {
  return new SupabaseTransport(extra, capabilities)
}
