/**
 * The tab host's hub side: where SharedWorker is missing, one tab of the origin (elected by a Web
 * Lock, src/hosts/tab-host.ts) runs this hub in a dedicated Worker, and every tab — the host's own
 * included — reaches it over one BroadcastChannel, each on its own address. The worker listens on
 * the channel itself, so a busy or throttled host page is not on the path of the other tabs.
 */
import type { Endpoint } from 'comlink'
import type { Hub } from '../hub.ts'
import { addressedEndpoint, isHostMessage, type AddressedEndpoint, type ChannelLike, type HostAnnouncement } from '../../src/hosts/broadcast.ts'
import { acceptTab } from './endpoint.ts'

/** What the host page tells its worker (plain data over `postMessage`). */
export interface HostOrder {
  tabrelayHost: { channel: string; hostId: string } | { isHidden: boolean }
}

/** A running tab host; `stop()` stops answering (the hub itself ends with the worker). */
export interface BroadcastHost {
  /** The tab addresses served now (bounded by `maxTabs`). */
  readonly tabs: number
  setHidden(isHidden: boolean): void
  stop(): void
}

// A link of a tab that crashed never says goodbye: the oldest idle one is dropped past this many.
// A live tab dropped by mistake is told `known: false` at its next heartbeat and says hello again.
const MAX_TABS = 512

/**
 * Serves every tab address that posts to `hostId` on `channel`, and announces the host.
 * @example
 * acceptBroadcastTabs(createHub({ transports }), new BroadcastChannel('tabrelay-host-v3'), 'host-1')
 */
export function acceptBroadcastTabs(hub: Hub, channel: ChannelLike, hostId: string, maxTabs = MAX_TABS): BroadcastHost {
  const links = new Map<string, AddressedEndpoint>()
  let isHidden = false
  const announce = (): void => channel.postMessage({ tabrelay: 'host', hostId, isHidden } satisfies HostAnnouncement)
  const linkOf = (address: string): AddressedEndpoint => {
    const known = links.get(address)
    if (known) {
      // Map order is the eviction order: the most recently heard-from address goes last.
      links.delete(address)
      links.set(address, known)
      return known
    }
    const oldest = links.keys().next()
    if (links.size >= maxTabs && !oldest.done) drop(oldest.value)
    const endpoint = addressedEndpoint(channel, hostId, address, false)
    links.set(address, endpoint)
    acceptTab(hub, endpoint)
    return endpoint
  }
  const drop = (address: string): void => {
    links.get(address)?.close()
    links.delete(address)
  }
  const onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (!isHostMessage(message)) return
    if (message.tabrelay === 'who') announce()
    if (message.tabrelay !== 'msg' || message.to !== hostId) return
    linkOf(message.from).receive(message.data)
    // Comlink's RELEASE: the tab let go of this link (recovery or close), nothing more will come.
    if (isRelease(message.data)) queueMicrotask(() => drop(message.from))
  }
  channel.addEventListener('message', onMessage)
  announce()
  return {
    get tabs() { return links.size },
    setHidden(hidden) {
      if (hidden === isHidden) return
      isHidden = hidden
      announce()
    },
    stop() {
      channel.removeEventListener('message', onMessage)
      for (const address of [...links.keys()]) drop(address)
    },
  }
}

function isRelease(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'type' in data && data.type === 'RELEASE'
}

/**
 * Whether a message to a dedicated worker is an order of its host page.
 * @example
 * self.addEventListener('message', (e) => { if (isHostOrder(e.data)) follow(e.data) })
 */
export function isHostOrder(data: unknown): data is HostOrder {
  if (typeof data !== 'object' || data === null || !('tabrelayHost' in data)) return false
  const order = data.tabrelayHost
  return typeof order === 'object' && order !== null && (('channel' in order && 'hostId' in order) || 'isHidden' in order)
}

/** A scope that receives messages: a dedicated worker's `self`, or a port in tests. */
export type OrderScope = Pick<Endpoint, 'addEventListener'>

/**
 * Follows the host page's orders on `scope`: start serving the channel as `hostId` (once), and
 * report the page's visibility in the host announcements.
 * @example
 * followHostOrders(hub, self, (name) => new BroadcastChannel(name))
 */
export function followHostOrders(hub: Hub, scope: OrderScope, open: (name: string) => ChannelLike): void {
  let host: BroadcastHost | null = null
  scope.addEventListener('message', (event) => {
    const order: unknown = (event as MessageEvent).data
    if (!isHostOrder(order)) return
    const what = order.tabrelayHost
    if ('channel' in what) {
      if (host === null) host = acceptBroadcastTabs(hub, open(what.channel), what.hostId)
    } else {
      host?.setHidden(what.isHidden)
    }
  })
}
