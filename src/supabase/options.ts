/**
 * The options of `createSharedRealtime()`: supabase-js's project URL and key, plus the timing
 * every tabrelay client takes.
 */
import { RelayError } from '../contract/errors.ts'
import { checkClientOptions, type ClientOptions, type Settings } from '../core/options.ts'

/**
 * What `createSharedRealtime()` takes; every duration ends in `Ms`.
 * @example
 * const options: SharedRealtimeOptions = { url, apikey, worker: () => new SharedWorker(url, { type: 'module', name: workerName() }) }
 */
export interface SharedRealtimeOptions extends ClientOptions {
  /** The Supabase project URL. */
  url: string
  /** The project's anon or publishable key. */
  apikey: string
  /** The transport's name in the worker's `serveHub({ transports })`; default `'supabase'`. */
  transport?: string
}

function bad(message: string): RelayError {
  return new RelayError('bad-input', `createSharedRealtime(): ${message}`)
}

/**
 * Checks the options and names the connection: transport, project URL, apikey. The worker checks
 * the same rules again (it trusts no tab).
 * @example
 * const settings = checkOptions({ url, apikey, worker }) // settings.target.endpoint === url
 */
export function checkOptions(options: SharedRealtimeOptions): Settings {
  if (typeof options !== 'object' || options === null) throw bad('pass { url, apikey, worker }')
  if (typeof options.url !== 'string' || options.url === '') throw bad('url must be the Supabase project URL')
  if (typeof options.apikey !== 'string' || options.apikey === '') throw bad('apikey must be the anon or publishable key (a non-empty string)')
  const transport = options.transport ?? 'supabase'
  if (typeof transport !== 'string' || transport === '') throw bad("transport must be the transport's name in serveHub({ transports })")
  const target = { transport, endpoint: options.url, params: { apikey: options.apikey }, identity: null }
  return checkClientOptions(options, target, 'createSharedRealtime')
}
