/**
 * What the tab tells the hub about itself: visibility and focus, read from the page and re-sent
 * at once on every change. Guarded so it also runs where there is no `document` (Node tests).
 */
import type { Heartbeat } from '../contract/protocol.ts'

/**
 * Reads the page's state and stops watching it.
 * @example
 * hub.heartbeat(page.read())
 */
export interface PageWatch {
  read(): PageState
  stop(): void
}

/**
 * When this page loaded, sent in hello: hubs tell deploys apart by their newest page.
 * @example
 * const hello = { ...rest, loadedAt: PAGE_LOADED_AT }
 */
export const PAGE_LOADED_AT: number = globalThis.performance?.timeOrigin ?? Date.now()

/** The page's part of a heartbeat. */
export type PageState = Pick<Heartbeat, 'visibility' | 'focused'>

const WINDOW_EVENTS = ['focus', 'blur', 'pagehide', 'pageshow'] as const

/**
 * Watches `visibilitychange`, `focus`, `blur`, `pagehide` and `pageshow`, calling `onChange` on each.
 * A page between `pagehide` and `pageshow` (e.g. in the back/forward cache) reads as hidden: it is
 * frozen, not gone, and must not stay leader. A `pagehide` that is not entering the cache
 * (`persisted: false`) means the page is going away: `onLeave` says goodbye at once instead of
 * leaving the hub to find out from the lock or a hidden tab's 130 s heartbeat allowance.
 * @example
 * const page = watchPage(() => sendHeartbeat(page.read()), () => hub.bye())
 */
export function watchPage(onChange: () => void, onLeave: () => void = () => undefined): PageWatch {
  const doc = typeof document === 'undefined' ? undefined : document
  const win = typeof window === 'undefined' ? undefined : window
  let isHiddenByPagehide = false
  const onEvent = (event: Event): void => {
    if (event.type === 'pagehide') isHiddenByPagehide = true
    if (event.type === 'pageshow') isHiddenByPagehide = false
    if (event.type === 'pagehide' && 'persisted' in event && event.persisted === false) onLeave()
    else onChange()
  }
  doc?.addEventListener('visibilitychange', onEvent)
  for (const type of WINDOW_EVENTS) win?.addEventListener(type, onEvent)
  return {
    read() {
      const isVisible = !isHiddenByPagehide && (doc?.visibilityState ?? 'visible') === 'visible'
      return { visibility: isVisible ? 'visible' : 'hidden', focused: isVisible && (doc?.hasFocus() ?? false) }
    },
    stop() {
      doc?.removeEventListener('visibilitychange', onEvent)
      for (const type of WINDOW_EVENTS) win?.removeEventListener(type, onEvent)
    },
  }
}
