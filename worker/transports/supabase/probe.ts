/**
 * Why a socket closed before it ever opened. Browsers hide the HTTP status of a refused WebSocket
 * upgrade (a bad apikey and a server that is down both read close code 1006), so the attempt asks
 * the same server over HTTP: an empty REST broadcast batch, which the server (and Supabase's
 * gateway) refuses with 401 for a bad apikey and which changes nothing when accepted.
 */
import type { CloseReason } from '../transport.ts'
import { closeReason } from './errors.ts'

/** The `fetch` the probe uses; the worker's global one by default. */
export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number }>

/**
 * Tells a refused apikey (fatal: retrying cannot fix it) from an unreachable server (retry).
 * @example
 * const reason = await probeUpgrade('http://127.0.0.1:54321', apikey, 1006, '', fetch)
 */
export async function probeUpgrade(endpoint: string, apikey: string, code: number, text: string, fetcher: Fetch, timeoutMs = 5_000): Promise<CloseReason> {
  const url = `${endpoint.replace(/\/$/, '')}/realtime/v1/api/broadcast`
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const response = await fetcher(url, { method: 'POST', headers: { apikey, 'content-type': 'application/json' }, body: '{"messages":[]}', signal: abort.signal })
    if (response.status === 401 || response.status === 403) {
      return { kind: 'fatal', error: { code: 'unauthorized', message: `the server at ${endpoint} refused the apikey (HTTP ${response.status}): check the apikey given to createSharedRealtime()` } }
    }
    return closeReason(code, text)
  } catch {
    return { kind: 'retry', error: { code: 'transport', message: `cannot reach the server at ${endpoint} (network error, socket closed ${code}); retrying` } }
  } finally {
    clearTimeout(timer)
  }
}
