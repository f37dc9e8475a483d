/**
 * The hub's handle on one tab's sink for one hello: the sink's methods called over the tab's
 * endpoint, which the hub can let go of, without a word to the tab, once it forgets the tab.
 *
 * Why not Comlink's `wrap()`: it registers each remote in a FinalizationRegistry with the endpoint
 * as the held value, and a registry holds its held values strongly. The endpoint's listener (the
 * tab's session) holds that remote, so it could never be finalized and the registry kept the
 * endpoint, the session and the remote of every tab that closed without Comlink's release message
 * (a page that closes, crashes or navigates away sends none): about 1.5 kB per closed tab, for the
 * worker's life. `remoteOf()` registers nothing, and letting go sends nothing to the tab (a release
 * would close the tab's end of a port that a tab timed out by mistake, frozen then thawed, still uses).
 */
import type { Endpoint } from 'comlink'
import type { TabSink } from '../../src/contract/protocol.ts'
import { remoteOf } from '../../src/contract/remote.ts'
import { SINK_METHODS } from '../../src/contract/surface.ts'
import type { HubSink } from '../options.ts'

/** A tab's sink and how the hub lets go of it. */
export interface SinkLink {
  sink: HubSink
  /** The hub forgot the tab: the sink stops listening and sending; the endpoint itself stays. */
  release(): void
}

/**
 * Calls the tab's sink on `endpoint` until released. (No `start()` needed: the session's
 * `exposeOnly` on the same endpoint started it.)
 * @example
 * const { sink, release } = sinkOn(port); hub.hello(hello, sink, release)
 */
export function sinkOn(endpoint: Endpoint): SinkLink {
  const { remote, stop } = remoteOf<TabSink>(endpoint, SINK_METHODS)
  return { sink: remote, release: stop }
}
