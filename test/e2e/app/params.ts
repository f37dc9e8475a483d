/**
 * Query parameters of the test app: the page's own (`?url=…&apikey=…&token=…&lingerMs=…`) and the
 * hub options it forwards to the worker's URL (`?hub.idleCloseMs=200` on the page becomes
 * `?idleCloseMs=200` on the worker). DOM-free so the worker can use it too.
 */

/**
 * Worker options a spec may set, numbers only: the hub's (milliseconds) and the Supabase
 * transport's `replayLimit` (the most messages a re-join asks the server to replay).
 */
export const HUB_OPTION_KEYS = ['idleCloseMs', 'joinWaitMs', 'minUptimeMs', 'tokenTimeoutMs', 'replayLimit'] as const

/** Client options a spec may set; numbers only, milliseconds. */
export const CLIENT_OPTION_KEYS = ['lingerMs', 'heartbeatIntervalMs', 'pauseWhenHiddenMs', 'callTimeoutMs'] as const

type HubOptionKey = (typeof HUB_OPTION_KEYS)[number]
type ClientOptionKey = (typeof CLIENT_OPTION_KEYS)[number]

function numbers<K extends string>(params: URLSearchParams, keys: readonly K[], prefix: string): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {}
  for (const key of keys) {
    const raw = params.get(prefix + key)
    if (raw === null) continue
    const value = Number(raw)
    if (!Number.isFinite(value)) throw new Error(`query param ${prefix}${key}=${raw} is not a number`)
    out[key] = value
  }
  return out
}

/**
 * Hub options from the worker's own search params.
 * @example
 * hubOptionsFrom(new URLSearchParams('idleCloseMs=200')) // { idleCloseMs: 200 }
 */
export function hubOptionsFrom(params: URLSearchParams): Partial<Record<HubOptionKey, number>> {
  return numbers(params, HUB_OPTION_KEYS, '')
}

/**
 * The worker URL's search string for the page's `hub.*` params; `''` when there are none.
 * @example
 * workerSearch(new URLSearchParams('hub.idleCloseMs=200')) // '?idleCloseMs=200'
 */
export function workerSearch(params: URLSearchParams): string {
  const options = numbers(params, HUB_OPTION_KEYS, 'hub.')
  const search = new URLSearchParams(Object.entries(options).map(([key, value]) => [key, String(value)]))
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

/**
 * Client options from the page's params.
 * @example
 * clientOptionsFrom(new URLSearchParams('lingerMs=100')) // { lingerMs: 100 }
 */
export function clientOptionsFrom(params: URLSearchParams): Partial<Record<ClientOptionKey, number>> {
  return numbers(params, CLIENT_OPTION_KEYS, '')
}

/** Where the page connects, from `?url=…&apikey=…&token=…`. */
export interface Target {
  url: string
  apikey: string
  token: string | null
  /** `extendedLifetime=0` turns off Chromium's extended SharedWorker lifetime (on by default). */
  isExtendedLifetime: boolean
}

/**
 * Reads the connection target; `null` when the page was opened without `url`.
 * @example
 * targetFrom(new URLSearchParams('url=http://127.0.0.1:1&apikey=k')) // { url, apikey: 'k', token: null, … }
 */
export function targetFrom(params: URLSearchParams): Target | null {
  const url = params.get('url')
  if (!url) return null
  return { url, apikey: params.get('apikey') ?? '', token: params.get('token'), isExtendedLifetime: params.get('extendedLifetime') !== '0' }
}

/**
 * The host strategy from `?host=…` (`auto` when absent).
 * @example
 * hostFrom(new URLSearchParams('host=leader-tab')) // { host: 'leader-tab' }
 */
export function hostFrom(params: URLSearchParams): { host?: 'auto' | 'shared-worker' | 'leader-tab' | 'dedicated' } {
  const host = params.get('host')
  if (host === null) return {}
  if (host === 'auto' || host === 'shared-worker' || host === 'leader-tab' || host === 'dedicated') return { host }
  throw new Error(`query param host=${host} is not a host strategy`)
}
