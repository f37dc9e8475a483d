/**
 * The Realtime server as specs see it over HTTP: `/stats` and dev tokens. Playwright cannot see a
 * SharedWorker's sockets, so specs count them here (STYLE.md §8).
 */
import type { SocketStats, Stats } from '../../../demo/server/index.ts'

export type { Stats, SocketStats }

/**
 * Fetches the server's `/stats`.
 * @example
 * const { connections, topics } = await stats('http://127.0.0.1:54321')
 */
export async function stats(serverUrl: string): Promise<Stats> {
  const response = await fetch(new URL('/stats', serverUrl))
  if (!response.ok) throw new Error(`GET ${serverUrl}/stats answered ${response.status}`)
  return (await response.json()) as Stats
}

/**
 * Mints an access token for `sub` through the server's `POST /dev/token`.
 * @example
 * const token = await mintToken(serverUrl, 'alice')
 */
export async function mintToken(serverUrl: string, sub: string, expiresInS?: number): Promise<string> {
  const response = await fetch(new URL('/dev/token', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(expiresInS === undefined ? { sub } : { sub, expiresInS }),
  })
  const body: unknown = await response.json()
  if (!response.ok || typeof body !== 'object' || body === null || !('access_token' in body) || typeof body.access_token !== 'string') {
    throw new Error(`POST ${serverUrl}/dev/token answered ${response.status}: ${JSON.stringify(body)}`)
  }
  return body.access_token
}

/**
 * The open sockets of one user (`sub` is set once the socket has verified that user's token).
 * @example
 * expect(socketsOf(await stats(url), 'alice')).toHaveLength(1)
 */
export function socketsOf(snapshot: Stats, sub: string): SocketStats[] {
  return snapshot.sockets.filter((socket) => socket.sub === sub)
}

/**
 * How many channels are joined on `topic` (the name given to `channel()`), all sockets together.
 * @example
 * expect(joined(await stats(url), 'room:1')).toBe(1)
 */
export function joined(snapshot: Stats, topic: string): number {
  return snapshot.topics[`realtime:${topic}`] ?? 0
}
