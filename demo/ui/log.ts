/**
 * The event log: what the worker relayed to this tab (broadcasts, presence, channel and connection
 * status, leader changes, row changes, history loads), newest first, capped so a long session stays light.
 */
import { clockTime, h } from './dom.ts'

/** Kinds of entries, also their CSS class. */
export type LogKind = 'broadcast' | 'change' | 'history' | 'presence' | 'channel' | 'status' | 'leader' | 'system' | 'error'

const MAX_ENTRIES = 200

/**
 * Returns `add(kind, text)` for the given list element.
 * @example
 * const log = mountLog(list); log('status', 'open')
 */
export function mountLog(list: HTMLElement): (kind: LogKind, text: string) => void {
  return (kind, text) => {
    const entry = h('li', { class: `log-entry ${kind}`, testid: 'log-entry', 'data-kind': kind },
      h('time', {}, clockTime(Date.now())),
      h('span', { class: 'tag' }, kind),
      h('span', { class: 'log-text' }, text))
    list.prepend(entry)
    while (list.childElementCount > MAX_ENTRIES) list.lastElementChild?.remove()
  }
}
