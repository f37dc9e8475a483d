/**
 * The connection panel of the WebSocket mode: the hub's view (status, tabs, leader, worker id)
 * against the inbox server's own count of sockets (`GET /stats` → `inbox`), and a banner with
 * "Retry now" while the connection is down. Same `data-testid`s as the Supabase panel.
 */
import type { Relay, StatusEvent } from '../../src/index.ts'
import { byTestId, h, setText } from '../ui/dom.ts'

const POLL_MS = 1_000
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `/stats` of the server behind a socket URL: `ws://h:p/ws/inbox/` → `http://h:p/stats`.
 * @example
 * statsUrlOf('ws://127.0.0.1:8001/ws/inbox/') // 'http://127.0.0.1:8001/stats'
 */
export function statsUrlOf(wsUrl: string): string {
  return new URL('/stats', wsUrl.replace(/^ws/, 'http')).toString()
}

async function inboxCounts(statsUrl: string, user: string): Promise<{ sockets: number; mine: number }> {
  const body: unknown = await (await fetch(statsUrl, { cache: 'no-store' })).json()
  const inbox = typeof body === 'object' && body !== null && 'inbox' in body ? body.inbox : null
  if (typeof inbox !== 'object' || inbox === null || !('sockets' in inbox) || typeof inbox.sockets !== 'number') throw new Error('GET /stats: no inbox counts')
  const users = 'users' in inbox && typeof inbox.users === 'object' && inbox.users !== null ? (inbox.users as Record<string, unknown>) : {}
  const mine = users[user]
  return { sockets: inbox.sockets, mine: typeof mine === 'number' ? mine : 0 }
}

function mountBanner(relay: Relay): (event: StatusEvent) => void {
  const text = h('span', { testid: 'connection-banner-text' })
  const retry = h('button', { type: 'button', class: 'primary', testid: 'retry-now' }, 'Retry now')
  const banner = h('div', { class: 'banner', role: 'alert', testid: 'connection-banner' }, text, retry)
  banner.hidden = true
  banner.style.cssText = 'background:#fef3c7;color:#78350f;padding:8px 16px;display:flex;gap:12px;align-items:center'
  retry.addEventListener('click', () => { void relay.reconnect() })
  document.body.prepend(banner)
  return (event) => {
    const isDown = event.status === 'reconnecting' || (event.status === 'closed' && event.error !== undefined)
    banner.hidden = !isDown
    if (!isDown) return
    const when = event.retryAt ? `, retrying in ${Math.max(0, Math.round((event.retryAt - Date.now()) / 1000))} s` : ''
    setText(text, `${event.error?.message ?? 'disconnected'}${event.attempt ? ` (attempt ${event.attempt}${when})` : ''}`)
  }
}

/**
 * Starts polling; the headline is "N tabs · M sockets" as the server counts this user's sockets.
 * @example
 * mountInboxPanel(relay, { wsUrl, user: 'alice' })
 */
export function mountInboxPanel(relay: Relay, where: { wsUrl: string; user: string }): void {
  const cell = (id: string): HTMLElement => byTestId(id, HTMLElement)
  const status = cell('status')
  const leader = cell('leader-badge')
  const banner = mountBanner(relay)
  const statsUrl = statsUrlOf(where.wsUrl)
  const refresh = (): void => {
    void Promise.allSettled([relay.stats(), inboxCounts(statsUrl, where.user)]).then(([hub, server]) => {
      if (hub.status === 'fulfilled') {
        setText(cell('tabs'), String(hub.value.tabs))
        setText(cell('visible-tabs'), String(hub.value.visibleTabs))
        setText(cell('worker-id'), hub.value.workerId.slice(0, 8))
        setText(cell('worker-connections'), String(hub.value.connections))
      }
      setText(cell('server-connections'), server.status === 'fulfilled' ? String(server.value.sockets) : '—')
      setText(cell('user-connections'), server.status === 'fulfilled' ? String(server.value.mine) : '—')
      const tabs = hub.status === 'fulfilled' ? hub.value.tabs : undefined
      const mine = server.status === 'fulfilled' ? server.value.mine : undefined
      setText(cell('headline'), tabs === undefined || mine === undefined ? 'connecting…' : `${plural(tabs, 'tab')} · ${plural(mine, 'socket')}`)
    })
  }
  const show = (event: StatusEvent): void => {
    setText(status, event.status)
    status.dataset['status'] = event.status
    banner(event)
    refresh()
  }
  show({ status: relay.status })
  relay.onStatus((_status, event) => show(event))
  relay.onLeaderChange((isLeader) => { leader.hidden = !isLeader })
  setInterval(refresh, POLL_MS)
}
