/**
 * The banner a deploy's older tabs show once a newer deploy's worker runs (`onUpdateAvailable`):
 * moved = still one connection, only this page's code is older; not moved = this tab keeps a
 * connection of its own until it reloads.
 */
import type { UpdateInfo } from '../../src/index.ts'
import { h } from './dom.ts'

/**
 * Shows the banner (with a Reload button) when the client says a newer deploy runs.
 * @example
 * mountUpdateBanner(realtime, (text) => log('system', text))
 */
export function mountUpdateBanner(client: { onUpdateAvailable(listener: (info: UpdateInfo) => void): () => void }, note: (text: string) => void): void {
  const text = h('span', { testid: 'update-banner-text' })
  const reload = h('button', { type: 'button' }, 'Reload')
  reload.addEventListener('click', () => location.reload())
  const banner = h('div', { class: 'banner', role: 'status', testid: 'update-banner' }, text, reload)
  banner.hidden = true
  banner.style.cssText = 'background:#dbeafe;color:#1e3a8a;padding:8px 16px;display:flex;gap:12px;align-items:center'
  document.body.prepend(banner)
  client.onUpdateAvailable((info) => {
    const what = info.moved
      ? 'A new version of this app is running; this tab moved to its worker (still one connection).'
      : `A new version of this app is running; this tab keeps its own connection until it reloads (${info.reason ?? 'not moved'}).`
    text.textContent = what
    banner.hidden = false
    note(what)
  })
}
