/**
 * `tabrelay/devtools`: see the hub from any tab — its tabs, leader, connection with a status
 * timeline, topics with messages/s, queues, errors and journal — for this tab's user only, and copy
 * a redacted JSON report for bug reports. The worker serves it with `hubDevtools()` from
 * `tabrelay/worker/devtools`. Framework-free; loaded only by apps that import it.
 * @example
 * import { mountDevtools } from 'tabrelay/devtools'
 * const unmount = mountDevtools(relay)
 */
import { DEVTOOLS_TAG, TabrelayDevtoolsElement } from './element.ts'
import type { Inspectable } from './model.ts'
import type { ReportContext } from './report.ts'

export { DEVTOOLS_TAG, POLL_MS, TabrelayDevtoolsElement } from './element.ts'
export { DevtoolsModel, type Inspectable, type Rates } from './model.ts'
export { buildReport, redact, REDACTED, type ReportContext } from './report.ts'
export type { HubInspection, InspectedTab, InspectedTopic, JournalEntry, JournalEvent } from '../contract/inspect.ts'

/**
 * Registers `<tabrelay-devtools>` once (a no-op where there is no DOM, or when it is registered).
 * @example
 * defineDevtools(); document.body.append(document.createElement('tabrelay-devtools'))
 */
export function defineDevtools(): void {
  if (typeof customElements === 'undefined' || customElements.get(DEVTOOLS_TAG)) return
  customElements.define(DEVTOOLS_TAG, TabrelayDevtoolsElement)
}

/** Where and how {@link mountDevtools} puts the panel. */
export interface MountOptions {
  /** The element to append the panel to; default `document.body`. */
  target?: Element
  /** Added to the copied report: the app's options (redacted) and secrets to scrub. */
  context?: ReportContext
  /** Start collapsed (not polling) until "Show" is clicked. */
  collapsed?: boolean
}

/**
 * Puts the panel for `client` in the page; returns how to remove it (which stops its polling).
 * @example
 * const unmount = mountDevtools(relay, { context: { options: relayOptions } })
 * // later
 * unmount()
 */
export function mountDevtools(client: Inspectable, options: MountOptions = {}): () => void {
  defineDevtools()
  const panel = document.createElement(DEVTOOLS_TAG) as TabrelayDevtoolsElement
  if (options.collapsed) panel.setAttribute('collapsed', '')
  panel.context = options.context ?? {}
  panel.client = client
  ;(options.target ?? document.body).append(panel)
  return () => panel.remove()
}
