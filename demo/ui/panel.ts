/**
 * The connection panel: the hub's view (status, tabs, visible tabs, leader, worker id) next to the
 * server's (`GET /stats`: live sockets, in all and for this user), polled once a second. The
 * headline, "4 tabs · 1 connection", is the point of the library.
 */
import type { ConnectionStatus, SharedRealtime } from '../../src/supabase/index.ts'
import { byTestId, setText } from './dom.ts'

/** The part of the server's `/stats` the panel reads. */
export interface ServerCounts {
  connections: number
  /** Sockets whose token's `sub` is this user. */
  userConnections: number
}

/**
 * Fetches `/stats` and counts all sockets and this user's.
 * @example
 * await serverCounts('http://127.0.0.1:54321', 'alice') // { connections: 2, userConnections: 1 }
 */
export async function serverCounts(realtimeUrl: string, user: string): Promise<ServerCounts> {
  const response = await fetch(`${realtimeUrl}/stats`, { cache: 'no-store' })
  if (!response.ok) throw new Error(`GET /stats answered ${response.status}`)
  const body: unknown = await response.json()
  if (typeof body !== 'object' || body === null || !('connections' in body) || typeof body.connections !== 'number') throw new Error('GET /stats: no connections count')
  const sockets = 'sockets' in body && Array.isArray(body.sockets) ? (body.sockets as unknown[]) : []
  const userConnections = sockets.filter((s) => typeof s === 'object' && s !== null && 'sub' in s && s.sub === user).length
  return { connections: body.connections, userConnections }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const POLL_MS = 1_000

/**
 * Starts polling and listening; returns `refresh()` for an update now.
 * @example
 * const refresh = mountPanel(realtime, { realtimeUrl, user })
 */
export function mountPanel(realtime: SharedRealtime, where: { realtimeUrl: string; user: string }): () => void {
  const status = byTestId('status', HTMLElement)
  const leader = byTestId('leader-badge', HTMLElement)
  const cells = {
    headline: byTestId('headline', HTMLElement),
    tabs: byTestId('tabs', HTMLElement),
    visibleTabs: byTestId('visible-tabs', HTMLElement),
    workerId: byTestId('worker-id', HTMLElement),
    workerSockets: byTestId('worker-connections', HTMLElement),
    server: byTestId('server-connections', HTMLElement),
    user: byTestId('user-connections', HTMLElement),
  }
  const showStatus = (value: ConnectionStatus): void => {
    setText(status, value)
    status.dataset['status'] = value
  }
  const showLeader = (isLeader: boolean): void => { leader.hidden = !isLeader }
  let tabs: number | undefined
  let userConnections: number | undefined
  const headline = (): void => {
    const text = tabs === undefined || userConnections === undefined ? 'connecting…' : `${plural(tabs, 'tab')} · ${plural(userConnections, 'connection')}`
    setText(cells.headline, text)
  }
  let isBusy = false
  const refresh = (): void => {
    if (isBusy) return
    isBusy = true
    const hub = realtime.stats().then((stats) => {
      tabs = stats.tabs
      setText(cells.tabs, String(stats.tabs))
      setText(cells.visibleTabs, String(stats.visibleTabs))
      setText(cells.workerId, stats.workerId.slice(0, 8))
      cells.workerId.dataset['workerId'] = stats.workerId
      cells.workerId.title = stats.workerId
      setText(cells.workerSockets, String(stats.connections))
    })
    const server = serverCounts(where.realtimeUrl, where.user).then((counts) => {
      userConnections = counts.userConnections
      setText(cells.server, String(counts.connections))
      setText(cells.user, String(counts.userConnections))
    }, () => {
      userConnections = undefined
      setText(cells.server, '—')
      setText(cells.user, '—')
    })
    Promise.allSettled([hub, server]).then(() => {
      isBusy = false
      headline()
    })
  }
  showStatus(realtime.status)
  showLeader(realtime.isLeader)
  realtime.onStatus((value) => { showStatus(value); refresh() })
  realtime.onLeaderChange((isLeader) => { showLeader(isLeader); refresh() })
  refresh()
  setInterval(refresh, POLL_MS)
  return refresh
}
